import { useQuery } from '@tanstack/react-query';
import { NavLink } from 'react-router';
import { approvalQueries } from '../api/approval-queries';

/** The header link to the approval requests, with how many wait for a second engineer. */
export function ApprovalsBadge({ className }: { className: (state: { isActive: boolean }) => string }) {
  const pending = useQuery(approvalQueries.pending());
  const count = pending.data?.approvals.length ?? 0;
  return (
    <NavLink to="/approvals" className={className}>
      Approvals
      {count > 0 && (
        <>
          {' '}
          <span data-testid="approvals-count" className="rounded-full bg-amber-700 px-1.5 py-0.5 text-xs font-semibold text-white dark:bg-amber-400 dark:text-slate-950">
            {count}
            <span className="sr-only"> pending</span>
          </span>
        </>
      )}
    </NavLink>
  );
}
