// zod schemas: what Quell accepts from its callers (checked before anything is sent) and what it
// accepts from DAS (DAS-API.md §1). Wire process fields are strings; they leave here typed.
import { z } from 'zod';
import type { DasProcess, DbUserRecord } from './types.ts';

export const MAX_PROCESS_ID = 2 ** 31 - 1;

// Docs say 32 letters/digits, every example is 36 (RDS ids end in "in01"): check the alphabet and
// a sane length only, which also keeps path traversal out of the URL.
export const InstanceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"');
export const ProjectId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"');
/** 8-4-4-4-12 hex; DAS ids are UUIDs, the version/variant nibbles are not checked. */
export const DbUserId = z.guid('must be a UUID (8-4-4-4-12 hex digits)');
const Name = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');
export const ProcessId = z
  .number('must be a number')
  .int('must be an integer')
  .min(0, 'must be >= 0')
  .max(MAX_PROCESS_ID, `must be <= ${MAX_PROCESS_ID}`);

export const ListProcessesParamsSchema = z
  .object({
    instanceId: InstanceId,
    dbUserId: DbUserId,
    user: Name.optional(),
    database: Name.optional(),
    nodeId: Name.optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .refine((p) => p.user !== undefined || p.database !== undefined, { message: 'give user or database (DAS requires at least one)' });

export const DeleteProcessParamsSchema = z
  .object({
    instanceId: InstanceId,
    dbUserId: DbUserId,
    // An empty list must not silently turn "kill these" into "kill everything of that user".
    processIds: z.array(ProcessId).min(1, 'must list at least one id when given').optional(),
    user: Name.optional(),
    database: Name.optional(),
  })
  .refine((p) => p.processIds !== undefined || p.user !== undefined || p.database !== undefined, {
    message: 'give processIds, user or database (DAS requires at least one)',
  });

export const RegisterDbUserSchema = z.object({ instanceId: InstanceId, dbUsername: Name, dbUserPassword: z.string().min(1, 'must not be empty') });
export const UpdateDbUserSchema = z.object({
  instanceId: InstanceId,
  dbUserId: DbUserId,
  dbUsername: Name,
  dbUserPassword: z.string().min(1, 'must not be empty'),
});
export const DbUserRefSchema = z.object({ instanceId: InstanceId, dbUserId: DbUserId });
export const ListDbUsersSchema = z.object({
  instanceId: InstanceId,
  filter: z.object({ dbUserId: DbUserId.optional(), dbUsername: Name.optional() }).optional(),
});

export const CredentialsSchema = z.object({
  ak: z.string().min(1, 'ak must be a non-empty string'),
  sk: z.string().min(1, 'sk must be a non-empty string'),
  securityToken: z.string().min(1, 'securityToken must be a non-empty string when given').optional(),
});

// ---- responses -------------------------------------------------------------------------------

const Count = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);
/** Strings per the docs; numbers tolerated; null/absent allowed for everything but the id. */
const WireText = z.string().nullish();
const WireSeconds = z.union([z.string(), z.number()]).nullish();

export const ProcessWire = z.object({
  id: z.union([z.string().regex(/^\d{1,16}$/, 'id must be a decimal integer'), z.number().int().nonnegative()]),
  user: WireText,
  host: WireText,
  database: WireText,
  command: WireText,
  time: WireSeconds,
  state: WireText,
  sql: WireText,
  trx_executed_time: WireSeconds,
});

export const ListProcessesResponse = z.object({
  processes: z.array(ProcessWire).nullish(),
  count: Count.nullish(),
});

const DbUserWire = z.object({ db_user_id: DbUserId, db_username: z.string() });
export const RegisterDbUserResponse = z.object({ db_user_id: DbUserId });
export const ListDbUsersResponse = z.object({ total: Count.nullish(), db_users: z.array(DbUserWire).nullish() });
export const ShowDbUserResponse = z.object({ db_user: DbUserWire });
/** Update/delete answer {"result":"OK"}; anything else that is a JSON object is tolerated. */
export const ResultResponse = z.object({ result: z.string().optional() }).passthrough();

/** DAS ErrorResp plus the other shapes the SDKs accept (`error.{code,message}`, `code/message`). */
export const ErrorResponse = z
  .object({
    error_code: z.string().optional(),
    error_msg: z.string().optional(),
    request_id: z.string().optional(),
    code: z.string().optional(),
    message: z.string().optional(),
    error: z.object({ code: z.string().optional(), message: z.string().optional() }).optional(),
  })
  .passthrough();

function seconds(value: string | number | null | undefined): number {
  if (value === null || value === undefined || value === '') return 0;
  const n = typeof value === 'number' ? value : Number(value.trim());
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

export function toDasProcess(p: z.infer<typeof ProcessWire>): DasProcess {
  return {
    id: Number(p.id),
    user: p.user ?? '',
    host: p.host ?? '',
    database: p.database ?? '',
    command: p.command ?? '',
    time: seconds(p.time),
    state: p.state ?? '',
    sql: p.sql ?? '',
    trxExecutedTime: seconds(p.trx_executed_time),
  };
}

export function toDbUserRecord(u: z.infer<typeof DbUserWire>): DbUserRecord {
  return { dbUserId: u.db_user_id, dbUsername: u.db_username };
}
