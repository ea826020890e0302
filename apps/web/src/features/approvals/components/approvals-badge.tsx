import { useQuery } from '@tanstack/react-query';
import { NavLink } from 'react-router';
import { approvalQueries } from '../api/approval-queries';

/** The header link to the approval requests, with how many wait for a second engineer. */
export function ApprovalsBadge({ className }: { className: (state: { isActive: boolean }) => string }) {
  const pending = useQuery(approvalQueries.pending());
  const count = pending.data?.approvals.length ?? 0;
  return (
    <NavLink to="/approvals" className={className} aria-label={count > 0 ? `Approvals, ${count} pending` : 'Approvals'}>
      Approvals
      {count > 0 && (
        <span data-testid="approvals-count" aria-hidden="true" className="ml-1 rounded-full bg-amber-600 px-1.5 py-0.5 text-xs font-semibold text-white dark:bg-amber-500 dark:text-slate-950">
          {count}
        </span>
      )}
    </NavLink>
  );
}
