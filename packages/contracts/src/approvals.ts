// The two-person rule: a kill that needs a second engineer becomes an approval request holding the
// preview the requester saw (frozen), until another operator approves or denies it, or it expires.
import { z } from 'zod';
import { Reason } from './common.ts';
import { Environment } from './instances.ts';
import { ExcludedSession } from './kill.ts';
import { Session } from './sessions.ts';

export const ApprovalStatus = z.enum(['pending', 'approved', 'denied', 'expired']);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

/** What was asked: a broad kill (its filter, frozen as a listing) or the commit of a preview above the blast-radius cap. */
export const ApprovalKind = z.enum(['broad', 'preview']);
export type ApprovalKind = z.infer<typeof ApprovalKind>;

export const ApprovalRequest = z.object({
  id: z.string(),
  instanceId: z.string(),
  instanceName: z.string(),
  environment: Environment,
  kind: ApprovalKind,
  status: ApprovalStatus,
  reason: z.string(),
  requestedBy: z.string(),
  /** The requester's display name at the identity provider, when they signed in through it. */
  requestedByName: z.string().nullable(),
  requestedAt: z.string(),
  expiresAt: z.string(),
  filter: z.object({ user: z.string().optional(), database: z.string().optional(), sessionIds: z.array(z.number()).optional() }),
  /** Exactly the sessions the requester saw (without their SQL); an approval kills at most these. */
  targets: z.array(Session),
  excluded: z.array(ExcludedSession),
  blastRadiusCap: z.number().int(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  comment: z.string().nullable(),
  /** An admin approved their own request. */
  breakGlass: z.boolean(),
  /** The kill an approval ran (its audit entry). */
  auditId: z.string().nullable(),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const ApprovalListResponse = z.object({ approvals: z.array(ApprovalRequest) });
export type ApprovalListResponse = z.infer<typeof ApprovalListResponse>;

export const ApprovalParams = z.object({ approvalId: z.uuid('must be an approval request id') });

export const ApprovalComment = z.string().trim().max(500, 'must be at most 500 characters');

/** Break-glass (an admin approving their own request) needs a reason in `comment`. */
export const ApproveRequest = z
  .object({ comment: ApprovalComment.optional(), breakGlass: z.boolean().default(false) })
  .strict()
  .superRefine((r, ctx) => {
    if (r.breakGlass && !Reason.safeParse(r.comment ?? '').success) {
      ctx.addIssue({ code: 'custom', path: ['comment'], message: 'break-glass needs a reason of at least 3 characters' });
    }
  });
export type ApproveRequest = z.infer<typeof ApproveRequest>;

export const DenyRequest = z.object({ comment: ApprovalComment.min(3, 'must be at least 3 characters: say why') }).strict();
export type DenyRequest = z.infer<typeof DenyRequest>;

/** The details of an APPROVAL_REQUIRED answer: the request that was created instead of the kill. */
export const ApprovalPending = z.object({ approvalId: z.string(), expiresAt: z.string() });
export type ApprovalPending = z.infer<typeof ApprovalPending>;

/** Recorded with the audit entry of a kill that needed a second engineer (and of a request denied or expired). */
export const AuditApproval = z.object({
  requestId: z.string(),
  kind: ApprovalKind,
  requestedBy: z.string(),
  requestedAt: z.string(),
  decision: z.enum(['approved', 'denied', 'expired']),
  /** Who approved (absent when denied or expired). */
  approvedBy: z.string().optional(),
  /** Who denied. */
  deniedBy: z.string().optional(),
  decidedAt: z.string(),
  comment: z.string().optional(),
  /** An admin approved their own request. */
  breakGlass: z.boolean(),
});
export type AuditApproval = z.infer<typeof AuditApproval>;
