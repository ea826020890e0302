// Real MariaDB sessions owned by one benchmark: its own accounts and database (qb_<random>),
// created and dropped by it. Only sessions it opened are ever killed by its baselines.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/repo-root.ts';
import mysql, { type Connection } from 'mysql2/promise';
import { adminConnection, resolveMysqlTarget, type MysqlTarget } from '../../scripts/lib/mysql-admin.ts';

export interface BenchSandbox {
  prefix: string;
  database: string;
  password: string;
  target: MysqlTarget;
  admin: Connection;
  user(label: string): Promise<string>;
  /** Opens `count` idle sessions as `user` (`parallel` at a time); returns their thread ids. */
  open(user: string, count: number, parallel?: number): Promise<number[]>;
  /** One idle session as `user`, not kept by the sandbox: the caller destroys it (a killed connection holds ~0.5 MB). */
  openOne(user: string): Promise<Connection>;
  /** Thread ids among `ids` still in the process list. */
  alive(ids: number[]): Promise<number[]>;
  /** Closes (client side) the connections opened so far. */
  closeAll(): Promise<void>;
  dispose(): Promise<void>;
}

// maxPreparedStatements: mysql2 preallocates a 16,000-entry statement cache per connection, about
// 0.5 MB of heap; these sessions never prepare a statement, and 5,000 of them would hold 2.5 GB.
function sessionOptions(target: MysqlTarget, user: string, password: string, database: string) {
  return { host: target.host, port: target.port, user, password, database, connectTimeout: 10_000, maxPreparedStatements: 1 };
}

/** Where each live sandbox notes its database and accounts until it has dropped them. */
export const LEFTOVERS_DIR = join(REPO_ROOT, '.quell', 'bench-leftovers');

export async function createBenchSandbox(label: string): Promise<BenchSandbox> {
  const target = await resolveMysqlTarget();
  const admin = await adminConnection(target);
  const prefix = `qb_${label}_${randomBytes(3).toString('hex')}`.slice(0, 20);
  const database = `${prefix}_db`;
  const password = randomBytes(12).toString('hex');
  const users = new Set<string>();
  let connections: Connection[] = [];
  // For bench/run-all.ts: what to drop if this benchmark dies without running its finally blocks.
  mkdirSync(LEFTOVERS_DIR, { recursive: true });
  const leftover = join(LEFTOVERS_DIR, `${prefix}.json`);
  const remember = () => writeFileSync(leftover, JSON.stringify({ database, users: [...users] }));
  remember();
  await admin.query(`CREATE DATABASE \`${database}\``);

  const sandbox: BenchSandbox = {
    prefix,
    database,
    password,
    target,
    admin,
    async user(userLabel) {
      const user = `${prefix}_${userLabel}`.slice(0, 32);
      if (users.has(user)) return user;
      for (const host of ['localhost', '127.0.0.1']) {
        await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, host, password]);
        await admin.query(`GRANT ALL ON \`${database}\`.* TO ?@?`, [user, host]);
      }
      users.add(user);
      remember();
      return user;
    },
    async open(user, count, parallel = 25) {
      const ids: number[] = new Array(count);
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const i = next++;
          const conn = await mysql.createConnection(sessionOptions(target, user, password, database));
          conn.on('error', () => {}); // a killed idle session emits a fatal error: expected
          connections.push(conn);
          ids[i] = conn.threadId!;
        }
      };
      await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
      return ids;
    },
    async openOne(user) {
      const conn = await mysql.createConnection(sessionOptions(target, user, password, database));
      conn.on('error', () => {});
      return conn;
    },
    async alive(ids) {
      if (ids.length === 0) return [];
      const [rows] = await admin.query('SELECT ID FROM information_schema.PROCESSLIST WHERE ID IN (?)', [ids]);
      return (rows as Array<{ ID: number }>).map((r) => Number(r.ID));
    },
    async closeAll() {
      const closing = connections;
      connections = [];
      // destroy(): killed sessions cannot say goodbye, and live ones need not.
      for (const c of closing) c.destroy();
    },
    async dispose() {
      await sandbox.closeAll();
      // Our own leftovers only (e.g. after a failed round): sessions of our accounts.
      if (users.size > 0) {
        const [rows] = await admin.query('SELECT ID FROM information_schema.PROCESSLIST WHERE USER IN (?)', [[...users]]);
        for (const r of rows as Array<{ ID: number }>) await admin.query(`KILL CONNECTION ${Number(r.ID)}`).catch(() => {});
      }
      for (const user of users) for (const host of ['localhost', '127.0.0.1']) await admin.query('DROP USER IF EXISTS ?@?', [user, host]);
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.end();
      rmSync(leftover, { force: true });
    },
  };
  return sandbox;
}

/**
 * Raises MariaDB's max_connections for the duration of `body` and puts the previous value back
 * afterwards — also when `body` throws or the process is interrupted (SIGINT/SIGTERM/SIGHUP).
 */
export async function withMaxConnections<T>(target: MysqlTarget, wanted: number, body: () => Promise<T>): Promise<T> {
  const admin = await adminConnection(target);
  const [rows] = await admin.query('SELECT @@GLOBAL.max_connections AS v');
  const previous = Number((rows as Array<{ v: number }>)[0]!.v);
  let restored = false;
  let changed = false;
  const restore = async () => {
    if (restored || !changed) return;
    restored = true;
    await admin.query(`SET GLOBAL max_connections = ${previous}`);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    // Restore on a fresh connection (the admin one may be busy), then die by the same signal.
    void (async () => {
      try {
        if (!changed || restored) process.exit(130);
        const c = await adminConnection(target);
        await c.query(`SET GLOBAL max_connections = ${previous}`);
        restored = true;
        await c.end();
      } catch {
        /* nothing more we can do */
      }
      process.stderr.write(`max_connections restored to ${previous} after ${signal}\n`);
      process.exit(130);
    })();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  try {
    if (previous < wanted) {
      changed = true;
      await admin.query(`SET GLOBAL max_connections = ${Number(wanted)}`);
    }
    return await body();
  } finally {
    for (const s of signals) process.off(s, onSignal);
    try {
      await restore();
    } finally {
      await admin.end();
    }
  }
}
