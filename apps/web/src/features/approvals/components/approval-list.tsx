import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { EnvBadge } from '@/components/ui/env-badge';
import { ErrorPanel } from '@/components/ui/error-panel';
import { SkeletonRows } from '@/components/ui/skeleton';
import { approvalPath } from '@/lib/approval-pending';
import { countdown } from '@/lib/countdown';
import { formatDateTime, plural } from '@/lib/format';
import { useNow } from '@/hooks/use-now';
import { approvalQueries } from '../api/approval-queries';
import { describeRequest } from './approval-review';

/** The requests waiting for a second engineer, soonest expiry first. */
export function ApprovalList() {
  const pending = useQuery(approvalQueries.pending());
  const now = useNow(1000, (pending.data?.approvals.length ?? 0) > 0);
  return (
    <div className="mx-auto w-full max-w-5xl space-y-4 p-4">
      <h1 className="text-xl font-semibold">Approval requests</h1>
      <p className="text-sm text-slate-700 dark:text-slate-300">
        On instances with the two-person rule, a broad kill or a kill above the blast-radius cap waits here until a second engineer approves or denies it.
      </p>
      {pending.isPending ? (
        <SkeletonRows rows={4} label="Loading the approval requests" />
      ) : pending.isError ? (
        <ErrorPanel title="Could not load the approval requests" error={pending.error} />
      ) : pending.data.approvals.length === 0 ? (
        <p className="rounded border border-slate-200 p-6 text-center text-sm text-slate-600 dark:border-slate-800 dark:text-slate-400">Nothing waits for approval.</p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded border border-slate-200 dark:divide-slate-800 dark:border-slate-800" aria-label="Pending approval requests">
          {pending.data.approvals.map((a) => (
            <li key={a.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-3 py-2 text-sm">
              <Link to={approvalPath(a.id)} className="font-medium underline">
                {describeRequest(a)} — {plural(a.targets.length, 'session')}
              </Link>
              <span className="flex items-center gap-1">
                {a.instanceName} <EnvBadge environment={a.environment} />
              </span>
              <span>
                asked by {a.requestedByName ?? a.requestedBy} at {formatDateTime(a.requestedAt)}
              </span>
              <span className="ml-auto font-mono text-xs" aria-label={`expires in ${countdown(a.expiresAt, now)}`}>
                expires in {countdown(a.expiresAt, now)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
