import { ApprovalPending } from '@quell/contracts/approvals';
import { isApiError } from '@/lib/api-client';

/** The approval request a kill became (the BFF answered APPROVAL_REQUIRED), or null for any other outcome. */
export function approvalPendingOf(error: unknown): ApprovalPending | null {
  if (!isApiError(error) || error.code !== 'APPROVAL_REQUIRED') return null;
  const parsed = ApprovalPending.safeParse(error.details);
  return parsed.success ? parsed.data : null;
}

/** The path of the review screen of one request. */
export const approvalPath = (approvalId: string) => `/approvals/${encodeURIComponent(approvalId)}`;
