// ListInnodbLocks and ListMetadataLocks on MariaDB (DAS-INCIDENT-API.md §2.3, §3.2): one statement
// reads each snapshot; the rest turns rows into DAS's all-string objects.
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { ProcessRow } from './mysql-backend.ts';

/** The server lacks what a lock endpoint reads, or the db user may not read it; the message says which. */
export class LockSourceUnavailable extends Error {
  override readonly name = 'LockSourceUnavailable';
}

const ER_UNKNOWN_TABLE = 1109;
const ER_SPECIFIC_ACCESS_DENIED_ERROR = 1227;

function errno(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'errno' in err && typeof err.errno === 'number' ? err.errno : undefined;
}

/** SQL NULL stays null; everything else becomes a string (DAS sends no numbers inside these objects). */
const text = (v: unknown): string | null => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
const textOrEmpty = (v: unknown): string => text(v) ?? '';

// ---- InnoDB ----------------------------------------------------------------------------------

export interface InnodbLockWire {
  lock_id: string;
  lock_trx_id: string;
  lock_mode: string | null;
  lock_type: string | null;
  lock_table: string | null;
  lock_index: string | null;
  lock_space: string | null;
  lock_page: string | null;
  lock_rec: string | null;
  lock_data: string | null;
}

export interface InnodbTrxWire {
  trx_id: string;
  trx_state: string | null;
  trx_started: string | null;
  trx_wait_started: string | null;
  trx_mysql_thread_id: string;
  trx_query: string | null;
  trx_tables_locked: string | null;
  trx_rows_locked: string | null;
  trx_rows_modified: string | null;
  trx_isolation_level: string | null;
  innodb_wait_locks: InnodbLockWire[];
  innodb_hold_locks: InnodbLockWire[];
}

export interface InnodbLockWaitWire {
  requesting_trx_id: string;
  requested_lock_id: string;
  blocking_trx_id: string;
  blocking_lock_id: string;
}

export interface InnodbLocksAnswer {
  innodb_trx: InnodbTrxWire[];
  innodb_lock_waits: InnodbLockWaitWire[];
  count: number;
}

/** The three tables in one statement, so that they come from one refresh of InnoDB's cache. */
const INNODB_SNAPSHOT = `
SELECT 'trx' AS kind, JSON_OBJECT(
  'trx_id', CAST(trx_id AS CHAR), 'trx_state', trx_state, 'trx_started', CAST(trx_started AS CHAR),
  'trx_requested_lock_id', trx_requested_lock_id, 'trx_wait_started', CAST(trx_wait_started AS CHAR),
  'trx_mysql_thread_id', CAST(trx_mysql_thread_id AS CHAR), 'trx_query', trx_query,
  'trx_tables_locked', CAST(trx_tables_locked AS CHAR), 'trx_rows_locked', CAST(trx_rows_locked AS CHAR),
  'trx_rows_modified', CAST(trx_rows_modified AS CHAR), 'trx_isolation_level', trx_isolation_level,
  'trx_lock_structs', CAST(trx_lock_structs AS CHAR)) AS obj
FROM information_schema.INNODB_TRX
UNION ALL
SELECT 'lock', JSON_OBJECT(
  'lock_id', lock_id, 'lock_trx_id', CAST(lock_trx_id AS CHAR), 'lock_mode', CAST(lock_mode AS CHAR), 'lock_type', CAST(lock_type AS CHAR),
  'lock_table', lock_table, 'lock_index', lock_index, 'lock_space', CAST(lock_space AS CHAR),
  'lock_page', CAST(lock_page AS CHAR), 'lock_rec', CAST(lock_rec AS CHAR), 'lock_data', lock_data)
FROM information_schema.INNODB_LOCKS
UNION ALL
SELECT 'wait', JSON_OBJECT(
  'requesting_trx_id', CAST(requesting_trx_id AS CHAR), 'requested_lock_id', requested_lock_id,
  'blocking_trx_id', CAST(blocking_trx_id AS CHAR), 'blocking_lock_id', blocking_lock_id)
FROM information_schema.INNODB_LOCK_WAITS`;

