import type { ReactNode } from 'react';
import type { ExcludedSession, KillPreview } from '@quell/contracts/kill';
import { Button } from '@/components/ui/button';
import { ErrorPanel } from '@/components/ui/error-panel';
import { SessionTargets } from '@/components/session-targets';
import { useNow } from '@/hooks/use-now';
import { RollbackWarning } from './rollback-warning';
import { formatClock, plural } from '@/lib/format';
import { canCommit, describeFilter } from '../utils/kill-rules';
import type { RejectedToken } from '../utils/parse-ids';
import { diffPreviews, formatCountdown, isUnchanged, previewDeadline, type PreviewDiff } from '../utils/preview-diff';
import { RejectedTokens } from './rejected-tokens';
import { ReasonField, TypedConfirmField } from './reason-field';

export function commitLabel(n: number): string {
  return `Kill ${n.toLocaleString('en-US')} ${n === 1 ? 'session' : 'sessions'}`;
}

interface Props {
  preview: KillPreview;
  /** When the preview arrived in this browser (its countdown starts there). */
  receivedAt: number;
  /** The preview this one replaces ("Preview again"): what changed since is shown. */
  previous?: KillPreview | null;
  /** Pasted tokens that were not session ids (left out of the request). */
  rejected?: readonly RejectedToken[];
  /** The ids of the listing the request came from, if any: tells a gone session from another user's. */
  listedIds?: ReadonlySet<number> | undefined;
  /** The reason and typed name live with the dialog, so a new preview keeps them. */
  reason: string;
  onReasonChange: (v: string) => void;
  typed: string;
  onTypedChange: (v: string) => void;
  onCommit: (body: { reason: string; confirmInstanceName?: string }) => void;
  /** Asks the server for a fresh preview of the same request. */
  onRepreview: () => void;
  onCancel: () => void;
  pending: boolean;
  error: unknown;
  errorAction?: ReactNode;
  /** A viewer's preview: everything is shown, nothing can be committed. */
  readOnly?: boolean;
  /** What the same confirmation also does: said above the reason and on the button. */
  also?: { label: string; summary: ReactNode };
  /** The instance follows the two-person rule: above the cap this kill waits for a second engineer. */
  twoPersonRule?: boolean;
}

/** What will die and what is spared, and the two guards: a reason, and the typed name when asked. */
export function KillPreviewPanel({
  preview,
  receivedAt,
  previous,
  rejected = [],
  listedIds,
  reason,
  onReasonChange,
  typed,
  onTypedChange,
  onCommit,
  onRepreview,
  onCancel,
  pending,
  error,
  errorAction,
  readOnly = false,
  also,
  twoPersonRule = false,
}: Props) {
  const deadline = previewDeadline(preview, receivedAt);
  const now = useNow(1000, !pending);
  const expired = now >= deadline;
  const n = preview.targets.length;
  // nothing to kill: no reason to give and no button to press
  const nothing = n === 0;
  const enabled =
    !expired && canCommit({ targets: n, reason, requiresTypedConfirmation: preview.requiresTypedConfirmation, typed, instanceName: preview.instanceName, pending });
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
        {previous && <ChangedSince diff={diffPreviews(previous, preview)} />}
        <section aria-labelledby="will-die">
          <h3 id="will-die" className="mb-1 text-sm font-semibold text-red-800 dark:text-red-300">
            {nothing ? 'Nothing to kill' : `${plural(n, 'session')} will be killed`}
          </h3>
          {nothing ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">Nothing to kill: every matching session is excluded or no longer exists.</p>
          ) : (
            <SessionTargets sessions={preview.targets} label="Sessions that will be killed" />
          )}
        </section>
        {rejected.length > 0 && <RejectedTokens rejected={rejected} />}
        <section aria-labelledby="excluded">
          <h3 id="excluded" className="mb-1 text-sm font-semibold">
            {preview.excluded.length} excluded
          </h3>
          {preview.excluded.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">None.</p>
          ) : (
            <ExcludedGroups excluded={preview.excluded} listedIds={listedIds} filterText={describeFilter(preview.filter)} />
          )}
        </section>
        {!nothing && <RollbackWarning risks={preview.rollbackRisks} />}
        <p className="text-xs text-slate-600 dark:text-slate-400">
          Frozen at {formatClock(new Date(preview.createdAt))}; valid until {formatClock(new Date(preview.expiresAt))}. Only these session ids are killed, and only if
          they still belong to the same user when the kill runs.
          {preview.blastRadiusCap > 0 && ` This instance asks for a typed confirmation above ${plural(preview.blastRadiusCap, 'session')}.`}
        </p>
        {!nothing && also?.summary}
        {nothing ? null : readOnly ? (
          <p role="note" className="rounded-md bg-slate-100 p-2 text-sm dark:bg-slate-800">
            Your role can preview a kill but not carry it out. Share this view with an operator, or ask an admin for the operator role.
          </p>
        ) : (
          <ReasonField value={reason} onChange={onReasonChange} disabled={pending} autoFocus />
        )}
        {!readOnly && !nothing && preview.requiresTypedConfirmation && (
          <TypedConfirmField
            instanceName={preview.instanceName}
            value={typed}
            onChange={onTypedChange}
            disabled={pending}
            why={`This kills more than the cap of ${preview.blastRadiusCap} sessions.`}
          />
        )}
        {!readOnly && !nothing && twoPersonRule && preview.requiresTypedConfirmation && (
          <p role="note" className="text-sm">
            <strong>Two-person rule:</strong> above the cap on {preview.instanceName}, this kill is not carried out at once: these sessions are frozen into a request
            that a second engineer approves or denies.
          </p>
        )}
        {error ? <ErrorPanel title="The kill was not carried out" error={error} action={errorAction} /> : null}
      </div>
      <div className="flex flex-wrap items-center justify-end gap-2 border-t border-slate-200 px-5 py-3 dark:border-slate-700">
        <p className="mr-auto text-sm tabular-nums" role="timer" aria-label="Preview validity">
          {expired ? (
            <span className="font-semibold text-amber-800 dark:text-amber-300">Preview expired: the sessions may have changed.</span>
          ) : (
            <>Valid for {formatCountdown(deadline - now)}</>
          )}
        </p>
        <Button onClick={onCancel}>{readOnly || nothing ? 'Close' : 'Cancel'}</Button>
        {!readOnly &&
          !nothing &&
          (expired && !pending ? (
            <Button variant="primary" onClick={onRepreview}>
              Preview again
            </Button>
          ) : (
            <Button variant="danger" disabled={!enabled} onClick={commit}>
              {pending ? `Killing ${n.toLocaleString('en-US')}…` : also ? `${commitLabel(n)} ${also.label}` : commitLabel(n)}
            </Button>
          ))}
      </div>
    </form>
  );
}

