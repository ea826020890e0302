// The real database side: PROCESSLIST (+ INNODB_TRX), KILL CONNECTION and the lock views, as the registered db user.
import mysql, { type Pool, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import {
  innodbLocksAnswer,
  metadataLocksAnswer,
  readInnodbSnapshot,
  readMetadataLockRows,
  type InnodbLocksAnswer,
  type InnodbTrxScope,
  type MetadataLockFilter,
  type MetadataLocksAnswer,
} from './locks.ts';

export interface InstanceAddress {
  host: string;
  port: number;
}

export interface DbLogin extends InstanceAddress {
  user: string;
  password: string;
}

/** One row as DAS sends it: every field a string. */
export interface ProcessRow {
  id: string;
  user: string;
  host: string;
  database: string;
  command: string;
  time: string;
  state: string;
  sql: string;
  trx_executed_time: string;
}

export interface ProcessFilter {
  user?: string;
  database?: string;
  processIds?: readonly string[];
}

/** One page of a listing, in id order: rows `offset` .. `offset + limit - 1` of the matches. */
export interface ProcessPage {
  offset: number;
  limit: number;
}

export class CredentialsRejected extends Error {
  override readonly name = 'CredentialsRejected';
}

const ER_ACCESS_DENIED_ERROR = 1045;
const ER_DBACCESS_DENIED_ERROR = 1044;
const ER_NO_SUCH_THREAD = 1094;
const ER_SPECIFIC_ACCESS_DENIED_ERROR = 1227;
const CONNECT_TIMEOUT_MS = 5_000;

function errno(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'errno' in err && typeof err.errno === 'number' ? err.errno : undefined;
}

/**
 * A refused login, however it surfaces: the server's error packet (1045/1044/1698, SQLSTATE 28000), or
 * mysql2's own error when the refusal arrives during an authentication-plugin switch (message only).
 */
export function isAccessDenied(err: unknown): boolean {
  const n = errno(err);
  if (n === ER_ACCESS_DENIED_ERROR || n === ER_DBACCESS_DENIED_ERROR || n === 1698 /* ER_ACCESS_DENIED_NO_PASSWORD_ERROR */) return true;
  if (typeof err !== 'object' || err === null) return false;
  if ('sqlState' in err && err.sqlState === '28000') return true;
  if ('code' in err && typeof err.code === 'string' && err.code.startsWith('ER_ACCESS_DENIED')) return true;
  return err instanceof Error && /^Access denied for user /.test(err.message);
}

function isConnectionLost(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return code === 'PROTOCOL_CONNECTION_LOST' || code === 'ECONNRESET' || code === 'EPIPE' || (typeof err === 'object' && err !== null && 'fatal' in err && err.fatal === true);
}

const serverKey = (a: InstanceAddress): string => `${a.host}:${a.port}`;

/** mysql2 keeps the socket as `stream` on every connection class; its 'close' is the one event every ending shares. */
function streamOf(conn: unknown): { threadId: number; stream?: { once(event: 'close', fn: () => void): unknown } } {
  const c = conn as { threadId: number; stream?: { once(event: 'close', fn: () => void): unknown }; connection?: { stream?: { once(event: 'close', fn: () => void): unknown } } };
  return { threadId: c.threadId, stream: c.stream ?? c.connection?.stream };
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

function toProcessRow(r: RowDataPacket): ProcessRow {
  return {
    id: str(r.id),
    user: str(r.user),
    host: str(r.host),
    database: str(r.db),
    command: str(r.command),
    time: str(r.time),
    state: str(r.state),
    sql: str(r.info),
    trx_executed_time: str(r.trx_time),
  };
}

export class MysqlBackend {
  /**
   * Thread ids of das-local's own open connections, per server (ids are per server): never listed,
   * never killed. An id is forgotten when its connection closes, since a restarted server hands the
   * same ids to other sessions; so the set holds at most the connections open right now.
   */
  readonly #own = new Map<string, Map<number, { user: string; stream: unknown }>>();
  readonly #pools = new Map<string, { pool: Pool; fingerprint: string }>();

  /** The thread ids of das-local's own open connections to this server. */
  ownThreadIds(address: InstanceAddress): number[] {
    return [...(this.#own.get(serverKey(address))?.keys() ?? [])];
  }

  /** Remembers a connection of ours until its socket closes (quit, pool idle timeout, kill, server restart). */
  #remember(address: InstanceAddress, user: string, conn: { threadId: number; stream?: { once(event: 'close', fn: () => void): unknown } }): void {
    const key = serverKey(address);
    let ids = this.#own.get(key);
    if (!ids) this.#own.set(key, (ids = new Map()));
    const threadId = conn.threadId;
    const stream = conn.stream;
    if (ids.get(threadId)?.stream === stream) return;
    ids.set(threadId, { user, stream });
    stream?.once('close', () => {
      const current = this.#own.get(key);
      // Only if the id is still this connection's (a newer one may have been given the same id since).
      if (current?.get(threadId)?.stream !== stream) return;
      current.delete(threadId);
      if (current.size === 0) this.#own.delete(key);
    });
  }

  /** Connects with these credentials once; throws CredentialsRejected on access denied. */
  async checkCredentials(login: DbLogin): Promise<void> {
    let conn: mysql.Connection | undefined;
    try {
      conn = await mysql.createConnection({ ...this.#options(login) });
      conn.on('error', () => {});
      this.#remember(login, login.user, streamOf(conn));
      await conn.query('SELECT 1');
    } catch (err) {
      if (isAccessDenied(err)) throw new CredentialsRejected('access denied');
      throw err;
    } finally {
      await conn?.end().catch(() => {});
    }
  }

  #options(login: DbLogin) {
    return {
      host: login.host,
      port: login.port,
      user: login.user,
      password: login.password,
      connectTimeout: CONNECT_TIMEOUT_MS,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
    };
  }

  #pool(key: string, login: DbLogin): Pool {
    const fingerprint = `${login.host}:${login.port}:${login.user}:${login.password}`;
    const existing = this.#pools.get(key);
    if (existing && existing.fingerprint === fingerprint) return existing.pool;
    if (existing) void existing.pool.end().catch(() => {});
    const pool = mysql.createPool({ ...this.#options(login), connectionLimit: 2, maxIdle: 2, idleTimeout: 60_000 });
    pool.pool.on('connection', (conn) => {
      this.#remember(login, login.user, streamOf(conn));
      conn.on('error', () => {});
    });
    this.#pools.set(key, { pool, fingerprint });
    return pool;
  }

  /** Drops the pool of a db user (after update or delete). */
  async forget(key: string): Promise<void> {
    const existing = this.#pools.get(key);
    this.#pools.delete(key);
    await existing?.pool.end().catch(() => {});
  }

  async #withConnection<T>(key: string, login: DbLogin, fn: (conn: PoolConnection, address: InstanceAddress) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let conn: PoolConnection | undefined;
      try {
        conn = await this.#pool(key, login).getConnection();
        this.#remember(login, login.user, streamOf(conn));
        const result = await fn(conn, login);
        conn.release();
        return result;
      } catch (err) {
        // A pooled connection may have been killed since its last use: drop it and retry once.
        if (conn) {
          if (isConnectionLost(err)) conn.destroy();
          else conn.release();
        }
        if (attempt === 0 && isConnectionLost(err)) continue;
        if (isAccessDenied(err)) throw new CredentialsRejected('access denied');
        throw err;
      }
    }
  }

  /** Sessions visible to the db user that match every given filter (AND), own connections excluded, by id. */
  async listProcesses(key: string, login: DbLogin, filter: ProcessFilter): Promise<ProcessRow[]> {
    return this.#withConnection(key, login, async (conn, address) => (await this.#select(conn, address, filter)).rows);
  }

  /**
   * One page of listProcesses and the number of all matches. MariaDB pages (LIMIT/OFFSET by id, the
   * count from a window over the same filter), so a 100-row page of a 100,000-thread instance brings
   * 100 rows into das-local, not all of them.
   */
  async listProcessesPage(key: string, login: DbLogin, filter: ProcessFilter, page: ProcessPage): Promise<{ rows: ProcessRow[]; count: number }> {
    return this.#withConnection(key, login, (conn, address) => this.#select(conn, address, filter, page));
  }

  /** The WHERE condition of a listing or kill (every filter, das-local's own connections left out); undefined when nothing can match. */
  #where(address: InstanceAddress, filter: ProcessFilter): { cond: string; params: unknown[] } | undefined {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.user !== undefined) {
      where.push('p.USER = ?');
      params.push(filter.user);
    }
    if (filter.database !== undefined) {
      where.push('p.DB = ?');
      params.push(filter.database);
    }
    if (filter.processIds !== undefined) {
      if (filter.processIds.length === 0) return undefined;
      where.push(`p.ID IN (${filter.processIds.map(() => '?').join(', ')})`);
      params.push(...filter.processIds);
    }
    // An id counts as ours only with the user it was opened as: a session of another user is never hidden.
    const own = [...(this.#own.get(serverKey(address)) ?? [])];
    if (own.length > 0) {
      where.push(`(p.ID, p.USER) NOT IN (${own.map(() => '(?, ?)').join(', ')})`);
      for (const [id, { user }] of own) params.push(id, user);
    }
    where.push('p.ID <> CONNECTION_ID()');
    return { cond: where.join(' AND '), params };
  }

  async #select(conn: PoolConnection, address: InstanceAddress, filter: ProcessFilter, page?: ProcessPage): Promise<{ rows: ProcessRow[]; count: number }> {
    const where = this.#where(address, filter);
    if (!where) return { rows: [], count: 0 };
    const { cond, params } = where;
    const fields = 'p.ID AS id, p.USER AS user, p.HOST AS host, p.DB AS db, p.COMMAND AS command, p.TIME AS time, p.STATE AS state, p.INFO AS info';
    let rows: RowDataPacket[];
    if (page) {
      // One pass over PROCESSLIST cuts the page and counts every match (FOUND_ROWS): a window count over
      // rows that hold INFO costs MariaDB a second, on-disk temporary table, twice the time per page.
      // Only the page's rows are then looked up in INNODB_TRX.
      [rows] = await conn.query<RowDataPacket[]>(`SELECT SQL_CALC_FOUND_ROWS ${fields} FROM information_schema.PROCESSLIST p WHERE ${cond} ORDER BY p.ID LIMIT ? OFFSET ?`, [
        ...params,
        page.limit,
        page.offset,
      ]);
      const [counted] = await conn.query<RowDataPacket[]>('SELECT FOUND_ROWS() AS total');
      const trxSeconds = await this.#trxSeconds(conn, rows.map((r) => Number(r.id)));
      return { rows: rows.map((r) => toProcessRow({ ...r, trx_time: trxSeconds.get(Number(r.id)) ?? 0 } as RowDataPacket)), count: Number(counted[0]!.total) };
    }
    try {
      [rows] = await conn.query<RowDataPacket[]>(
        `SELECT ${fields}, IFNULL(TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), 0) AS trx_time
         FROM information_schema.PROCESSLIST p
         LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID
         WHERE ${cond} ORDER BY p.ID`,
        params,
      );
    } catch (err) {
      // MySQL 8 requires PROCESS for INNODB_TRX; without it, list without transaction times.
      if (errno(err) !== ER_SPECIFIC_ACCESS_DENIED_ERROR) throw err;
      [rows] = await conn.query<RowDataPacket[]>(`SELECT ${fields}, 0 AS trx_time FROM information_schema.PROCESSLIST p WHERE ${cond} ORDER BY p.ID`, params);
    }
    return { rows: rows.map(toProcessRow), count: rows.length };
  }

  /** How long each of these threads' open transaction has run, in seconds (none: not in the map). */
  async #trxSeconds(conn: PoolConnection, ids: number[]): Promise<Map<number, number>> {
    if (ids.length === 0) return new Map();
    try {
      const [trx] = await conn.query<RowDataPacket[]>(
        `SELECT trx_mysql_thread_id AS id, IFNULL(TIMESTAMPDIFF(SECOND, trx_started, NOW()), 0) AS seconds FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id IN (${ids.map(() => '?').join(', ')})`,
        ids,
      );
      return new Map(trx.map((t) => [Number(t.id), Number(t.seconds)]));
    } catch (err) {
      // MySQL 8 requires PROCESS for INNODB_TRX; without it, list without transaction times.
      if (errno(err) !== ER_SPECIFIC_ACCESS_DENIED_ERROR) throw err;
      return new Map();
    }
  }

  /**
   * KILL CONNECTION for every visible session matching all filters. Ids that are gone are ignored.
   * Returns the ids killed and the ids the db user was not allowed to kill.
   */
  async killProcesses(key: string, login: DbLogin, filter: ProcessFilter): Promise<{ killed: string[]; denied: string[] }> {
    return this.#withConnection(key, login, async (conn, address) => {
      const where = this.#where(address, filter);
      if (!where) return { killed: [], denied: [] };
      // Only the ids: the kill needs no transaction times (no INNODB_TRX join).
      const [targets] = await conn.query<RowDataPacket[]>(`SELECT p.ID AS id FROM information_schema.PROCESSLIST p WHERE ${where.cond} ORDER BY p.ID`, where.params);
      const killed: string[] = [];
      const denied: string[] = [];
      for (const t of targets) {
        const id = str(t.id);
        try {
          await conn.query(`KILL CONNECTION ${Number(id)}`);
          killed.push(id);
        } catch (err) {
          const n = errno(err);
          if (n === ER_NO_SUCH_THREAD) continue;
          if (n === 1095 /* ER_KILL_DENIED_ERROR */ || n === ER_SPECIFIC_ACCESS_DENIED_ERROR) {
            denied.push(id);
            continue;
          }
          throw err;
        }
      }
      return { killed, denied };
    });
  }

  /** ListInnodbLocks (§2.3), instance-wide as far as the db user can see. */
  async innodbLocks(key: string, login: DbLogin, scope: InnodbTrxScope): Promise<InnodbLocksAnswer> {
    return this.#withConnection(key, login, async (conn) => innodbLocksAnswer(await readInnodbSnapshot(conn), this.#hidden(login, conn), scope));
  }

  /** ListMetadataLocks (§3.2): granted locks from METADATA_LOCK_INFO, waits from PROCESSLIST. */
  async metadataLocks(key: string, login: DbLogin, filter: MetadataLockFilter): Promise<MetadataLocksAnswer> {
    return this.#withConnection(key, login, async (conn) => metadataLocksAnswer(await readMetadataLockRows(conn), this.#hidden(login, conn), filter));
  }

  /** das-local's own connections, as thread-id strings: never shown in a lock answer. */
  #hidden(address: InstanceAddress, conn: PoolConnection): Set<string> {
    return new Set([...this.ownThreadIds(address), conn.threadId].map(String));
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.pool.end().catch(() => {})));
  }
}