export interface InnodbSnapshot {
  trx: Array<Record<string, string | null>>;
  locks: Array<Record<string, string | null>>;
  waits: Array<Record<string, string | null>>;
}

export async function readInnodbSnapshot(conn: PoolConnection): Promise<InnodbSnapshot> {
  let rows: RowDataPacket[];
  try {
    [rows] = await conn.query<RowDataPacket[]>(INNODB_SNAPSHOT);
  } catch (err) {
    if (errno(err) === ER_SPECIFIC_ACCESS_DENIED_ERROR) throw new LockSourceUnavailable('The database user needs the PROCESS privilege to read InnoDB lock data.');
    if (errno(err) === ER_UNKNOWN_TABLE) {
      throw new LockSourceUnavailable('information_schema.INNODB_LOCKS/INNODB_LOCK_WAITS do not exist on this server (MySQL 8 moved them to performance_schema.data_locks, which das-local does not read).');
    }
    throw err;
  }
  const snapshot: InnodbSnapshot = { trx: [], locks: [], waits: [] };
  for (const r of rows) {
    // MariaDB sends JSON_OBJECT as text; a server with a real JSON type may arrive parsed.
    const obj = (typeof r.obj === 'string' || Buffer.isBuffer(r.obj) ? JSON.parse(textOrEmpty(r.obj)) : r.obj) as Record<string, string | null>;
    if (r.kind === 'trx') snapshot.trx.push(obj);
    else if (r.kind === 'lock') snapshot.locks.push(obj);
    else snapshot.waits.push(obj);
  }
  return snapshot;
}

function lockWire(l: Record<string, string | null>): InnodbLockWire {
  return {
    lock_id: textOrEmpty(l.lock_id),
    lock_trx_id: textOrEmpty(l.lock_trx_id),
    lock_mode: text(l.lock_mode),
    lock_type: text(l.lock_type),
    lock_table: text(l.lock_table),
    lock_index: text(l.lock_index),
    lock_space: text(l.lock_space),
    lock_page: text(l.lock_page),
    lock_rec: text(l.lock_rec),
    lock_data: text(l.lock_data),
  };
}

/**
 * Which transactions `innodb_trx` lists. DAS says "transactions that hold or wait for locks" and its
 * example shows only ones taking part in a wait; what it does with the others is unknown.
 * - 'locking' (default): every one taking part in a wait, and every other one holding an InnoDB lock
 *   (lock structs > 0), so that an open transaction with modified rows shows while nobody waits for it;
 * - 'waits': only the ones taking part in a wait, as in the doc example;
 * - 'all': every open transaction, plain consistent reads included.
 */
export type InnodbTrxScope = 'locking' | 'waits' | 'all';
export const INNODB_TRX_SCOPES: readonly InnodbTrxScope[] = ['locking', 'waits', 'all'];

