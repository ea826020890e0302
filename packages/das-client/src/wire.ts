// zod schemas: what Quell accepts from its callers (checked before anything is sent) and what it
// accepts from DAS (DAS-API.md §1). Wire process fields are strings; they leave here typed.
import { z } from 'zod';
import type { DasInnodbLock, DasInnodbLocks, DasInnodbLockWait, DasInnodbTrx, DasMetadataLock, DasMetadataLocks, DasProcess, DbUserRecord } from './types.ts';

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

export const ListInnodbLocksParamsSchema = z.object({ instanceId: InstanceId, dbUserId: DbUserId });

export const ListMetadataLocksParamsSchema = z.object({
  instanceId: InstanceId,
  dbUserId: DbUserId,
  threadId: ProcessId.optional(),
  database: Name.optional(),
  table: Name.optional(),
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

// Lock objects (DAS-INCIDENT-API.md §2–§3): every field a string on the wire, numbers tolerated.
const WireId = z.union([z.string().min(1, 'must not be empty'), z.number().int().nonnegative().transform(String)]);
const ThreadIdWire = z.union([z.string().regex(/^\d{1,16}$/, 'must be a decimal integer'), z.number().int().nonnegative()]);
const WireNumber = z.union([z.string(), z.number()]).nullish();

const InnodbLockWire = z.object({
  lock_id: WireId,
  lock_trx_id: WireId,
  lock_mode: WireText,
  lock_type: WireText,
  lock_table: WireText,
  lock_index: WireText,
  lock_space: WireNumber,
  lock_page: WireNumber,
  lock_rec: WireNumber,
  lock_data: WireText,
});

const InnodbTrxWire = z.object({
  trx_id: WireId,
  trx_state: WireText,
  trx_started: WireText,
  trx_wait_started: WireText,
  trx_mysql_thread_id: ThreadIdWire,
  trx_query: WireText,
  trx_tables_locked: WireNumber,
  trx_rows_locked: WireNumber,
  trx_rows_modified: WireNumber,
  trx_isolation_level: WireText,
  innodb_wait_locks: z.array(InnodbLockWire).nullish(),
  innodb_hold_locks: z.array(InnodbLockWire).nullish(),
});

const InnodbLockWaitWire = z.object({
  requesting_trx_id: WireId,
  requested_lock_id: WireId,
  blocking_trx_id: WireId,
  blocking_lock_id: WireId,
});

export const ListInnodbLocksResponse = z.object({
  innodb_trx: z.array(InnodbTrxWire).nullish(),
  innodb_lock_waits: z.array(InnodbLockWaitWire).nullish(),
  count: Count.nullish(),
});

const MetadataLockWire = z.object({
  thread_id: ThreadIdWire,
  lock_status: WireText,
  lock_mode: WireText,
  lock_type: WireText,
  lock_duration: WireText,
  table_schema: WireText,
  table_name: WireText,
  user: WireText,
  host: WireText,
  database: WireText,
  command: WireText,
  state: WireText,
  sql: WireText,
  time: WireSeconds,
  trx_exec_time: WireSeconds,
  block_process: z.array(ProcessWire).nullish(),
  wait_process: z.array(ProcessWire).nullish(),
});

export const ListMetadataLocksResponse = z.object({
  metadata_locks: z.array(MetadataLockWire).nullish(),
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

/** A count or position: null when absent or not a non-negative number. */
function optionalNumber(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!/^\d+$/.test(text)) return null;
  return Number(text);
}

function toDasInnodbLock(l: z.infer<typeof InnodbLockWire>): DasInnodbLock {
  return {
    lockId: l.lock_id,
    lockTrxId: l.lock_trx_id,
    lockMode: l.lock_mode ?? '',
    lockType: l.lock_type ?? '',
    lockTable: l.lock_table ?? '',
    lockIndex: l.lock_index ?? null,
    lockSpace: optionalNumber(l.lock_space),
    lockPage: optionalNumber(l.lock_page),
    lockRec: optionalNumber(l.lock_rec),
    lockData: l.lock_data ?? null,
  };
}

function toDasInnodbTrx(t: z.infer<typeof InnodbTrxWire>): DasInnodbTrx {
  return {
    trxId: t.trx_id,
    trxState: t.trx_state ?? '',
    trxStarted: t.trx_started ?? '',
    trxWaitStarted: t.trx_wait_started || null,
    trxMysqlThreadId: Number(t.trx_mysql_thread_id),
    trxQuery: t.trx_query ?? null,
    trxTablesLocked: optionalNumber(t.trx_tables_locked) ?? 0,
    trxRowsLocked: optionalNumber(t.trx_rows_locked) ?? 0,
    trxRowsModified: optionalNumber(t.trx_rows_modified) ?? 0,
    trxIsolationLevel: t.trx_isolation_level ?? '',
    innodbWaitLocks: (t.innodb_wait_locks ?? []).map(toDasInnodbLock),
    innodbHoldLocks: (t.innodb_hold_locks ?? []).map(toDasInnodbLock),
  };
}

function toDasInnodbLockWait(w: z.infer<typeof InnodbLockWaitWire>): DasInnodbLockWait {
  return { requestingTrxId: w.requesting_trx_id, requestedLockId: w.requested_lock_id, blockingTrxId: w.blocking_trx_id, blockingLockId: w.blocking_lock_id };
}

export function toDasInnodbLocks(r: z.infer<typeof ListInnodbLocksResponse>): DasInnodbLocks {
  const innodbTrx = (r.innodb_trx ?? []).map(toDasInnodbTrx);
  return { innodbTrx, innodbLockWaits: (r.innodb_lock_waits ?? []).map(toDasInnodbLockWait), count: r.count ?? innodbTrx.length };
}

function toDasMetadataLock(m: z.infer<typeof MetadataLockWire>): DasMetadataLock {
  return {
    threadId: Number(m.thread_id),
    lockStatus: m.lock_status ?? '',
    lockMode: m.lock_mode ?? '',
    lockType: m.lock_type ?? '',
    lockDuration: m.lock_duration ?? '',
    tableSchema: m.table_schema ?? '',
    tableName: m.table_name ?? '',
    user: m.user ?? '',
    host: m.host ?? '',
    database: m.database ?? '',
    command: m.command ?? '',
    state: m.state ?? '',
    sql: m.sql ?? '',
    time: seconds(m.time),
    trxExecTime: seconds(m.trx_exec_time),
    blockProcess: (m.block_process ?? []).map(toDasProcess),
    waitProcess: (m.wait_process ?? []).map(toDasProcess),
  };
}

export function toDasMetadataLocks(r: z.infer<typeof ListMetadataLocksResponse>): DasMetadataLocks {
  const metadataLocks = (r.metadata_locks ?? []).map(toDasMetadataLock);
  return { metadataLocks, count: r.count ?? metadataLocks.length };
}

export function toDbUserRecord(u: z.infer<typeof DbUserWire>): DbUserRecord {
  return { dbUserId: u.db_user_id, dbUsername: u.db_username };
}
