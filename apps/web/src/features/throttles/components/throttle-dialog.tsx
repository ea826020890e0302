import { memo, useEffect, useId, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Reason } from '@quell/contracts/common';
import type { InstanceSummary } from '@quell/contracts/instances';
import { THROTTLE_MINUTES, THROTTLE_SQL_TYPES, type Throttle, type ThrottleSqlType } from '@quell/contracts/throttles';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { EnvBadge } from '@/components/ui/env-badge';
import { ErrorPanel } from '@/components/ui/error-panel';
import { inputClass, swallowEnter } from '@/components/ui/field';
import { formatClock, formatDuration, plural } from '@/lib/format';
import { throttleQueries, useCreateThrottle } from '../api/throttle-queries';
import { maxMinutes } from '../utils/limits';
import { scopeText, type KillAndThrottlePlan, type ThrottleTarget } from '../utils/throttle-target';
import { throttlesPath } from './throttles-panel';

interface Props {
  instance: InstanceSummary;
  /** The statement to throttle similar ones of, and where to count them; the dialog is open while it is set. */
  target: ThrottleTarget | null;
  role: string | undefined;
  onClose: () => void;
  /** "Kill N and throttle…": the matching sessions go to the kill preview, which confirms the kill and the throttle in one step. */
  onKillAndThrottle?: ((plan: KillAndThrottlePlan) => void) | undefined;
}

/** "Throttle similar…": the pattern DAS suggests for the sample, editable, the sessions it matches now, then a throttle (or kill them and throttle). */
// memo: closed, it is drawn again only when its props change (not on each filter keystroke of the view behind it)
export const ThrottleDialog = memo(function ThrottleDialog({ instance, target, role, onClose, onKillAndThrottle }: Props) {
  return (
    <Dialog
      open={target !== null}
      onClose={onClose}
      title={
        <span className="flex flex-wrap items-center gap-2">
          Throttle similar statements on {instance.name}
          <EnvBadge environment={instance.environment} />
        </span>
      }
    >
      {target && <ThrottleForm key={`${target.sample.id} ${scopeText(target.scope)}`} instance={instance} target={target} role={role} onClose={onClose} onKillAndThrottle={onKillAndThrottle} />}
    </Dialog>
  );
});

