import { Link } from 'react-router';
import type { ApprovalPending } from '@quell/contracts/approvals';
import { Button, buttonClass } from '@/components/ui/button';
import { formatDateTime } from '@/lib/format';
import { approvalPath } from '@/lib/approval-pending';

/** What a kill dialog shows when the instance follows the two-person rule: nothing was killed yet, and where the request is. */
export function ApprovalRequested({ pending, onClose }: { pending: ApprovalPending; onClose: () => void }) {
  return (
    <div className="space-y-3 px-5 py-4" data-testid="approval-requested">
      <div role="status" className="rounded-md border border-sky-300 bg-sky-50 p-3 text-sm text-sky-950 dark:border-sky-800 dark:bg-sky-950/40 dark:text-sky-100">
        <p className="font-semibold">Approval requested — waiting for a second engineer</p>
        <p className="mt-1">
          This instance follows the two-person rule: nothing has been killed yet. Another operator or admin reviews exactly the sessions you saw and approves or denies
          the kill. The request expires at {formatDateTime(pending.expiresAt)} if nobody answers.
        </p>
      </div>
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Close</Button>
        <Link to={approvalPath(pending.approvalId)} className={buttonClass('primary')}>
          Open the approval request
        </Link>
      </div>
    </div>
  );
}
