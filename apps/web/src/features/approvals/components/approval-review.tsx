import { useId, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { ApprovalRequest } from '@quell/contracts/approvals';
import type { Role } from '@quell/contracts/common';
import type { KillResult } from '@quell/contracts/kill';
import { SessionTargets } from '@/components/session-targets';
import { Button } from '@/components/ui/button';
import { EnvBadge } from '@/components/ui/env-badge';
import { ErrorPanel } from '@/components/ui/error-panel';
import { inputClass, swallowEnter } from '@/components/ui/field';
import { SkeletonRows } from '@/components/ui/skeleton';
import { useNow } from '@/hooks/use-now';
import { isApiError } from '@/lib/api-client';
import { countdown } from '@/lib/countdown';
import { formatDateTime, plural } from '@/lib/format';
import { approvalQueries, useApprove, useDeny } from '../api/approval-queries';

const MIN_COMMENT = 3;

/** "Broad kill of user app_rw and database orders", as the screens say it. */
export function describeRequest(a: Pick<ApprovalRequest, 'kind' | 'filter'>): string {
  const filter = [a.filter.user && `user ${a.filter.user}`, a.filter.database && `database ${a.filter.database}`].filter(Boolean).join(' and ');
  return `${a.kind === 'broad' ? 'Broad kill' : 'Kill'} of ${filter || 'the listed sessions'}`;
}

function newKey(): string {
  return typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `k-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

interface Props {
  approvalId: string;
  me: { username: string; role: Role };
  /** How a kill's result reads (the kill workflow's own result view). */
  renderResult: (result: KillResult) => ReactNode;
}

/** One request: exactly the frozen sessions the requester saw, the reason, who asked, the countdown, and approve or deny. */
export function ApprovalReview({ approvalId, me, renderResult }: Props) {
  const request = useQuery(approvalQueries.one(approvalId));
  const [result, setResult] = useState<KillResult | null>(null);
  const now = useNow(1000, request.data?.status === 'pending');
  if (request.isPending) return <SkeletonRows rows={6} label="Loading the approval request" />;
  if (request.isError) {
    return <ErrorPanel title={isApiError(request.error) && request.error.code === 'NOT_FOUND' ? 'No such approval request' : 'Could not load the approval request'} error={request.error} />;
  }
  const a = request.data;
  const due = a.status === 'pending' && Date.parse(a.expiresAt) <= now;
  return (
    <article className="space-y-4" aria-labelledby="approval-title">
      <header className="space-y-1">
        <h1 id="approval-title" className="flex flex-wrap items-center gap-2 text-xl font-semibold">
          {describeRequest(a)} on {a.instanceName} <EnvBadge environment={a.environment} />
        </h1>
        <StatusLine a={a} now={now} due={due} />
      </header>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="font-medium">Asked by</dt>
        <dd>
          {a.requestedByName ? `${a.requestedByName} (${a.requestedBy})` : a.requestedBy} at {formatDateTime(a.requestedAt)}
        </dd>
        <dt className="font-medium">Reason</dt>
        <dd className="break-words" data-testid="approval-reason">
          {a.reason}
        </dd>
        <dt className="font-medium">Blast-radius cap</dt>
        <dd>{a.blastRadiusCap} sessions</dd>
      </dl>
      <FrozenTargets a={a} />
      {result ? (
        <section aria-label="What the approval killed" className="space-y-2">
          {renderResult(result)}
        </section>
      ) : a.status === 'pending' && !due ? (
        <Decision a={a} me={me} onApproved={setResult} />
      ) : a.auditId ? (
        <p className="text-sm">
          <Link to="/audit" className="underline">
            See it in the audit log
          </Link>{' '}
          (audit id <code>{a.auditId}</code>).
        </p>
      ) : null}
    </article>
  );
}

function StatusLine({ a, now, due }: { a: ApprovalRequest; now: number; due: boolean }) {
  const decided = `${a.decidedBy ?? ''}${a.decidedAt ? ` at ${formatDateTime(a.decidedAt)}` : ''}`;
  const text =
    a.status === 'pending' && !due
      ? `Waiting for a second engineer · expires in ${countdown(a.expiresAt, now)}`
      : a.status === 'pending' || a.status === 'expired'
        ? `Expired at ${formatDateTime(a.expiresAt)}: nothing was killed`
        : a.status === 'denied'
          ? `Denied by ${decided}: nothing was killed${a.comment ? ` — “${a.comment}”` : ''}`
          : `Approved by ${decided}${a.breakGlass ? ' as break-glass (their own request)' : ''}${a.comment ? ` — “${a.comment}”` : ''}`;
  const tone = a.status === 'approved' ? 'border-emerald-300 bg-emerald-50 text-emerald-950 dark:border-emerald-800 dark:bg-emerald-950/40 dark:text-emerald-100' : 'border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100';
  return (
    <p role="status" data-testid="approval-status" className={`rounded-md border px-3 py-2 text-sm font-medium ${tone}`}>
      {text}
    </p>
  );
}

function FrozenTargets({ a }: { a: ApprovalRequest }) {
  return (
    <section aria-labelledby="frozen-title" className="space-y-2">
      <h2 id="frozen-title" className="font-semibold">
        {plural(a.targets.length, 'session')} the requester saw (frozen)
      </h2>
      <p className="text-xs text-slate-600 dark:text-slate-400">
        An approval kills at most these. Each is checked again first: one that ended or is another connection by now is reported, not killed; sessions that started
        later are not touched. Quell never stores statements, so the sessions view of the instance shows what they run now.
      </p>
      {a.targets.length > 0 && <SessionTargets sessions={a.targets} label="Frozen sessions" testId="frozen-targets" />}
      {a.excluded.length > 0 && (
        <details className="text-sm">
          <summary>{a.excluded.length} excluded (never killed)</summary>
          <ul className="mt-1 list-disc pl-5 text-xs">
            {a.excluded.map((x) => (
              <li key={x.sessionId}>
                {x.sessionId}: {x.explanation}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function Decision({ a, me, onApproved }: { a: ApprovalRequest; me: Props['me']; onApproved: (r: KillResult) => void }) {
  const commentId = useId();
  const [comment, setComment] = useState('');
  const [key, setKey] = useState(newKey);
  const approve = useApprove();
  const deny = useDeny();
  const own = a.requestedBy === me.username;
  const busy = approve.isPending || deny.isPending;
  const longEnough = comment.trim().length >= MIN_COMMENT;
  if (me.role === 'viewer') return <p className="text-sm">Only operators and admins can approve or deny a request.</p>;
  const breakGlass = own && me.role === 'admin';
  const canApprove = !own || breakGlass;
  const send = (kind: 'approve' | 'deny') => {
    if (busy) return;
    const body = comment.trim();
    if (kind === 'deny') {
      deny.mutate({ approvalId: a.id, body: { comment: body } });
      return;
    }
    approve.mutate(
      { approvalId: a.id, body: { ...(body ? { comment: body } : {}), breakGlass }, idempotencyKey: key },
      {
        onSuccess: onApproved,
        // After a definite refusal the next attempt is a new one.
        onError: (e) => {
          if (isApiError(e) && e.status >= 400 && e.status < 500) setKey(newKey());
        },
      },
    );
  };
  return (
    <form className="space-y-3 rounded-md border border-slate-200 p-3 dark:border-slate-800" aria-label="Approve or deny" onSubmit={(e) => e.preventDefault()}>
      {own && !breakGlass && (
        <p className="text-sm font-medium" data-testid="own-request">
          You asked for this kill: another operator or admin must approve it. You can withdraw it by denying it.
        </p>
      )}
      {breakGlass && (
        <p className="rounded-md border border-amber-400 bg-amber-50 p-2 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/40 dark:text-amber-100">
          <strong>This is your own request.</strong> Another engineer should approve it. Only if nobody else can, approve it yourself as <strong>break-glass</strong>: give a
          reason; it is marked in the audit log and announced to the team.
        </p>
      )}
      <div>
        <label htmlFor={commentId} className="mb-1 block text-sm font-medium">
          {breakGlass ? 'Comment (a break-glass approval needs a reason)' : 'Comment'}
        </label>
        <input
          id={commentId}
          className={inputClass}
          value={comment}
          maxLength={500}
          disabled={busy}
          placeholder={breakGlass ? 'nobody else on call, site down' : 'checked the sessions: go'}
          aria-describedby={`${commentId}-hint`}
          onKeyDown={swallowEnter}
          onChange={(e) => setComment(e.target.value)}
        />
        <p id={`${commentId}-hint`} className="mt-1 text-xs text-slate-600 dark:text-slate-400">
          Recorded in the audit log. A denial needs at least {MIN_COMMENT} characters saying why.
        </p>
      </div>
      {approve.isError && <ErrorPanel title="The request was not approved" error={approve.error} />}
      {deny.isError && <ErrorPanel title="The request was not denied" error={deny.error} />}
      <div className="flex flex-wrap justify-end gap-2">
        <Button disabled={busy || !longEnough} onClick={() => send('deny')}>
          {deny.isPending ? 'Denying…' : own ? 'Withdraw (deny)' : 'Deny'}
        </Button>
        {canApprove && (
          <Button variant="danger" disabled={busy || (breakGlass && !longEnough)} onClick={() => send('approve')}>
            {approve.isPending ? 'Killing…' : breakGlass ? `Break-glass: approve my own request and kill ${plural(a.targets.length, 'session')}` : `Approve and kill ${plural(a.targets.length, 'session')}`}
          </Button>
        )}
      </div>
    </form>
  );
}
