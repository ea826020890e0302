// The two-person rule's domain record: an approval request with the preview it froze. The stores persist it.
import type { ApprovalKind, ApprovalStatus } from '@quell/contracts/approvals';
import type { Role } from '@quell/contracts/common';
import type { PreviewRecord } from '../kill/types.ts';

export interface ApprovalRecord {
  id: string;
  instanceId: string;
  kind: ApprovalKind;
  status: ApprovalStatus;
  reason: string;
  requestedBy: string;
  requestedByName: string | null;
  requestedRole: Role;
  requestedAt: string;
  /** The due time: from then on the request kills nothing and an approval is refused. */
  expiresAt: string;
  /** The requester's Idempotency-Key: a repeated request finds the same approval request. */
  idempotencyKey: string;
  /** Exactly what the requester saw (stored without SQL); an approval commits this preview. */
  preview: PreviewRecord;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
  breakGlass: boolean;
  /** The audit entry of the kill the approval ran, or of the refusal a denial or expiry wrote. */
  auditId: string | null;
}

export interface ApprovalDecision {
  status: 'approved' | 'denied';
  by: string;
  at: string;
  comment: string | null;
  breakGlass: boolean;
}
