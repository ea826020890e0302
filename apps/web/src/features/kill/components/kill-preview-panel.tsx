import { useState, type ReactNode } from 'react';
import type { ExcludedSession, KillPreview } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';
import { Button } from '@/components/ui/button';
import { ErrorPanel } from '@/components/ui/error-panel';
import { RollbackWarning } from './rollback-warning';
import { formatClock, formatDuration, plural } from '@/lib/format';
import { canCommit } from '../utils/kill-rules';
import { ReasonField, TypedConfirmField } from './reason-field';

export function commitLabel(n: number): string {
  return `Kill ${n.toLocaleString('en-US')} ${n === 1 ? 'session' : 'sessions'}`;
}

interface Props {
  preview: KillPreview;
  onCommit: (body: { reason: string; confirmInstanceName?: string }) => void;
  onCancel: () => void;
  pending: boolean;
  error: unknown;
  errorAction?: ReactNode;
  /** A viewer's preview: everything is shown, nothing can be committed. */
  readOnly?: boolean;
}

/** What will die and what is spared, and the two guards: a reason, and the typed name when asked. */
export function KillPreviewPanel({ preview, onCommit, onCancel, pending, error, errorAction, readOnly = false }: Props) {
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const n = preview.targets.length;
  const enabled = canCommit({ targets: n, reason, requiresTypedConfirmation: preview.requiresTypedConfirmation, typed, instanceName: preview.instanceName, pending });
  const commit = () => {
    if (!enabled) return;
    onCommit({ reason: reason.trim(), ...(preview.requiresTypedConfirmation ? { confirmInstanceName: typed.trim() } : {}) });
  };
  return (
    <form
      className="flex min-h-0 flex-col"
      aria-label="Kill preview"
      onSubmit={(e) => {
        // Enter in a text field must never commit a kill
        e.preventDefault();
      }}
    >
      <div className="min-h-0 flex-1 space-y-4 overflow-auto px-5 py-4">
        <div className="grid gap-4 md:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
          <section aria-labelledby="will-die">
            <h3 id="will-die" className="mb-1 text-sm font-semibold text-red-800 dark:text-red-300">
              {plural(n, 'session')} will be killed
            </h3>
            {n === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">Nothing to kill: every matching session is excluded or gone.</p>
            ) : (
              <TargetList sessions={preview.targets} />
            )}
          </section>
          <section aria-labelledby="excluded">
            <h3 id="excluded" className="mb-1 text-sm font-semibold">
              {preview.excluded.length} excluded
            </h3>
            {preview.excluded.length === 0 ? <p className="text-sm text-slate-600 dark:text-slate-400">None.</p> : <ExcludedList excluded={preview.excluded} />}
          </section>
        </div>
        {n > 0 && <RollbackWarning risks={preview.rollbackRisks} />}
        <p className="text-xs text-slate-600 dark:text-slate-400">
          Frozen at {formatClock(new Date(preview.createdAt))}; valid until {formatClock(new Date(preview.expiresAt))}. Only these session ids are killed, and only if
          they still belong to the same user when the kill runs.
          {preview.blastRadiusCap > 0 && ` This instance asks for a typed confirmation above ${plural(preview.blastRadiusCap, 'session')}.`}
        </p>
        {readOnly ? (
          <p role="note" className="rounded-md bg-slate-100 p-2 text-sm dark:bg-slate-800">
            Your role can preview a kill but not carry it out. Share this view with an operator, or ask an admin for the operator role.
          </p>
        ) : (
          <ReasonField value={reason} onChange={setReason} disabled={pending} autoFocus />
        )}
        {!readOnly && preview.requiresTypedConfirmation && (
          <TypedConfirmField
            instanceName={preview.instanceName}
            value={typed}
            onChange={setTyped}
            disabled={pending}
            why={`This kills more than the cap of ${preview.blastRadiusCap} sessions.`}
          />
        )}
        {error ? <ErrorPanel title="The kill was not carried out" error={error} action={errorAction} /> : null}
      </div>
      <div className="flex items-center justify-end gap-2 border-t border-slate-200 px-5 py-3 dark:border-slate-700">
        <Button onClick={onCancel}>{readOnly ? 'Close' : 'Cancel'}</Button>
        {!readOnly && (
          <Button variant="danger" disabled={!enabled} onClick={commit}>
            {pending ? `Killing ${n.toLocaleString('en-US')}…` : commitLabel(n)}
          </Button>
        )}
      </div>
    </form>
  );
}

function TargetList({ sessions }: { sessions: readonly Session[] }) {
  const [all, setAll] = useState(false);
  const shown = all ? sessions : sessions.slice(0, 200);
  return (
    <div tabIndex={0} className="max-h-72 overflow-auto rounded border border-slate-200 dark:border-slate-700">
      <table className="w-full table-fixed text-xs" aria-label="Sessions that will be killed">
        <thead className="sticky top-0 bg-slate-100 text-left dark:bg-slate-800">
          <tr>
            <th className="w-20 px-2 py-1">ID</th>
            <th className="w-28 px-2 py-1">User</th>
            <th className="w-36 px-2 py-1">Host</th>
            <th className="w-24 px-2 py-1">DB</th>
            <th className="w-16 px-2 py-1 text-right">Time</th>
            <th className="px-2 py-1">SQL</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((s) => (
            <tr key={s.id} className="border-t border-slate-100 dark:border-slate-800">
              <td className="px-2 py-0.5 font-mono">{s.id}</td>
              <td className="truncate px-2 py-0.5" title={s.user}>
                {s.user}
              </td>
              <td className="truncate px-2 py-0.5 font-mono" title={s.host}>
                {s.host}
              </td>
              <td className="truncate px-2 py-0.5" title={s.database}>
                {s.database}
              </td>
              <td className="px-2 py-0.5 text-right whitespace-nowrap tabular-nums">{formatDuration(s.time)}</td>
              <td className="truncate px-2 py-0.5 font-mono" title={s.sql}>
                {s.sql || s.command}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {sessions.length > shown.length && (
        <button type="button" className="w-full p-1 text-xs underline" onClick={() => setAll(true)}>
          Show all {sessions.length.toLocaleString('en-US')}
        </button>
      )}
    </div>
  );
}

const REASON_LABEL: Record<ExcludedSession['reason'], string> = {
  'system-thread': 'system thread — protected',
  replication: 'replication — protected',
  'das-user': "Quell's own DAS user — protected",
  'protected-user': 'protected user',
  'protected-host': 'protected host',
  'not-found': 'not found (gone, or not matching the filter)',
  'own-session': "Quell's own session",
};

export function ExcludedList({ excluded }: { excluded: readonly ExcludedSession[] }) {
  return (
    <ul tabIndex={0} className="max-h-72 space-y-1 overflow-auto text-xs" aria-label="Excluded sessions">
      {excluded.map((e) => (
        <li key={e.sessionId} className="rounded border border-slate-200 px-2 py-1 dark:border-slate-700">
          <span className="font-mono">{e.sessionId}</span> {e.session ? <span>{e.session.user}</span> : null} — <strong>{REASON_LABEL[e.reason]}</strong>
          {e.explanation && <span className="block text-slate-600 dark:text-slate-400">{e.explanation}</span>}
        </li>
      ))}
    </ul>
  );
}
