// Who blocks whom on an instance: the lock graph (InnoDB row locks and metadata locks) merged with what
// is known of each session, and the instance's open transactions.
import { z } from 'zod';
import { MysqlDatabase, MysqlUser, SessionId } from './common.ts';

export const LockKind = z.enum(['row', 'metadata']);
export type LockKind = z.infer<typeof LockKind>;

/** One lock a session waits for, and the session it waits behind. */
export const LockWait = z.object({
  blockerId: z.number().int(),
  kind: LockKind,
  /** `schema.table` ('' when the server does not say). */
  table: z.string(),
  /** The index of a row lock (PRIMARY, …); null for metadata locks. */
  index: z.string().nullable(),
  /** The mode asked for: X, S, MDL_EXCLUSIVE, MDL_SHARED_READ, … */
  mode: z.string(),
  /** Seconds it has waited; null when the server's answer does not tell. */
  waitSeconds: z.number().nullable(),
  /** The blocker itself waits for the same lock: this session is queued behind it, not blocked by what it holds. */
  queued: z.boolean(),
});
export type LockWait = z.infer<typeof LockWait>;

/** An open transaction, from the lock views (no user/database filter needed). */
export const OpenTransaction = z.object({
  sessionId: z.number().int(),
  /** InnoDB's id; null when only the metadata-lock view shows the transaction. */
  trxId: z.string().nullable(),
  /** RUNNING, LOCK WAIT, ROLLING BACK, COMMITTING; null when unknown. */
  state: z.string().nullable(),
  /** Seconds it has been open; null when unknown. */
  ageSeconds: z.number().nullable(),
  /** null when only the metadata-lock view shows the transaction. */
  rowsLocked: z.number().int().nullable(),
  rowsModified: z.number().int().nullable(),
  tablesLocked: z.number().int().nullable(),
  /** What it runs now (not the statement that took its locks); '' when idle. */
  sql: z.string(),
  /** Its session's user and database, when the metadata-lock view or a listing shows that session. */
  user: z.string().optional(),
  database: z.string().optional(),
});
export type OpenTransaction = z.infer<typeof OpenTransaction>;

/** A session that takes part in a lock wait, with what is known of it (fields the views do not give are absent). */
export const LockSession = z.object({
  id: z.number().int(),
  user: z.string().optional(),
  host: z.string().optional(),
  database: z.string().optional(),
  command: z.string().optional(),
  state: z.string().optional(),
  sql: z.string().optional(),
  /** Seconds in its current state. */
  time: z.number().optional(),
  /** The sessions it waits behind directly (queued edges point to the one ahead in the queue). */
  waitsFor: z.array(LockWait),
  /** Sessions waiting directly behind it. */
  blockingDirect: z.number().int(),
  /** Sessions waiting behind it through any chain (itself not counted, even in a cycle). */
  blockingTotal: z.number().int(),
  /** Blocks others and waits for nobody: the one to look at first. */
  root: z.boolean(),
  /** Part of a wait cycle (a deadlock InnoDB has not resolved yet in this snapshot). */
  inCycle: z.boolean(),
  transaction: OpenTransaction.nullable(),
});
export type LockSession = z.infer<typeof LockSession>;

export const LocksQuery = z.object({
  /** Also list the sessions of this user/database and merge what the listing knows (host, command, …). */
  user: MysqlUser.optional(),
  database: MysqlDatabase.optional(),
  /** Only the chain this session belongs to. */
  threadId: SessionId.optional(),
});
export type LocksQuery = z.infer<typeof LocksQuery>;

export const LocksResponse = z.object({
  instanceId: z.string(),
  /** Every session that waits or blocks; roots first, by how many they block. */
  sessions: z.array(LockSession),
  /** Root blockers' ids, most blocking first. */
  roots: z.array(z.number().int()),
  /** Every open transaction the lock views show, oldest first. */
  transactions: z.array(OpenTransaction),
  fetchedAt: z.string(),
});
export type LocksResponse = z.infer<typeof LocksResponse>;

/** A kill target whose open transaction modified rows: killing it rolls them back, which can take a while. */
export const RollbackRisk = z.object({
  sessionId: z.number().int(),
  rowsModified: z.number().int(),
  /** Seconds the transaction has been open. */
  trxAgeSeconds: z.number(),
});
export type RollbackRisk = z.infer<typeof RollbackRisk>;
