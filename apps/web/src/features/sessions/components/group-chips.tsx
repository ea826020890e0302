import { Fragment, memo, useId, useState } from 'react';
import { formatCount } from '@/lib/format';
import { changesServerFilter, type GroupCount, type GroupField } from '../utils/filter-sessions';

interface Props {
  total: number;
  shown: number;
  groups: Record<GroupField, GroupCount[]>;
  /** The value each field is filtered on; '' for the "(none)" database. */
  active: Partial<Record<GroupField, string | undefined>>;
  onPick: (field: GroupField, value: string, on: boolean) => void;
  /** "Throttle similar…" on the group a pressed chip shows, when it runs SQL. */
  throttle?: GroupThrottle | undefined;
}

export interface GroupThrottle {
  /** Whether the group runs a statement to take as the sample. */
  can: (field: GroupField, value: string) => boolean;
  open: (field: GroupField, value: string) => void;
}

const FIELDS: { field: GroupField; label: string }[] = [
  { field: 'command', label: 'command' },
  { field: 'user', label: 'user' },
  { field: 'host', label: 'host' },
  { field: 'database', label: 'database' },
];
const TOP = 5;

/** `1,284 sessions · by command: Query 812 · Sleep 440 …`: each chip filters on click. */
// memo: the listing bar re-renders with each filter keystroke; the count follows the filtered rows
export const GroupChips = memo(function GroupChips({ total, shown, groups, active, onPick, throttle }: Props) {
  const relistNote = useId();
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs">
      <p className="text-sm font-semibold" role="status">
        {formatCount(total)} {total === 1 ? 'session' : 'sessions'}
        {shown !== total && <span className="font-normal text-slate-600 dark:text-slate-400"> · {formatCount(shown)} shown by the filters</span>}
      </p>
      <Chips groups={groups} active={active} onPick={onPick} throttle={throttle} relistNote={relistNote} />
      <span id={relistNote} hidden>
        Lists the sessions again from the server; selected sessions that still match stay selected.
      </span>
    </div>
  );
});

// memo: a keystroke changes the count shown, not the chips
const Chips = memo(function Chips({ groups, active, onPick, throttle, relistNote }: Omit<Props, 'total' | 'shown'> & { relistNote: string }) {
  const [more, setMore] = useState<GroupField | null>(null);
  return (
    <>
      {FIELDS.map(({ field, label }) => {
        const list = groups[field];
        if (list.length === 0) return null;
        const visible = more === field ? list : list.slice(0, TOP);
        const relists = field === 'user' || field === 'database';
        return (
          <div key={field} data-group={field} className="flex flex-wrap items-center gap-1">
            <span className="text-slate-500 dark:text-slate-400">
              by {label}
              {relists && <span title="These chips list the sessions again from the server"> (lists again)</span>}:
            </span>
            {visible.map((g) => {
              const pressed = active[field] === g.value;
              const server = changesServerFilter(field, g.value);
              const name = g.value || 'no database';
              return (
                <Fragment key={g.value}>
                  <button
                    type="button"
                    aria-pressed={pressed}
                    aria-describedby={server ? relistNote : undefined}
                    title={
                      server
                        ? pressed
                          ? `List again without the ${label} filter ${g.value}`
                          : `List again for ${label} ${g.value} only; selected sessions that still match stay selected`
                        : pressed
                          ? `Stop filtering on ${label} ${name}`
                          : `Show only ${label} ${name}`
                    }
                    onClick={() => onPick(field, g.value, !pressed)}
                    className={`rounded-full border px-2 py-0.5 ${
                      pressed
                        ? 'border-sky-700 bg-sky-700 text-white dark:border-sky-400 dark:bg-sky-400 dark:text-slate-950'
                        : 'border-slate-300 bg-white hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-900 dark:hover:bg-slate-800'
                    }`}
                  >
                    {g.value || '(none)'} <span className="tabular-nums opacity-75">{formatCount(g.count)}</span>
                  </button>
                  {pressed && throttle?.can(field, g.value) && (
                    <button
                      type="button"
                      className="rounded-full border border-slate-300 px-2 py-0.5 underline hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800"
                      aria-label={`Throttle similar… to the statements of ${label} ${name}`}
                      title={`Throttle the most common statement of ${label} ${name}`}
                      onClick={() => throttle.open(field, g.value)}
                    >
                      Throttle similar…
                    </button>
                  )}
                </Fragment>
              );
            })}
            {list.length > TOP && (
              <button type="button" className="underline" aria-expanded={more === field} onClick={() => setMore(more === field ? null : field)}>
                {more === field ? 'fewer' : `+${list.length - TOP} more`}
              </button>
            )}
          </div>
        );
      })}
    </>
  );
});
