// An administrative MariaDB/MySQL connection for Quell's own scripts (start, e2e, bench).
// QUELL_MYSQL_URL wins; otherwise root over TCP on loopback, then root over the local socket
// (a fresh Debian MariaDB lets root in only through the socket).
import mysql, { type Connection, type ConnectionOptions } from 'mysql2/promise';
import { existsSync } from 'node:fs';

const SOCKETS = ['/run/mysqld/mysqld.sock', '/var/run/mysqld/mysqld.sock', '/tmp/mysql.sock'];

export interface MysqlTarget {
  /** Where das-local should reach the server over TCP. */
  host: string;
  port: number;
  /** How to open an administrative connection. */
  admin: ConnectionOptions;
}

export async function resolveMysqlTarget(env: NodeJS.ProcessEnv = process.env): Promise<MysqlTarget> {
  if (env.QUELL_MYSQL_URL) {
    const url = new URL(env.QUELL_MYSQL_URL);
    const admin: ConnectionOptions = {
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username || 'root'),
      password: decodeURIComponent(url.password),
    };
    await probe(admin);
    return { host: url.hostname, port: Number(url.port || 3306), admin };
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

export async function adminConnection(target: MysqlTarget): Promise<Connection> {
  return mysql.createConnection({ ...target.admin, multipleStatements: false });
}

/**
 * Creates (or re-passwords) an account reachable over TCP on loopback with the privileges DAS needs
 * to see and kill other accounts' sessions: PROCESS plus CONNECTION ADMIN (MariaDB ≥10.5),
 * CONNECTION_ADMIN (MySQL 8), or SUPER (older servers).
 */
export async function ensureDasAccount(conn: Connection, user: string, password: string): Promise<void> {
  for (const host of ['localhost', '127.0.0.1']) {
    await conn.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, host, password]);
    await conn.query('ALTER USER ?@? IDENTIFIED BY ?', [user, host, password]);
    await conn.query('GRANT PROCESS ON *.* TO ?@?', [user, host]);
    let granted = false;
    for (const privilege of ['CONNECTION ADMIN', 'CONNECTION_ADMIN', 'SUPER']) {
      try {
        await conn.query(`GRANT ${privilege} ON *.* TO ?@?`, [user, host]);
        granted = true;
        break;
      } catch {
        /* not this server's spelling: try the next */
      }
    }
    if (!granted) throw new Error(`could not grant a kill privilege to ${user}@${host}`);
  }
}