/** §2.3 mapping. Sessions in `hidden` (das-local's own) are left out with their waits. */
export function innodbLocksAnswer(snapshot: InnodbSnapshot, hidden: ReadonlySet<string>, scope: InnodbTrxScope = 'locking'): InnodbLocksAnswer {
  const visibleTrx = snapshot.trx.filter((t) => !hidden.has(textOrEmpty(t.trx_mysql_thread_id)));
  const visibleIds = new Set(visibleTrx.map((t) => textOrEmpty(t.trx_id)));
  const waits = snapshot.waits
    .filter((w) => visibleIds.has(textOrEmpty(w.requesting_trx_id)) && visibleIds.has(textOrEmpty(w.blocking_trx_id)))
    .map((w) => ({
      requesting_trx_id: textOrEmpty(w.requesting_trx_id),
      requested_lock_id: textOrEmpty(w.requested_lock_id),
      blocking_trx_id: textOrEmpty(w.blocking_trx_id),
      blocking_lock_id: textOrEmpty(w.blocking_lock_id),
    }));
  const inWait = new Set(waits.flatMap((w) => [w.requesting_trx_id, w.blocking_trx_id]));
  const locks = snapshot.locks.map(lockWire);
  const innodbTrx = visibleTrx
    .filter((t) => scope === 'all' || inWait.has(textOrEmpty(t.trx_id)) || (scope === 'locking' && Number(t.trx_lock_structs ?? 0) > 0))
    .sort((a, b) => Number(a.trx_mysql_thread_id) - Number(b.trx_mysql_thread_id))
    .map((t): InnodbTrxWire => {
      const trxId = textOrEmpty(t.trx_id);
      const requested = text(t.trx_requested_lock_id);
      return {
        trx_id: trxId,
        trx_state: text(t.trx_state),
        trx_started: text(t.trx_started),
        trx_wait_started: text(t.trx_wait_started),
        trx_mysql_thread_id: textOrEmpty(t.trx_mysql_thread_id),
        trx_query: text(t.trx_query),
        trx_tables_locked: text(t.trx_tables_locked),
        trx_rows_locked: text(t.trx_rows_locked),
        trx_rows_modified: text(t.trx_rows_modified),
        trx_isolation_level: text(t.trx_isolation_level),
        innodb_wait_locks: requested === null ? [] : locks.filter((l) => l.lock_id === requested),
        innodb_hold_locks: locks.filter((l) => l.lock_trx_id === trxId && l.lock_id !== requested),
      };
    });
  return { innodb_trx: innodbTrx, innodb_lock_waits: waits, count: innodbTrx.length };
}

// ---- metadata locks --------------------------------------------------------------------------

export interface MetadataLockWire {
  thread_id: string;
  lock_status: 'GRANTED' | 'PENDING';
  lock_mode: string;
  lock_type: string;
  lock_duration: string;
  table_schema: string;
  table_name: string;
  user: string | null;
  host: string | null;
  database: string | null;
  command: string | null;
  state: string | null;
  sql: string | null;
  time: string | null;
  trx_exec_time: string;
  block_process: ProcessRow[];
  wait_process: ProcessRow[];
}

export interface MetadataLocksAnswer {
  metadata_locks: MetadataLockWire[];
  count: number;
}

export interface MetadataLockFilter {
  threadId?: string;
  database?: string;
  table?: string;
}

/** One row of the snapshot: a granted lock (from the plugin) or a session waiting for one (from PROCESSLIST). */
export interface MetadataLockRow {
  kind: 'granted' | 'pending';
  threadId: string;
  lockMode: string | null;
  lockType: string | null;
  lockDuration: string | null;
  tableSchema: string | null;
  tableName: string | null;
  user: string | null;
  host: string | null;
  db: string | null;
  command: string | null;
  state: string | null;
  info: string | null;
  time: string | null;
  /** Seconds the session's InnoDB transaction is open; null without one. */
  trxSeconds: string | null;
}

// MDL waits only: "Waiting for table level lock" is a THR_LOCK, not a metadata lock.
const PENDING_STATE = /^Waiting for (table|schema|backup|stored function|stored procedure|stored package body|trigger|event) (metadata )?lock$/i;

function metadataSnapshotSql(withTrx: boolean): string {
  const trx = withTrx ? 'CAST(TIMESTAMPDIFF(SECOND, t.trx_started, NOW()) AS CHAR)' : 'NULL';
  const join = withTrx ? 'LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID' : '';
  const session = `p.USER AS user, p.HOST AS host, p.DB AS db, p.COMMAND AS command, CAST(p.TIME AS CHAR) AS time, p.STATE AS state, p.INFO AS info, ${trx} AS trx_seconds`;
  return `
SELECT 'granted' AS kind, CAST(m.THREAD_ID AS CHAR) AS thread_id, m.LOCK_MODE AS lock_mode, m.LOCK_TYPE AS lock_type, m.LOCK_DURATION AS lock_duration,
       m.TABLE_SCHEMA AS table_schema, m.TABLE_NAME AS table_name, ${session}
FROM information_schema.METADATA_LOCK_INFO m JOIN information_schema.PROCESSLIST p ON p.ID = m.THREAD_ID ${join}
UNION ALL
SELECT 'pending', CAST(p.ID AS CHAR), NULL, NULL, NULL, NULL, NULL, ${session}
FROM information_schema.PROCESSLIST p ${join}
WHERE p.STATE LIKE 'Waiting for %lock'`;
}

