/** A session as Quell uses it: DAS's all-string Process, with numbers where numbers belong. */
export interface DasProcess {
  id: number;
  user: string;
  host: string;
  database: string;
  command: string;
  time: number;
  state: string;
  sql: string;
  trxExecutedTime: number;
}

/** One InnoDB lock (ListInnodbLocks, DAS-INCIDENT-API.md §2.1). Ids stay strings; null marks what a table lock lacks. */
export interface DasInnodbLock {
  lockId: string;
  lockTrxId: string;
  /** S, X, IS, IX (each optionally ",GAP"), AUTO_INC, UNKNOWN. */
  lockMode: string;
  /** RECORD or TABLE. */
  lockType: string;
  /** e.g. "`shop`.`orders`". */
  lockTable: string;
  lockIndex: string | null;
  lockSpace: number | null;
  lockPage: number | null;
  lockRec: number | null;
  /** The locked primary-key value as the server prints it. */
  lockData: string | null;
}

/** An InnoDB transaction that holds or waits for locks. */
export interface DasInnodbTrx {
  trxId: string;
  /** RUNNING, LOCK WAIT, ROLLING BACK, COMMITTING. */
  trxState: string;
  /** "YYYY-MM-DD HH:MM:SS" in the server's zone, as DAS sends it. */
  trxStarted: string;
  /** null when the transaction waits for nothing. */
  trxWaitStarted: string | null;
  /** The session id (DasProcess.id). */
  trxMysqlThreadId: number;
  /** What it runs now (not the statement that took its locks); null when idle. */
  trxQuery: string | null;
  trxTablesLocked: number;
  trxRowsLocked: number;
  trxRowsModified: number;
  trxIsolationLevel: string;
  innodbWaitLocks: DasInnodbLock[];
  innodbHoldLocks: DasInnodbLock[];
}

/** One (requested lock, lock blocking it) pair. */
export interface DasInnodbLockWait {
  requestingTrxId: string;
  requestedLockId: string;
  blockingTrxId: string;
  blockingLockId: string;
}

export interface DasInnodbLocks {
  innodbTrx: DasInnodbTrx[];
  innodbLockWaits: DasInnodbLockWait[];
  /** Transactions that hold or wait for locks, as DAS counts them. */
  count: number;
}

/** One metadata lock (ListMetadataLocks, DAS-INCIDENT-API.md §3.1) with its session's processlist columns. */
export interface DasMetadataLock {
  threadId: number;
  /** GRANTED or PENDING. */
  lockStatus: string;
  /** MDL_SHARED_READ, MDL_EXCLUSIVE, … */
  lockMode: string;
  /** Table metadata lock, Schema metadata lock, … */
  lockType: string;
  /** MDL_STATEMENT, MDL_TRANSACTION, MDL_EXPLICIT ('' when DAS sends none). */
  lockDuration: string;
  tableSchema: string;
  tableName: string;
  user: string;
  host: string;
  database: string;
  command: string;
  state: string;
  /** '' when the session runs nothing. */
  sql: string;
  /** Seconds in the current state. */
  time: number;
  /** Seconds the session's transaction has been open (0 without one). */
  trxExecTime: number;
  /** Sessions blocking this one. */
  blockProcess: DasProcess[];
  /** Sessions waiting on this one. */
  waitProcess: DasProcess[];
}

export interface DasMetadataLocks {
  metadataLocks: DasMetadataLock[];
  count: number;
}

export interface ListInnodbLocksParams {
  instanceId: string;
  dbUserId: string;
}

export interface ListMetadataLocksParams {
  instanceId: string;
  dbUserId: string;
  /** Only this session's locks. */
  threadId?: number;
  database?: string;
  table?: string;
}

export interface ListProcessesParams {
  instanceId: string;
  dbUserId: string;
  user?: string;
  database?: string;
  nodeId?: string;
  /** At most this many sessions (1-100): one page of that size, no paging. */
  limit?: number;
}

/** Rows per ListProcesses page (DAS's maximum): a listing of fewer rows was answered by one page. */
export const PROCESSES_PAGE_SIZE = 100;

export interface ListingOptions {
  /**
   * Pages asked for at once once the first page has told `count` (1..8, default 1: one after another).
   * For a caller that waits for the whole listing, e.g. the re-check before a kill.
   */
  pagesInFlight?: number;
  /**
   * `ascending` (default): pages by offset from 0. `descending`: the first page (it tells `count`), then
   * the others from the last offset down to 100. DAS pages by offset, so a session leaving the listing
   * shifts every later one down by one: in descending order only a session leaving the first page's
   * range makes a later page skip one (the one at offset 100); sessions leaving above the pages still to
   * come (e.g. killed from pages already taken) shift none of them, and a session shifted into a page
   * still to come is only listed twice. Without a `count` on the first page, the rest is ascending.
   */
  order?: 'ascending' | 'descending';
}

/** One ListProcesses page, the offset it was asked for and the `count` it told. */
export interface ProcessPage {
  offset: number;
  processes: DasProcess[];
  count: number | undefined;
}

export interface DeleteProcessParams {
  instanceId: string;
  dbUserId: string;
  processIds?: number[];
  user?: string;
  database?: string;
}

export interface DbUserRecord {
  dbUserId: string;
  dbUsername: string;
}

export interface ListDbUsersFilter {
  dbUserId?: string;
  dbUsername?: string;
}

/** What the client reports after every HTTP attempt (for metrics and logs; holds no secrets). */
export interface DasAttemptEvent {
  operation: string;
  method: string;
  /** 1-based attempt number within the call. */
  attempt: number;
  /** 0 when no response arrived. */
  httpStatus: number;
  outcome: 'ok' | 'error';
  kind?: 'gateway' | 'das' | 'network' | 'timeout' | 'invalid-response';
  errorCode?: string;
  requestId?: string;
  durationMs: number;
  /** What happens next: 'retry' (after a backoff), 'resign' (clock-skew correction), or 'none'. */
  next: 'retry' | 'resign' | 'none';
}
