import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import type { InstanceSummary } from '@quell/contracts/instances';
import type { Session } from '@quell/contracts/sessions';
import { THROTTLE_MINUTES, THROTTLE_SQL_TYPES, type KillAndThrottleResult, type Throttle, type ThrottleSqlType } from '@quell/contracts/throttles';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { EnvBadge } from '@/components/ui/env-badge';
import { ErrorPanel } from '@/components/ui/error-panel';
import { inputClass } from '@/components/ui/field';
import { isApiError } from '@/lib/api-client';
import { plural } from '@/lib/format';
import { throttleQueries, useCreateThrottle, useKillAndThrottle } from '../api/throttle-queries';
import { maxMinutes } from '../utils/limits';
import { throttlesPath } from './throttles-panel';

interface Props {
  instance: InstanceSummary;
  /** The statement to throttle similar ones of; the dialog is open while it is set. */
  sample: Session | null;
  role: string | undefined;
  onClose: () => void;
  /** Called after a kill (the sessions list should refresh). */
  onKilled?: () => void;
}

/** "Throttle similar…": the pattern DAS suggests for the sample, editable, its sessions now, and a throttle (or kill and throttle) in one confirmed step. */
export function ThrottleDialog({ instance, sample, role, onClose, onKilled }: Props) {
  return (
    <Dialog
      open={sample !== null}
      onClose={onClose}
      title={
        <span className="flex flex-wrap items-center gap-2">
          Throttle similar statements on {instance.name}
          <EnvBadge environment={instance.environment} />
        </span>
      }
    >
      {sample && <ThrottleForm key={sample.id} instance={instance} sample={sample} role={role} onClose={onClose} onKilled={onKilled} />}
    </Dialog>
  );
}

/** Enter in a field never submits. */
const swallowEnter = (e: KeyboardEvent) => {
  if (e.key === 'Enter') e.preventDefault();
};
/** The BFF's Reason rule: 3 to 500 characters once trimmed. */
const reasonIsValid = (r: string) => r.trim().length >= 3 && r.trim().length <= 500;

/** One key per kill-and-throttle attempt: a retry after a lost answer reuses it; a definite refusal (4xx) starts a new attempt. */
function useAttemptKey() {
  const [key, setKey] = useState(() => crypto.randomUUID());
  const afterError = (error: unknown) => {
    if (isApiError(error) && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) setKey(crypto.randomUUID());
  };
  return { key, afterError };
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function ThrottleForm({ instance, sample, role, onClose, onKilled }: { instance: InstanceSummary; sample: Session; role: string | undefined; onClose: () => void; onKilled: (() => void) | undefined }) {
  const ids = { type: useId(), pattern: useId(), max: useId(), minutes: useId(), reason: useId() };
  const parsed = useQuery(throttleQueries.pattern(instance.id, sample.sql.slice(0, 1024)));
  const [sqlType, setSqlType] = useState<ThrottleSqlType>('SELECT');
  const [pattern, setPattern] = useState<string | null>(null);
  const [maxConcurrency, setMaxConcurrency] = useState(1);
  const [minutes, setMinutes] = useState<number>(THROTTLE_MINUTES.default);
  const [reason, setReason] = useState('');
  const [acknowledged, setAcknowledged] = useState(false);
  const [done, setDone] = useState<{ throttle: Throttle | null; kill?: KillAndThrottleResult } | null>(null);
  // the suggestion fills the form once; after that the operator's edits win
  useEffect(() => {
    if (parsed.data && pattern === null) {
      setPattern(parsed.data.pattern);
      if (parsed.data.sqlType) setSqlType(parsed.data.sqlType);
    }
  }, [parsed.data, pattern]);
  const current = pattern ?? '';
  const debounced = useDebounced(current, 400);
  const preview = useQuery({ ...throttleQueries.preview(instance.id, { sqlType, pattern: debounced, user: sample.user }), enabled: debounced !== '' });
  const create = useCreateThrottle(instance.id);
  const killAndThrottle = useKillAndThrottle(instance.id);
  const { key, afterError } = useAttemptKey();
  const limit = maxMinutes(role);
  const protectedCount = preview.data?.excluded.length ?? 0;
  const pending = create.isPending || killAndThrottle.isPending;
  const ready = current !== '' && reasonIsValid(reason) && minutes >= 1 && minutes <= limit && (protectedCount === 0 || acknowledged) && !pending;
  const spec = { sqlType, pattern: current, maxConcurrency, durationMinutes: minutes, user: sample.user, ...(acknowledged ? { acknowledgeProtected: true } : {}) };

  if (done) {
    return (
      <div className="space-y-3 px-5 py-4 text-sm">
        {done.kill && <p>Killed {plural(done.kill.kill.summary.killed ?? 0, 'session')}.</p>}
        {done.throttle ? (
          <p role="status">
            Throttled until {new Date(done.throttle.expiresAt).toLocaleTimeString()}: <code className="font-mono">{done.throttle.pattern}</code>.{' '}
            <Link className="underline" to={throttlesPath(instance.id, done.throttle.id)}>
              See it in the Throttles panel
            </Link>
          </p>
        ) : (
          done.kill?.throttleError && <ErrorPanel title="The sessions were killed, but the throttle could not be created" error={new Error(done.kill.throttleError.message)} />
        )}
        <div className="flex justify-end">
          <Button onClick={onClose}>Close</Button>
        </div>
      </div>
    );
  }

  return (
    <form className="space-y-3 px-5 py-4 text-sm" onSubmit={(e) => e.preventDefault()}>
      <p className="text-slate-600 dark:text-slate-400">
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
          Matches {plural(preview.data.matches.length, 'running session')} of {sample.user} now
          {protectedCount > 0 ? ` (and ${plural(protectedCount, 'protected session')})` : ''}.
        </p>
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
        </div>
      </div>
      <div>
        <label htmlFor={ids.reason} className="mb-1 block text-xs font-medium">Reason</label>
        <input id={ids.reason} className={inputClass} value={reason} maxLength={500} placeholder="INC-4211 runaway report query" aria-invalid={(reason !== '' && !reasonIsValid(reason)) || undefined} onKeyDown={swallowEnter} onChange={(e) => setReason(e.target.value)} />
      </div>
      {(create.error || killAndThrottle.error) && <ErrorPanel title="Nothing was throttled" error={create.error ?? killAndThrottle.error} />}
      <div className="flex flex-wrap justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button
          disabled={!ready}
          onClick={() =>
            create.mutate({ ...spec, reason }, { onSuccess: (throttle) => setDone({ throttle }) })
          }
        >
          Throttle
        </Button>
        <Button
          variant="danger"
          disabled={!ready}
          onClick={() =>
            killAndThrottle.mutate(
              { target: { user: sample.user, sessionIds: [sample.id] }, body: { reason, throttle: spec }, idempotencyKey: key },
              {
                onSuccess: (r) => {
                  setDone({ throttle: r.throttle, kill: r });
                  onKilled?.();
                },
                onError: afterError,
              },
            )
          }
        >
          Kill session {sample.id} and throttle
        </Button>
      </div>
    </form>
  );
}