export async function readMetadataLockRows(conn: PoolConnection): Promise<MetadataLockRow[]> {
  let rows: RowDataPacket[];
  try {
    try {
      [rows] = await conn.query<RowDataPacket[]>(metadataSnapshotSql(true));
    } catch (err) {
      // INNODB_TRX needs PROCESS; without it the locks still list, without transaction ages.
      if (errno(err) !== ER_SPECIFIC_ACCESS_DENIED_ERROR) throw err;
      [rows] = await conn.query<RowDataPacket[]>(metadataSnapshotSql(false));
    }
  } catch (err) {
    if (errno(err) === ER_UNKNOWN_TABLE) {
      throw new LockSourceUnavailable(
        "information_schema.METADATA_LOCK_INFO does not exist: the MariaDB plugin metadata_lock_info is not installed (an administrator runs INSTALL SONAME 'metadata_lock_info').",
      );
    }
    throw err;
  }
  return rows
    .map((r) => ({
      kind: r.kind === 'granted' ? ('granted' as const) : ('pending' as const),
      threadId: textOrEmpty(r.thread_id),
      lockMode: text(r.lock_mode),
      lockType: text(r.lock_type),
      lockDuration: text(r.lock_duration),
      tableSchema: text(r.table_schema),
      tableName: text(r.table_name),
      user: text(r.user),
      host: text(r.host),
      db: text(r.db),
      command: text(r.command),
      state: text(r.state),
      info: text(r.info),
      time: text(r.time),
      trxSeconds: text(r.trx_seconds),
    }))
    .filter((r) => r.kind === 'granted' || PENDING_STATE.test(r.state ?? ''));
}

/** `` `a` `` → a (doubled backticks undone); bare names as they are. */
function unquote(name: string): string {
  return name.startsWith('`') ? name.slice(1, -1).replace(/``/g, '`') : name;
}

const TOKEN = /`(?:[^`]|``)+`|[A-Za-z0-9_$\u0080-\uffff]+|\S/g;
const IS_NAME = /^(`|[A-Za-z0-9_$\u0080-\uffff])/;
/** Words after which a table name follows. */
const BEFORE_TABLE = new Set(['FROM', 'JOIN', 'UPDATE', 'INTO', 'TABLE', 'TABLES', 'TRUNCATE']);
/** Words that may stand between such a word and the name. */
const MODIFIERS = new Set(['LOW_PRIORITY', 'IGNORE', 'QUICK', 'IF', 'NOT', 'EXISTS', 'ONLY', 'LATERAL']);

/**
 * Best-effort: the tables a statement names (after FROM, JOIN, UPDATE, INTO, TABLE(S), TRUNCATE, and
 * ON for CREATE/DROP INDEX), in order, with `defaultSchema` for unqualified names. Comments and string
 * literals are skipped. One pass over the tokens.
 */
