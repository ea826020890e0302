// SQL throttles: a DAS SQL limit rule that Quell creates with a reason and an expiry, removes at that
// expiry, and ties to the kill that led to it. The pattern grammar itself is checked by the BFF with
// das-client's one definition (sql-limit-pattern.ts); here are the shapes and the bounds.
import { z } from 'zod';
import { MysqlDatabase, MysqlUser, Reason } from './common.ts';
import { CommitRequest, ExcludedSession, KillResult } from './kill.ts';
import { Session } from './sessions.ts';

export const THROTTLE_SQL_TYPES = ['SELECT', 'UPDATE', 'DELETE', 'INSERT'] as const;
export const ThrottleSqlType = z.enum(THROTTLE_SQL_TYPES, `must be one of ${THROTTLE_SQL_TYPES.join(', ')}`);
export type ThrottleSqlType = z.infer<typeof ThrottleSqlType>;

/** How long a throttle lasts: 15 minutes unless asked; an operator may ask up to 2 h, an admin up to 24 h. */
export const THROTTLE_MINUTES = { default: 15, operatorMax: 120, adminMax: 24 * 60 } as const;

const Pattern = z.string('must be a string').max(1024, 'must be at most 1024 characters');
const MaxConcurrency = z.number('must be a number').int('must be an integer').min(0, 'must be >= 0').max(1_000_000_000, 'must be <= 1000000000');
export const DurationMinutes = z.number('must be a number').int('must be whole minutes').min(1, 'must be at least 1 minute');

/** DAS lists sessions only by user or database: the live matches are counted within one of them. */
const Scope = {
  user: MysqlUser.optional(),
  database: MysqlDatabase.optional(),
};

export const ThrottlePreviewRequest = z
  .object({ sqlType: ThrottleSqlType, pattern: Pattern, ...Scope })
  .strict()
  .refine((r) => r.user !== undefined || r.database !== undefined, { message: 'give a user or a database to count the sessions it matches now', path: ['user'] });
export type ThrottlePreviewRequest = z.infer<typeof ThrottlePreviewRequest>;

export const ThrottlePreview = z.object({
  instanceId: z.string(),
  sqlType: ThrottleSqlType,
  pattern: z.string(),
  keywords: z.array(z.string()),
  /** The matching rule in one sentence. */
  explanation: z.string(),
  /** Sessions running a statement the rule matches now (within the user/database asked for). */
  matches: z.array(Session),
  /** Matching sessions of protected accounts: the rule would throttle them too. */
  excluded: z.array(ExcludedSession),
  /** Said plainly when protected sessions match. */
  notice: z.string().nullable(),
  listedAt: z.string(),
});
export type ThrottlePreview = z.infer<typeof ThrottlePreview>;

/** What a throttle asks of DAS, without its reason (a kill-and-throttle takes the kill's reason). */
export const ThrottleSpec = z
  .object({
    sqlType: ThrottleSqlType,
    pattern: Pattern,
    /** 0 refuses every matching statement. */
    maxConcurrency: MaxConcurrency,
    durationMinutes: DurationMinutes.default(THROTTLE_MINUTES.default),
    /** When protected sessions match within this user/database now, `acknowledgeProtected` must be true. */
    ...Scope,
    acknowledgeProtected: z.boolean('must be true or false').optional(),
  })
  .strict();
export type ThrottleSpec = z.infer<typeof ThrottleSpec>;

export const CreateThrottleRequest = ThrottleSpec.extend({
  reason: Reason,
  /** The audit id of the kill that led to this throttle. */
  killAuditId: z.uuid('must be an audit id').optional(),
}).strict();
export type CreateThrottleRequest = z.infer<typeof CreateThrottleRequest>;

export const Throttle = z.object({
  id: z.string(),
  instanceId: z.string(),
  sqlType: ThrottleSqlType,
  pattern: z.string(),
  maxConcurrency: z.number().int(),
  reason: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  killAuditId: z.string().nullable(),
  /** The audit row of the creation. */
  auditId: z.string(),
  /** DAS's rule id (null until Quell has seen the rule listed). */
  ruleId: z.string().nullable(),
});
export type Throttle = z.infer<typeof Throttle>;

export const ThrottleListResponse = z.object({ instanceId: z.string(), throttles: z.array(Throttle) });
export type ThrottleListResponse = z.infer<typeof ThrottleListResponse>;

export const ThrottlePatternRequest = z.object({ sql: z.string('must be a string').min(1, 'must not be empty').max(1024, 'must be at most 1024 characters') }).strict();
export const ThrottlePatternResponse = z.object({ sqlType: ThrottleSqlType.nullable(), pattern: z.string(), explanation: z.string() });
export type ThrottlePatternResponse = z.infer<typeof ThrottlePatternResponse>;

export const KillAndThrottleRequest = CommitRequest.extend({ throttle: ThrottleSpec }).strict();
export type KillAndThrottleRequest = z.infer<typeof KillAndThrottleRequest>;

export const KillAndThrottleResult = z.object({
  kill: KillResult,
  throttle: Throttle.nullable(),
  /** Why the throttle could not be created after the kill (the kill stands). */
  throttleError: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type KillAndThrottleResult = z.infer<typeof KillAndThrottleResult>;
