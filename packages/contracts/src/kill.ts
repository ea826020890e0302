import { z } from 'zod';
import { MysqlDatabase, MysqlUser, Reason, SessionId } from './common.ts';
import { Session, SessionFilter } from './sessions.ts';
import { UpstreamDetails } from './errors.ts';
import { RollbackRisk } from './locks.ts';

export const MAX_SESSION_IDS = 10_000;
/** How many requested ids that matched no session a preview (and its audit row) lists; the rest are counted. */
export const NOT_FOUND_SAMPLE = 20;

const SessionIdList = z.array(SessionId).min(1, 'must list at least one session id').max(MAX_SESSION_IDS, `must list at most ${MAX_SESSION_IDS} ids`);

/**
 * Preview target: a user and/or database filter (optionally narrowed to some ids),
 * or ids alone — which are resolved only if a filter is also given.
 */
export const KillPreviewRequest = z
  .object({
    user: MysqlUser.optional(),
    database: MysqlDatabase.optional(),
    sessionIds: SessionIdList.optional(),
  })
  .strict()
  .refine((r) => r.user !== undefined || r.database !== undefined, {
    message: 'give a user or a database; ids alone cannot be verified (use a blind kill)',
    path: ['user'],
  });
export type KillPreviewRequest = z.infer<typeof KillPreviewRequest>;

export const ExclusionReason = z.enum(['system-thread', 'replication', 'das-user', 'protected-user', 'protected-host', 'not-found', 'own-session']);
export type ExclusionReason = z.infer<typeof ExclusionReason>;

export const ExcludedSession = z.object({
  sessionId: z.number().int(),
  session: Session.optional(),
  reason: ExclusionReason,
  explanation: z.string(),
});
export type ExcludedSession = z.infer<typeof ExcludedSession>;

export const KillPreview = z.object({
  previewId: z.string(),
  instanceId: z.string(),
  instanceName: z.string(),
  filter: z.object({ user: z.string().optional(), database: z.string().optional(), sessionIds: z.array(z.number()).optional() }),
  targets: z.array(Session),
  /** At most NOT_FOUND_SAMPLE of the requested ids that matched no session are listed in `excluded`; this counts them all. */
  excluded: z.array(ExcludedSession),
  notFoundCount: z.number().int().optional(),
  createdAt: z.string(),
  expiresAt: z.string(),
  blastRadiusCap: z.number().int(),
  requiresTypedConfirmation: z.boolean(),
  /** Targets with an open transaction that modified rows; absent when the InnoDB view could not be read. */
  rollbackRisks: z.array(RollbackRisk).optional(),
});
export type KillPreview = z.infer<typeof KillPreview>;

export const CommitRequest = z
  .object({ reason: Reason, confirmInstanceName: z.string().max(200).optional() })
  .strict();
export type CommitRequest = z.infer<typeof CommitRequest>;

/** Idempotency-Key header: 8-128 visible ASCII characters. */
export const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{8,128}$/, 'must be 8-128 visible ASCII characters');

/** `rolling-back`: still listed as `Killed` after the kill, undoing its transaction; it resolves to `killed` or `still-present` on a recheck. */
export const KillOutcome = z.enum(['killed', 'gone-before-kill', 'changed-skipped', 'still-present', 'rolling-back', 'failed', 'sent-unverified', 'unknown']);
export type KillOutcome = z.infer<typeof KillOutcome>;

export const SessionOutcome = z.object({
  sessionId: z.number().int(),
  user: z.string().optional(),
  host: z.string().optional(),
  database: z.string().optional(),
  outcome: KillOutcome,
  /** `rolling-back` only: seconds the session has been in `Killed` when it was last listed. */
  rollingBackSeconds: z.number().nonnegative().optional(),
  error: UpstreamDetails.optional(),
});
export type SessionOutcome = z.infer<typeof SessionOutcome>;

export const KillResult = z.object({
  auditId: z.string(),
  instanceId: z.string(),
  mode: z.enum(['preview', 'broad', 'blind']),
  outcomes: z.array(SessionOutcome),
  summary: z.partialRecord(KillOutcome, z.number().int()),
  excluded: z.array(ExcludedSession),
  dasRequestIds: z.array(z.string()),
  /** Said plainly when Quell could not check what died (broad mode, blind ids). */
  verification: z.enum(['verified', 'unverifiable']),
  finishedAt: z.string(),
  /** Broad mode: how many matching sessions were listed just before and just after the kill (information only). */
  observed: z.object({ before: z.number().int().nullable(), after: z.number().int().nullable() }).optional(),
});
export type KillResult = z.infer<typeof KillResult>;

export const RecheckParams = z.object({ auditId: z.uuid('must be an audit id') });

/** The outcomes of a kill after its rolling-back sessions were listed again (the audit row holds the same). */
export const RecheckResult = z.object({
  auditId: z.string(),
  outcomes: z.array(SessionOutcome),
  summary: z.partialRecord(KillOutcome, z.number().int()),
  /** How many sessions are still rolling back: poll again while this is above 0. */
  rollingBack: z.number().int(),
  checkedAt: z.string(),
});
export type RecheckResult = z.infer<typeof RecheckResult>;

export const BroadKillRequest = z
  .object({ user: MysqlUser.optional(), database: MysqlDatabase.optional(), reason: Reason, confirmInstanceName: z.string().max(200) })
  .strict()
  .refine((r) => r.user !== undefined || r.database !== undefined, { message: 'give a user or a database', path: ['user'] });
export type BroadKillRequest = z.infer<typeof BroadKillRequest>;

/** Above the instance's blast-radius cap, blind ids need the typed instance name, as a preview's commit does. */
export const BlindKillRequest = z.object({ sessionIds: SessionIdList, reason: Reason, confirmInstanceName: z.string().max(200).optional() }).strict();
export type BlindKillRequest = z.infer<typeof BlindKillRequest>;

export { SessionFilter };
