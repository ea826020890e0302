import { memo, useState } from 'react';
import { inputClass } from '@/components/ui/field';
import { formatDuration, parseDuration } from '@/lib/format';
import type { SessionFilters } from '../utils/session-filters';

interface Props {
  filters: SessionFilters;
  commands: readonly string[];
  onChange: (patch: Partial<SessionFilters>) => void;
}

/**
 * A text input bound to a URL value: local while typing, pushed to the URL on each change. The text
 * is replaced only when the URL changes to something the text does not already mean (back button,
 * a chip, a cleared filter), never while the operator types.
 */
function useBound(value: string, commit: (v: string) => void, same: (draft: string, value: string) => boolean = (d, v) => d.trim() === v) {
  const [draft, setDraft] = useState(value);
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    if (!same(draft, value)) setDraft(value);
  }
  return [
    draft,
    (v: string) => {
      setDraft(v);
      commit(v);
    },
  ] as const;
}

const sameDuration = (draft: string, value: string) => (parseDuration(draft) ?? 0) === (parseDuration(value) ?? 0);

const label = 'mb-1 block text-xs font-medium text-slate-700 dark:text-slate-300';

// memo: its fields hold what is typed; the view re-renders for each keystroke without changing its props
export const ClientFilters = memo(function ClientFilters({ filters, commands, onChange }: Props) {
  const [host, setHost] = useBound(filters.host ?? '', (v) => onChange({ host: v.trim() || undefined }));
  const [q, setQ] = useBound(filters.q ?? '', (v) => onChange({ q: v.trim() || undefined }));
  const [minText, setMinText] = useBound(
    filters.minTime ? formatDuration(filters.minTime).replace(/ /g, '') : '',
    (v) => {
      const n = parseDuration(v);
      if (n !== null || !v.trim()) onChange({ minTime: n && n > 0 ? n : undefined });
    },
    sameDuration,
  );
  const minInvalid = minText.trim() !== '' && parseDuration(minText) === null;
  const commandOptions = filters.command && !commands.includes(filters.command) ? [filters.command, ...commands] : commands;
  return (
    <div className="flex flex-wrap items-end gap-2" role="group" aria-label="Narrow the listed sessions">
      <div className="w-40">
        <label htmlFor="f-host" className={label}>
          Host
        </label>
        <input id="f-host" className={inputClass} value={host} placeholder="10.0.0.8" spellCheck={false} onChange={(e) => setHost(e.target.value)} />
      </div>
      <div className="w-36">
        <label htmlFor="f-command" className={label}>
          Command
        </label>
        <select id="f-command" className={inputClass} value={filters.command ?? ''} onChange={(e) => onChange({ command: e.target.value || undefined })}>
          <option value="">Any</option>
          {commandOptions.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </div>
      <div className="w-28">
        <label htmlFor="f-min" className={label}>
          Time at least
        </label>
        <input
          id="f-min"
          className={inputClass}
          value={minText}
          placeholder="30s, 5m"
          aria-invalid={minInvalid || undefined}
          aria-describedby={minInvalid ? 'f-min-err' : undefined}
          onChange={(e) => setMinText(e.target.value)}
        />
        {minInvalid && (
          <p id="f-min-err" className="mt-0.5 text-xs text-red-700 dark:text-red-400">
            e.g. 30s, 5m, 1h
          </p>
        )}
      </div>
      <div className="min-w-48 flex-1">
        <label htmlFor="f-q" className={label}>
          SQL contains
        </label>
        <input id="f-q" type="search" className={inputClass} value={q} spellCheck={false} placeholder="text in the running statement" onChange={(e) => setQ(e.target.value)} />
      </div>
    </div>
  );
});
