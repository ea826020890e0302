import { z } from 'zod';
import { AuditApproval } from './approvals.ts';
import { ExcludedSession, KillOutcome, SessionOutcome } from './kill.ts';

export const AuditThrottleTarget = z.object({
  throttleId: z.string(),
  sqlType: z.string(),
  pattern: z.string(),
  maxConcurrency: z.number().int(),
  expiresAt: z.string(),
  ruleId: z.string().nullable(),
  killAuditId: z.string().nullable(),
});

export const AuditStatus = z.enum(['pending', 'completed', 'failed', 'unknown']);
export type AuditStatus = z.infer<typeof AuditStatus>;

export const AuditEntry = z.object({
  id: z.string(),
  at: z.string(),
  finishedAt: z.string().nullable(),
  actor: z.string(),
  /** The actor's display name at the identity provider (`actor` is then `oidc:<subject>`); null for local accounts. */
  actorName: z.string().nullable().optional(),
  role: z.string(),
  instanceId: z.string(),
  /** A kill (preview, broad, blind) or a step in a SQL throttle's life (created, expired, removed early). */
  mode: z.enum(['preview', 'broad', 'blind', 'throttle-create', 'throttle-expire', 'throttle-remove']),
  target: z.object({
    user: z.string().optional(),
    database: z.string().optional(),
    sessionIds: z.array(z.number()).optional(),
    /** Throttle rows: the rule, its expiry and the kill that led to it. */
    throttle: AuditThrottleTarget.optional(),
  }),
  reason: z.string(),
  status: AuditStatus,
  excluded: z.array(ExcludedSession),
  outcomes: z.array(SessionOutcome),
  dasRequestIds: z.array(z.string()),
  idempotencyKey: z.string().nullable(),
  /** The preview this commit came from (preview mode only). */
  previewId: z.string().nullable().optional(),
  /** Who made that preview (it may be another user than the one who committed it). */
  previewCreatedBy: z.string().nullable().optional(),
  /** How many requested ids matched no session (`excluded` lists a sample of them). */
  notFoundCount: z.number().int().optional(),
  /** Why an attempt was refused or failed as a whole (e.g. CONFIRMATION_REQUIRED, UPSTREAM_ERROR). */
  error: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
  /** A kill that needed a second engineer: who asked, who approved (or denied), when, and whether it was break-glass. */
  approval: AuditApproval.nullable().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQuery = z.object({
  /** One entry by its id (a deep link: from a notification, or from a throttle to the kill that led to it). */
  id: z.string().min(1).max(64).optional(),
  instanceId: z.string().max(63).optional(),
  actor: z.string().max(64).optional(),
  outcome: KillOutcome.optional(),
  status: AuditStatus.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
}).strict();
export type AuditQuery = z.infer<typeof AuditQuery>;

/** The CSV export allows larger pages than the JSON listing. */
export const AuditCsvQuery = AuditQuery.extend({ limit: AuditQuery.shape.limit.unwrap().max(10_000).default(10_000) });
export type AuditCsvQuery = z.infer<typeof AuditCsvQuery>;

/** At most `limit` rows and about AUDIT_PAGE_MAX_BYTES of them (at least one row); `nextOffset` is where the next page starts. */
export const AUDIT_PAGE_MAX_BYTES = 1_000_000;
export const AuditListResponse = z.object({ entries: z.array(AuditEntry), total: z.number().int(), nextOffset: z.number().int().nullable().optional() });
export type AuditListResponse = z.infer<typeof AuditListResponse>;
