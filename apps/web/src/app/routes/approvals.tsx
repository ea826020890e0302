import { Link, useParams } from 'react-router';
import { ApprovalList } from '@/features/approvals/components/approval-list';
import { ApprovalReview } from '@/features/approvals/components/approval-review';
import { useMe } from '@/features/auth/hooks/use-me';
import { KillResultView } from '@/features/kill/components/kill-result-view';
import { useDocumentTitle } from '@/hooks/use-document-title';

export function ApprovalsRoute() {
  useDocumentTitle('Approvals');
  return <ApprovalList />;
}

export function ApprovalRoute() {
  const { approvalId = '' } = useParams();
  const me = useMe();
  useDocumentTitle('Approval request');
  return (
    <div className="mx-auto w-full max-w-5xl space-y-3 p-4">
      <Link to="/approvals" className="text-sm underline">
        ← All approval requests
      </Link>
      {me.data && <ApprovalReview approvalId={approvalId} me={me.data} renderResult={(result) => <KillResultView result={result} />} />}
    </div>
  );
}