function ChangedSince({ diff }: { diff: PreviewDiff }) {
  const ids = (list: readonly number[]) => (list.length > 10 ? `${list.slice(0, 10).join(', ')} …` : list.join(', '));
  const parts = [
    diff.added.length > 0 && `${plural(diff.added.length, 'new target')} (${ids(diff.added)})`,
    diff.dropped.length > 0 && `${diff.dropped.length} no longer a target, gone or now excluded (${ids(diff.dropped)})`,
    diff.changed.length > 0 && `${diff.changed.length} now running another statement (${ids(diff.changed)})`,
  ].filter(Boolean);
  return (
    <p role="status" className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm dark:border-amber-800 dark:bg-amber-950/30">
      <strong>Since the previous preview:</strong> {isUnchanged(diff) ? 'the same sessions, running the same statements.' : parts.join(' · ')}
    </p>
  );
}

/** SQL longer than this is cut, with a per-row button for the whole statement. */
const REASON_LABEL: Record<ExcludedSession['reason'], string> = {
  'system-thread': 'system thread — protected',
  replication: 'replication — protected',
  'das-user': "Quell's own DAS user — protected",
  'protected-user': 'protected user',
  'protected-host': 'protected host',
  'not-found': 'not found (gone, or not matching the filter)',
  'own-session': "Quell's own session",
};

/** The not-found ids named once, split by what the listing can tell; every other exclusion one by one. */
function ExcludedGroups({ excluded, listedIds, filterText }: { excluded: readonly ExcludedSession[]; listedIds: ReadonlySet<number> | undefined; filterText: string }) {
  const notFound = excluded.filter((e) => e.reason === 'not-found').map((e) => e.sessionId);
  const others = excluded.filter((e) => e.reason !== 'not-found');
  const gone = listedIds ? notFound.filter((id) => listedIds.has(id)) : [];
  const elsewhere = listedIds ? notFound.filter((id) => !listedIds.has(id)) : [];
  const groups: [string, number[]][] = listedIds
    ? [
        ['gone since the listing', gone],
        [`not sessions of ${filterText}: gone, or another user's or database's`, elsewhere],
      ]
    : [[`not found: gone, or not sessions of ${filterText}`, notFound]];
  const ids = (list: readonly number[]) => (list.length > 30 ? `${list.slice(0, 30).join(', ')} …` : list.join(', '));
  return (
    <div className="space-y-1">
      {groups
        .filter(([, list]) => list.length > 0)
        .map(([what, list]) => (
          <p key={what} className="rounded border border-slate-200 px-2 py-1 text-xs dark:border-slate-700">
            <strong>
              {plural(list.length, 'id')} {what}
            </strong>
            : <span className="font-mono">{ids(list)}</span>
          </p>
        ))}
      {others.length > 0 && <ExcludedList excluded={others} />}
    </div>
  );
}

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