export function tablesNamedBy(sql: string, defaultSchema: string): Array<{ schema: string; table: string }> {
  // One pass, so that a quote inside a comment or a "--" inside a string is taken for what it is.
  const stripped = sql.replace(/`(?:[^`]|``)*`|'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|\/\*[\s\S]*?\*\/|(?:--\s|#)[^\n]*/g, (m) =>
    m.startsWith('`') ? m : m.startsWith("'") || m.startsWith('"') ? "''" : ' ',
  );
  const tokens = stripped.match(TOKEN) ?? [];
  const before = new Set(BEFORE_TABLE);
  if (/^\s*(CREATE|DROP)\b[\s\S]*?\bINDEX\b/i.test(stripped)) before.add('ON');
  const bare = (t: string | undefined) => (t === undefined || t.startsWith('`') ? undefined : t.toUpperCase());
  const found: Array<{ schema: string; table: string }> = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!before.has(bare(tokens[i]) ?? '')) continue;
    let j = i + 1;
    while (MODIFIERS.has(bare(tokens[j]) ?? '')) j++;
    const first = tokens[j];
    if (first === undefined || !IS_NAME.test(first) || bare(first) === 'SELECT' || bare(first) === 'DUAL') continue;
    const qualified = tokens[j + 1] === '.' && tokens[j + 2] !== undefined && IS_NAME.test(tokens[j + 2]!);
    const entry = qualified ? { schema: unquote(first), table: unquote(tokens[j + 2]!) } : { schema: defaultSchema, table: unquote(first) };
    if (!found.some((f) => f.schema === entry.schema && f.table === entry.table)) found.push(entry);
    i = qualified ? j + 2 : j;
  }
  return found;
}

