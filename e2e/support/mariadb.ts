// Real MariaDB sessions owned by one test: its own accounts and database, created and dropped by it.
import { randomBytes } from 'node:crypto';
import mysql, { type Connection } from 'mysql2/promise';
import { adminConnection, resolveMysqlTarget, type MysqlTarget } from '../../scripts/lib/mysql-admin.ts';

export interface Sandbox {
  prefix: string;
  database: string;
  /** Opens `count` idle sessions as `user` (created on first use); returns their thread ids. */
  open(user: string, count: number, opts?: { sql?: string }): Promise<number[]>;
  /** Creates an account of this test (dropped at the end) and returns its password. */
  createAccount(user: string, opts?: { process?: boolean }): Promise<string>;
  /** Thread ids (among `ids`) still present in the server's process list. */
  alive(ids: number[]): Promise<number[]>;
  /**
   * Thread ids on the server right now, except those of `excludeUsers` (e.g. DAS's own pool, which
   * comes and goes) and those of other test suites' throwaway accounts (q?_…), which their own tests
   * open and kill while this one runs.
   */
  sessionIds(excludeUsers?: string[]): Promise<number[]>;
  dispose(): Promise<void>;
}

export async function createSandbox(label: string): Promise<Sandbox> {
  const target: MysqlTarget = await resolveMysqlTarget();
  const admin = await adminConnection(target);
  const prefix = `qe_${label}_${randomBytes(3).toString('hex')}`.slice(0, 24);
  const database = `${prefix}_db`;
  const password = randomBytes(12).toString('hex');
  const users = new Set<string>();
  const connections: Connection[] = [];
  await admin.query(`CREATE DATABASE \`${database}\``);

  const ensureUser = async (user: string) => {
    if (users.has(user)) return;
    for (const host of ['localhost', '127.0.0.1']) {
      await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, host, password]);
      await admin.query(`GRANT ALL ON \`${database}\`.* TO ?@?`, [user, host]);
    }
    users.add(user);
  };

  async function alive(ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const [rows] = await admin.query('SELECT ID FROM information_schema.PROCESSLIST WHERE ID IN (?)', [ids]);
    return (rows as Array<{ ID: number }>).map((r) => Number(r.ID)).sort((a, b) => a - b);
  }

  return {
    prefix,
    database,
    async createAccount(user, opts) {
      await ensureUser(user);
      if (opts?.process) for (const host of ['localhost', '127.0.0.1']) await admin.query('GRANT PROCESS ON *.* TO ?@?', [user, host]);
      return password;
    },
    async open(user, count, opts) {
      await ensureUser(user);
      const ids: number[] = [];
      for (let i = 0; i < count; i += 1) {
        const conn = await mysql.createConnection({ host: target.host, port: target.port, user, password, database });
        conn.on('error', () => {}); // killed sessions emit a fatal error: expected here
        connections.push(conn);
        ids.push(conn.threadId!);
        if (opts?.sql) void conn.query(opts.sql).catch(() => {});
      }
      return ids;
    },
    alive,
    async sessionIds(excludeUsers = []) {
      const [rows] = await admin.query(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE USER NOT IN (?) AND (USER NOT REGEXP '^q[a-z]_' OR USER LIKE ?)",
        [['', ...excludeUsers], `${prefix}%`],
      );
      return (rows as Array<{ ID: number }>).map((r) => Number(r.ID));
    },
    async dispose() {
      // Ours, so we may end them server-side: a client-side close would wait for a running SLEEP.
      for (const id of await alive(connections.map((c) => c.threadId!))) await admin.query(`KILL CONNECTION ${Number(id)}`).catch(() => undefined);
      for (const c of connections) c.destroy();
      for (const user of users) for (const host of ['localhost', '127.0.0.1']) await admin.query('DROP USER IF EXISTS ?@?', [user, host]);
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.end();
    },
  };
}

/** Waits until `check` returns true (KILL takes a moment to clear the process list). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