/** The BFF's Reason rule, from the shared contract. */
const reasonIsValid = (r: string) => Reason.safeParse(r).success;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function ThrottleForm({
  instance,
  target,
  role,
  onClose,
  onKillAndThrottle,
}: {
  instance: InstanceSummary;
  target: ThrottleTarget;
  role: string | undefined;
  onClose: () => void;
  onKillAndThrottle: ((plan: KillAndThrottlePlan) => void) | undefined;
}) {
  const { sample, scope } = target;
  const ids = { type: useId(), pattern: useId(), max: useId(), minutes: useId(), reason: useId() };
  const parsed = useQuery(throttleQueries.pattern(instance.id, sample.sql.slice(0, 1024)));
  const [sqlType, setSqlType] = useState<ThrottleSqlType>('SELECT');
  const [pattern, setPattern] = useState<string | null>(null);
  const [maxConcurrency, setMaxConcurrency] = useState(1);
  const [minutes, setMinutes] = useState<number>(THROTTLE_MINUTES.default);
  const [reason, setReason] = useState('');
  const [acknowledged, setAcknowledged] = useState(false);
  const [done, setDone] = useState<Throttle | null>(null);
  // the suggestion fills the form once; after that the operator's edits win
  useEffect(() => {
    if (parsed.data && pattern === null) {
      setPattern(parsed.data.pattern);
      if (parsed.data.sqlType) setSqlType(parsed.data.sqlType);
    }
  }, [parsed.data, pattern]);
  const current = pattern ?? '';
  const debounced = useDebounced(current, 400);
  const preview = useQuery({ ...throttleQueries.preview(instance.id, { sqlType, pattern: debounced, ...scope }), enabled: debounced !== '' });
  const create = useCreateThrottle(instance.id);
  const limit = maxMinutes(role);
  const protectedCount = preview.data?.excluded.length ?? 0;
  // the matches of the pattern as it reads now (never of one since edited): what "Kill N and throttle…" previews
  const matches = preview.data && preview.data.pattern === current && preview.data.sqlType === sqlType ? preview.data.matches : null;
  const specReady = current !== '' && minutes >= 1 && minutes <= limit && (protectedCount === 0 || acknowledged) && !create.isPending;
  const ready = specReady && reasonIsValid(reason);
  const spec = { sqlType, pattern: current, maxConcurrency, durationMinutes: minutes, ...scope, ...(acknowledged ? { acknowledgeProtected: true } : {}) };

  if (done) {
    return (
      <div className="space-y-3 px-5 py-4 text-sm">
        <p role="status">
          Throttled until {new Date(done.expiresAt).toLocaleTimeString()}: <code className="font-mono">{done.pattern}</code>.{' '}
          <Link className="underline" to={throttlesPath(instance.id, done.id)}>
            See it in the Throttles panel
          </Link>
        </p>
        <div className="flex justify-end">
          <Button onClick={onClose}>Close</Button>
        </div>
      </div>
    );
  }

  return (
    <form className="space-y-3 px-5 py-4 text-sm" onSubmit={(e) => e.preventDefault()}>
      <p className="text-slate-600 dark:text-slate-400">
        {target.group && <>From the group {target.group}. </>}
        Sample from session {sample.id} ({sample.user}): <code className="font-mono text-xs break-all">{sample.sql.length > 300 ? `${sample.sql.slice(0, 300)}…` : sample.sql}</code>
      </p>
      {parsed.isError && <ErrorPanel title="DAS could not suggest a pattern: write one" error={parsed.error} />}
      <div className="grid grid-cols-[8rem_1fr] gap-2">
        <div>
          <label htmlFor={ids.type} className="mb-1 block text-xs font-medium">Statement type</label>
          <select id={ids.type} className={inputClass} value={sqlType} onChange={(e) => setSqlType(e.target.value as ThrottleSqlType)}>
            {THROTTLE_SQL_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={ids.pattern} className="mb-1 block text-xs font-medium">Pattern (keywords separated by ~, the type first)</label>
          <input id={ids.pattern} className={`${inputClass} font-mono`} value={current} placeholder={parsed.isPending ? 'asking DAS…' : 'select~orders~sleep'} onKeyDown={swallowEnter} onChange={(e) => setPattern(e.target.value)} />
        </div>
      </div>
      <p aria-live="polite" data-testid="throttle-explanation">
        {preview.data ? preview.data.explanation : preview.isError ? '' : 'Checking the pattern…'}
      </p>
      {preview.isError && <ErrorPanel title="The pattern cannot be used" error={preview.error} />}
      {preview.data && (
        <p aria-live="polite" data-testid="throttle-live-count">
          Matches {plural(preview.data.matches.length, 'running session')} of {scopeText(scope)} now
          {protectedCount > 0 ? ` (and ${plural(protectedCount, 'protected session')})` : ''}.
        </p>
      )}
      {preview.data && preview.data.matches.length > 0 && (
        <details className="text-xs">
          <summary>Show the {plural(preview.data.matches.length, 'matching session')}</summary>
          <ul className="mt-1 max-h-40 space-y-0.5 overflow-auto font-mono" tabIndex={0} aria-label="Sessions the pattern matches now">
            {preview.data.matches.map((m) => (
              <li key={m.id} className="truncate" title={m.sql}>
                {m.id} {m.user} {formatDuration(m.time)} {m.sql}
              </li>
            ))}
          </ul>
        </details>
      )}
      {preview.data?.notice && (
        <div className="rounded-md border border-amber-400 bg-amber-50 p-2 dark:bg-amber-950/40">
          <p>{preview.data.notice}</p>
          <label className="mt-1 flex items-center gap-2">
            <input type="checkbox" checked={acknowledged} onChange={(e) => setAcknowledged(e.target.checked)} />I accept that protected sessions are throttled too
          </label>
        </div>
      )}
      <div className="grid grid-cols-2 gap-2">
        <div>
          <label htmlFor={ids.max} className="mb-1 block text-xs font-medium">At most running at once (0 refuses all)</label>
          <input id={ids.max} type="number" min={0} className={inputClass} value={maxConcurrency} onKeyDown={swallowEnter} onChange={(e) => setMaxConcurrency(Math.max(0, Math.trunc(Number(e.target.value) || 0)))} />
        </div>
        <div>
          <label htmlFor={ids.minutes} className="mb-1 block text-xs font-medium">Expires after (minutes, at most {limit})</label>
          <input id={ids.minutes} type="number" min={1} max={limit} className={inputClass} value={minutes} aria-invalid={minutes > limit || undefined} onKeyDown={swallowEnter} onChange={(e) => setMinutes(Math.trunc(Number(e.target.value) || 0))} />
          {minutes >= 1 && minutes <= limit && <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">Removed automatically at about {formatClock(Date.now() + minutes * 60_000)}.</p>}
        </div>
      </div>
      <div>
        <label htmlFor={ids.reason} className="mb-1 block text-xs font-medium">Reason</label>
        <input id={ids.reason} className={inputClass} value={reason} maxLength={500} placeholder="INC-4211 runaway report query" aria-invalid={(reason !== '' && !reasonIsValid(reason)) || undefined} onKeyDown={swallowEnter} onChange={(e) => setReason(e.target.value)} />
      </div>
      {create.error && <ErrorPanel title="Nothing was throttled" error={create.error} />}
      <div className="flex flex-wrap justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        {onKillAndThrottle && (
          <Button
            variant="danger"
            disabled={!specReady || matches === null || matches.length === 0}
            title="Opens the kill preview of the matching sessions: one confirmation kills them and creates the throttle"
            onClick={() => matches && onKillAndThrottle({ request: { ...scope, sessionIds: matches.map((m) => m.id) }, throttle: spec, reason: reason.trim() })}
          >
            {matches ? `Kill ${plural(matches.length, 'session')} and throttle…` : 'Kill and throttle…'}
          </Button>
        )}
        <Button disabled={!ready} onClick={() => create.mutate({ ...spec, reason }, { onSuccess: setDone })}>
          Throttle only
        </Button>
      </div>
    </form>
  );
}
