// The MariaDB/MySQL server Quell's tests, browser tests, benchmarks and embedded stack run on, and the
// few things every one of them does on it: an administrative connection, the kill privilege, a session
// of an account, and which thread ids are still alive.
//
// One setting: QUELL_MYSQL_URL (mysql://user:password@host:port, an administrative account). Without it:
// root without a password over TCP on 127.0.0.1:3306, then root over the local socket (a fresh Debian
// MariaDB lets root in only through the socket). Test sessions always use TCP on `host:port`.
import { existsSync } from 'node:fs';
import mysql, { type Connection, type ConnectionOptions, type RowDataPacket } from 'mysql2/promise';

const SOCKETS = ['/run/mysqld/mysqld.sock', '/var/run/mysqld/mysqld.sock', '/tmp/mysql.sock'];

export interface MysqlTarget {
  /** Where das-local and test sessions reach the server over TCP. */
  host: string;
  port: number;
  /** How to open an administrative connection. */
  admin: ConnectionOptions;
}

export interface Login {
  user: string;
  password: string;
}

/** A real session of one account; `id` is its thread id (what DAS lists and kills). */
export interface DbSession {
  conn: Connection;
  id: number;
}

/** Reads QUELL_MYSQL_URL (or the loopback defaults) and checks that an administrative login works. */
export async function resolveMysqlTarget(env: NodeJS.ProcessEnv = process.env): Promise<MysqlTarget> {
  if (env.QUELL_MYSQL_URL) {
    const url = new URL(env.QUELL_MYSQL_URL);
    const port = Number(url.port || 3306);
    const admin: ConnectionOptions = { host: url.hostname, port, user: decodeURIComponent(url.username || 'root'), password: decodeURIComponent(url.password) };
    await probe(admin);
    return { host: url.hostname, port, admin };
  }
  const tcp: ConnectionOptions = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
  const candidates: ConnectionOptions[] = [tcp, ...SOCKETS.filter((s) => existsSync(s)).map((socketPath) => ({ socketPath, user: 'root' }))];
  const errors: string[] = [];
  for (const admin of candidates) {
    try {
      await probe(admin);
      return { host: '127.0.0.1', port: 3306, admin };
    } catch (err) {
      errors.push(`${admin.socketPath ?? `${admin.host}:${admin.port}`}: ${(err as Error).message}`);
    }
  }
  throw new Error(`Cannot open an administrative MariaDB connection (set QUELL_MYSQL_URL=mysql://user:pass@host:port):\n  ${errors.join('\n  ')}`);
}

async function probe(options: ConnectionOptions): Promise<void> {
  const conn = await mysql.createConnection({ ...options, connectTimeout: 3000 });
  await conn.end();
}

let resolved: Promise<MysqlTarget> | undefined;
/** This process's target (resolved once, from process.env). */
export function mysqlTarget(): Promise<MysqlTarget> {
  resolved ??= resolveMysqlTarget();
  return resolved;
}

export async function adminConnection(target?: MysqlTarget): Promise<Connection> {
  return mysql.createConnection({ ...(target ?? (await mysqlTarget())).admin, multipleStatements: false });
}

/** Runs `fn` on a fresh administrative connection and closes it. */
export async function withAdmin<T>(fn: (admin: Connection) => Promise<T>): Promise<T> {
  const admin = await adminConnection();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/**
 * PROCESS (see every session) plus the right to kill other accounts' sessions, spelled as the server
 * knows it: CONNECTION ADMIN (MariaDB ≥ 10.5), CONNECTION_ADMIN (MySQL 8) or SUPER (older servers).
 */
export async function grantKillPrivilege(admin: Connection, user: string, host: string): Promise<void> {
  await admin.query('GRANT PROCESS ON *.* TO ?@?', [user, host]);
  for (const privilege of ['CONNECTION ADMIN', 'CONNECTION_ADMIN', 'SUPER']) {
    try {
      await admin.query(`GRANT ${privilege} ON *.* TO ?@?`, [user, host]);
      return;
    } catch {
      /* not this server's spelling: try the next */
    }
  }
  throw new Error(`could not grant a kill privilege to ${user}@${host}`);
}

/**
 * The long-lived account a stack's das-local signs in with (created, or given this password again),
 * reachable over TCP on loopback only, with the kill privilege.
 */
export async function ensureDasAccount(admin: Connection, user: string, password: string): Promise<void> {
  for (const host of ['localhost', '127.0.0.1']) {
    await admin.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, host, password]);
    await admin.query('ALTER USER ?@? IDENTIFIED BY ?', [user, host, password]);
    await grantKillPrivilege(admin, user, host);
  }
}

/** Drops these accounts (every host they exist on); ends their sessions first. */
export async function dropAccounts(admin: Connection, users: string[]): Promise<void> {
  if (users.length === 0) return;
  await killSessionsOf(admin, users);
  const [rows] = await admin.query<RowDataPacket[]>('SELECT User, Host FROM mysql.user WHERE User IN (?)', [users]);
  for (const r of rows) await admin.query('DROP USER IF EXISTS ?@?', [String(r.User), String(r.Host)]);
}

/** Ends every session of these accounts server-side (a client-side close would wait for a running SLEEP). */
export async function killSessionsOf(admin: Connection, users: string[]): Promise<void> {
  if (users.length === 0) return;
  const [rows] = await admin.query<RowDataPacket[]>('SELECT ID FROM information_schema.PROCESSLIST WHERE USER IN (?)', [users]);
  for (const r of rows) await admin.query(`KILL CONNECTION ${Number(r.ID)}`).catch(() => undefined);
}

/** A session of `login` over TCP (its error after being killed is expected and swallowed). */
export async function openSession(login: Login, options: { database?: string; sql?: string; target?: MysqlTarget } = {}): Promise<DbSession> {
  const target = options.target ?? (await mysqlTarget());
  const conn = await mysql.createConnection({
    host: target.host,
    port: target.port,
    user: login.user,
    password: login.password,
    connectTimeout: 10_000,
    ...(options.database ? { database: options.database } : {}),
  });
  conn.on('error', () => {});
  if (options.sql) void conn.query(options.sql).catch(() => {});
  return { conn, id: conn.threadId };
}

/** Which of these thread ids are still alive (present and not being killed), ascending. */
export async function aliveIds(ids: number[], admin?: Connection): Promise<number[]> {
  if (ids.length === 0) return [];
  const query = async (c: Connection) => {
    const [rows] = await c.query<RowDataPacket[]>("SELECT ID FROM information_schema.PROCESSLIST WHERE ID IN (?) AND COMMAND <> 'Killed' ORDER BY ID", [ids]);
    return rows.map((r) => Number(r.ID));
  };
  return admin ? query(admin) : withAdmin(query);
}

/** Closes these sessions; any still alive server-side (e.g. mid-SLEEP) are killed: they are the caller's. */
export async function closeSessions(sessions: DbSession[]): Promise<void> {
  for (const s of sessions) s.conn.destroy();
  const alive = await aliveIds(sessions.map((s) => s.id));
  if (alive.length === 0) return;
  await withAdmin(async (admin) => {
    for (const id of alive) await admin.query(`KILL CONNECTION ${id}`).catch(() => undefined);
  });
}
