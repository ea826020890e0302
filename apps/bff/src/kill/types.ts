// The kill workflow's domain records: what a preview freezes and what the audit trail keeps.
// The stores persist these; they are defined here, not by the stores.
import type { AuditApproval } from '@quell/contracts/approvals';
import type { AuditEntry, AuditStatus } from '@quell/contracts/audit';
import type { Role } from '@quell/contracts/common';
import type { ExcludedSession, SessionOutcome } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';

export interface Actor {
  username: string;
  role: Role;
  /** The identity provider's display name (identity-provider sign-ins; `username` is then `oidc:<subject>`). */
  displayName?: string;
}

/** A target frozen by a preview: the session as listed, and when it was listed. */
export interface FrozenTarget {
  session: Session;
  /** ms since epoch: listedAt − time·1000, i.e. when the session's current command started. */
  commandStartMs: number;
}

export interface PreviewRecord {
  id: string;
  instanceId: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  filter: { user?: string; database?: string; sessionIds?: number[] };
  targets: FrozenTarget[];
  /** Not-found ids are kept as a sample in `excluded` (NOT_FOUND_SAMPLE) and counted here. */
  excluded: ExcludedSession[];
  notFoundCount?: number;
  requiresTypedConfirmation: boolean;
}

export interface AuditIntent {
  id: string;
  at: string;
  actor: string;
  /** The actor's display name at the identity provider, when they signed in through it. */
  actorName?: string | null;
  role: Role;
  instanceId: string;
  mode: AuditEntry['mode'];
  target: AuditEntry['target'];
  reason: string;
  excluded: ExcludedSession[];
  idempotencyKey: string | null;
  previewId?: string | null;
  /** Who made the preview this commit came from. */
  previewCreatedBy?: string | null;
  /** How many requested ids matched no session (`excluded` holds a sample). */
  notFoundCount?: number;
  /** The approval request behind this attempt (two-person rule). */
  approval?: AuditApproval;
}

export interface AuditOutcome {
  status: Exclude<AuditStatus, 'pending'>;
  finishedAt: string;
  outcomes: SessionOutcome[];
  excluded?: ExcludedSession[];
  dasRequestIds: string[];
  error?: { code: string; message: string } | null;
}