/** The mode a waiting statement most likely asked for (MariaDB does not say). */
export function requestedMode(sql: string): string {
  const s = sql.replace(/\/\*[\s\S]*?\*\//g, ' ').trim().toUpperCase();
  if (/^(SELECT|WITH)\b/.test(s)) return /\bFOR\s+UPDATE\b/.test(s) ? 'MDL_SHARED_WRITE' : 'MDL_SHARED_READ';
  if (/^(INSERT|UPDATE|DELETE|REPLACE|LOAD)\b/.test(s)) return 'MDL_SHARED_WRITE';
  if (/^LOCK\s+TABLES?\b/.test(s)) return /\bWRITE\b/.test(s) ? 'MDL_SHARED_NO_READ_WRITE' : 'MDL_SHARED_READ_ONLY';
  if (/^(ALTER|DROP|TRUNCATE|RENAME|CREATE\s+(UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX|OPTIMIZE|REPAIR)\b/.test(s)) return 'MDL_EXCLUSIVE';
  if (/^FLUSH\s+TABLES?\s+WITH\s+READ\s+LOCK\b/.test(s)) return 'MDL_BACKUP_FTWRL1';
  return 'MDL_SHARED';
}

/** DAS's lock_type for a PROCESSLIST state "Waiting for <x> metadata lock". */
function pendingLockType(state: string): string {
  const m = PENDING_STATE.exec(state);
  const what = (m?.[1] ?? 'table').toLowerCase();
  if (what === 'backup') return 'Backup lock';
  return `${what[0]!.toUpperCase()}${what.slice(1)} metadata lock`;
}

/**
 * MariaDB release builds leave LOCK_DURATION NULL: a session that keeps a lock while idle outside a
 * transaction can only hold it explicitly (LOCK TABLES, HANDLER, GET_LOCK, FTWRL); inside one it lasts
 * to the end of the transaction; otherwise to the end of the statement.
 */
function duration(row: MetadataLockRow): string {
  if (row.lockDuration) return row.lockDuration;
  if (row.lockType === 'User lock' || /^LOCK\s+TABLES?\b/i.test(row.info ?? '')) return 'MDL_EXPLICIT';
  if (row.trxSeconds !== null) return 'MDL_TRANSACTION';
  return row.command === 'Sleep' ? 'MDL_EXPLICIT' : 'MDL_STATEMENT';
}

function processOf(row: MetadataLockRow): ProcessRow {
  return {
    id: row.threadId,
    user: textOrEmpty(row.user),
    host: textOrEmpty(row.host),
    database: textOrEmpty(row.db),
    command: textOrEmpty(row.command),
    time: textOrEmpty(row.time),
    state: textOrEmpty(row.state),
    sql: textOrEmpty(row.info),
    trx_executed_time: row.trxSeconds ?? '0',
  };
}

const STATUS_ORDER = { GRANTED: 0, PENDING: 1 } as const;

/**
 * §3.2 mapping. GRANTED rows come from the plugin. PENDING rows are sessions whose state says they wait
 * for a metadata lock; the object is parsed from their SQL (preferring a table another session holds a
 * lock on) and the mode guessed from the statement. A PENDING row's block_process lists the other
 * sessions holding a lock on the same object; a GRANTED row's wait_process lists the other sessions
 * waiting for one. Filters apply after the mapping.
 */
export function metadataLocksAnswer(rows: readonly MetadataLockRow[], hidden: ReadonlySet<string>, filter: MetadataLockFilter): MetadataLocksAnswer {
  const visible = rows.filter((r) => !hidden.has(r.threadId));
  const granted = visible.filter((r) => r.kind === 'granted');
  const key = (type: string, schema: string, table: string) => JSON.stringify([type, schema, table]);
  const heldByOthers = (threadId: string) => new Set(granted.filter((g) => g.threadId !== threadId).map((g) => key(g.lockType ?? '', g.tableSchema ?? '', g.tableName ?? '')));

  const locks = visible.map((r) => {
    if (r.kind === 'granted') {
      return { row: r, status: 'GRANTED' as const, mode: r.lockMode ?? '', type: r.lockType ?? '', schema: r.tableSchema ?? '', table: r.tableName ?? '' };
    }
    const type = pendingLockType(r.state ?? '');
    const schema = r.db ?? '';
    let table = '';
    let objectSchema = type === 'Table metadata lock' || type === 'Schema metadata lock' ? schema : '';
    if (type === 'Table metadata lock') {
      const named = tablesNamedBy(r.info ?? '', schema);
      const held = heldByOthers(r.threadId);
      const target = named.find((n) => held.has(key(type, n.schema, n.table))) ?? named[0];
      if (target) {
        objectSchema = target.schema;
        table = target.table;
      }
    }
    return { row: r, status: 'PENDING' as const, mode: requestedMode(r.info ?? ''), type, schema: objectSchema, table };
  });

  const sameObject = (a: (typeof locks)[number], b: (typeof locks)[number]) => a.type === b.type && a.schema === b.schema && a.table === b.table;
  const sessions = (list: Array<(typeof locks)[number]>) => {
    const seen = new Map<string, ProcessRow>();
    for (const l of list) if (!seen.has(l.row.threadId)) seen.set(l.row.threadId, processOf(l.row));
    return [...seen.values()].sort((a, b) => Number(a.id) - Number(b.id));
  };

  const metadataLocks = locks
    .map((l): MetadataLockWire => {
      const others = locks.filter((o) => o.row.threadId !== l.row.threadId && sameObject(o, l));
      return {
        thread_id: l.row.threadId,
        lock_status: l.status,
        lock_mode: l.mode,
        lock_type: l.type,
        lock_duration: duration(l.row),
        table_schema: l.schema,
        table_name: l.table,
        user: l.row.user,
        host: l.row.host,
        database: l.row.db,
        command: l.row.command,
        state: l.row.state,
        sql: l.row.info,
        time: l.row.time,
        trx_exec_time: l.row.trxSeconds ?? '0',
        block_process: l.status === 'PENDING' ? sessions(others.filter((o) => o.status === 'GRANTED')) : [],
        wait_process: l.status === 'GRANTED' ? sessions(others.filter((o) => o.status === 'PENDING')) : [],
      };
    })
    .filter(
      (m) =>
        (filter.threadId === undefined || m.thread_id === filter.threadId) &&
        (filter.database === undefined || m.table_schema === filter.database) &&
        (filter.table === undefined || m.table_name === filter.table),
    )
    .sort(
      (a, b) =>
        Number(a.thread_id) - Number(b.thread_id) ||
        STATUS_ORDER[a.lock_status] - STATUS_ORDER[b.lock_status] ||
        a.lock_type.localeCompare(b.lock_type) ||
        a.table_schema.localeCompare(b.table_schema) ||
        a.table_name.localeCompare(b.table_name) ||
        a.lock_mode.localeCompare(b.lock_mode),
    );
  return { metadata_locks: metadataLocks, count: metadataLocks.length };
}
