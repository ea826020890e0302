// A test's own MariaDB objects: databases and accounts named with a random prefix, created by the test
// and dropped by it, so that it can kill sessions without touching anyone else's. Used by the unit and
// integration tests, the browser tests and the benchmarks alike.
import { randomBytes } from 'node:crypto';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { adminConnection, aliveIds, dropAccounts, grantKillPrivilege, killSessionsOf, mysqlTarget, openSession, type DbSession, type Login, type MysqlTarget } from './mariadb.ts';

/**
 * Every throwaway account of every test starts `q<letter>_` (the sandboxes' `qt_…`, fixed test
 * accounts such as the browser tests' protected one): a test that counts "everyone else's" sessions
 * leaves these out, since other suites open and kill them meanwhile.
 */
export const THROWAWAY_USER_REGEXP = '^q[a-z]_';

/** `qt_<label>_<6 hex>_`: short enough that prefix + a word fits MySQL's 32-character user names. */
export function randomPrefix(label: string): string {
  if (!/^[a-z0-9]{1,8}$/.test(label)) throw new Error(`sandbox label must be 1-8 lowercase letters or digits: ${label}`);
  return `qt_${label}_${randomBytes(3).toString('hex')}_`;
}

export interface AccountGrants {
  /** ALL on every database of the sandbox (default true). */
  databases?: boolean;
  /** PROCESS: sees every session, may kill only its own. */
  process?: boolean;
  /** PROCESS plus the kill privilege (what a DAS account needs). */
  kill?: boolean;
  /** Default: a random password of its own. */
  password?: string;
}

export interface SessionOptions {
  database?: string | null;
  sql?: string;
}

export interface SandboxState {
  databases: string[];
  users: string[];
}

export interface Sandbox {
  prefix: string;
  target: MysqlTarget;
  /** The sandbox's own administrative connection (closed by drop()). */
  admin: Connection;
  /** `prefix + name` for each name asked for, in order. */
  databases: string[];
  /** The first of `databases`. */
  database: string;
  /** Creates the account `user` (once; later calls return the same login), reachable from any host. */
  account(user: string, grants?: AccountGrants): Promise<Login>;
  /** The accounts created so far. */
  users(): string[];
  /**
   * A session of `user` (created with the default grants on first use), kept until closeAll()/drop().
   * It uses `database` (default: the sandbox's first; null: none); `sql` is sent and left running.
   */
  open(user: string | Login, options?: SessionOptions): Promise<DbSession>;
  /** `count` sessions of `user`, `parallel` at a time; their thread ids in order. */
  openMany(user: string | Login, count: number, options?: SessionOptions & { parallel?: number }): Promise<number[]>;
  /** Which of these thread ids are still alive, ascending. */
  alive(ids: number[]): Promise<number[]>;
  /** Thread ids on the server now, except those of `excludeUsers` and other tests' throwaway accounts. */
  otherSessionIds(excludeUsers?: string[]): Promise<number[]>;
  /** Closes (client side) the sessions opened so far. */
  closeAll(): void;
  /** Ends the sessions of the sandbox's accounts, then drops its accounts and databases. */
  drop(): Promise<void>;
}

export interface SandboxOptions {
  /** A word in the prefix that tells whose objects these are (`bff`, `e2e`, `kill`…). */
  label: string;
  /** Database names after the prefix (default `['db']`). */
  databases?: string[];
  /** Called after every change, with what drop() would remove (for crash clean-up notes). */
  onChange?: (state: SandboxState) => void;
}

export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const target = await mysqlTarget();
  const admin = await adminConnection(target);
  const prefix = randomPrefix(options.label);
  const databases = (options.databases ?? ['db']).map((name) => `${prefix}${name}`);
  const logins = new Map<string, Login>();
  let sessions: DbSession[] = [];
  const changed = () => options.onChange?.({ databases, users: [...logins.keys()] });
  changed();
  for (const db of databases) await admin.query(`CREATE DATABASE \`${db}\``);

  const sandbox: Sandbox = {
    prefix,
    target,
    admin,
    databases,
    database: databases[0]!,
    async account(user, grants = {}) {
      const known = logins.get(user);
      if (known) return known;
      const login = { user, password: grants.password ?? randomBytes(12).toString('hex') };
      logins.set(user, login);
      changed();
      await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', login.password]);
      if (grants.databases ?? true) for (const db of databases) await admin.query(`GRANT ALL ON \`${db}\`.* TO ?@?`, [user, '%']);
      if (grants.kill) await grantKillPrivilege(admin, user, '%');
      else if (grants.process) await admin.query('GRANT PROCESS ON *.* TO ?@?', [user, '%']);
      return login;
    },
    users: () => [...logins.keys()],
    async open(user, opts = {}) {
      const login = typeof user === 'string' ? await sandbox.account(user) : user;
      const database = opts.database === undefined ? sandbox.database : opts.database;
      const session = await openSession(login, { target, ...(database ? { database } : {}), ...(opts.sql ? { sql: opts.sql } : {}) });
      sessions.push(session);
      return session;
    },
    async openMany(user, count, opts = {}) {
      const login = typeof user === 'string' ? await sandbox.account(user) : user;
      const ids: number[] = new Array(count);
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const i = next++;
          ids[i] = (await sandbox.open(login, opts)).id;
        }
      };
      await Promise.all(Array.from({ length: Math.min(opts.parallel ?? 1, count) }, worker));
      return ids;
    },
    alive: (ids) => aliveIds(ids, admin),
    async otherSessionIds(excludeUsers = []) {
      const [rows] = await admin.query<RowDataPacket[]>('SELECT ID FROM information_schema.PROCESSLIST WHERE USER NOT IN (?) AND (USER NOT REGEXP ? OR USER LIKE ?)', [
        ['', ...excludeUsers],
        THROWAWAY_USER_REGEXP,
        `${prefix}%`,
      ]);
      return rows.map((r) => Number(r.ID));
    },
    closeAll() {
      const closing = sessions;
      sessions = [];
      // destroy(): killed sessions cannot say goodbye, and live ones need not.
      for (const s of closing) s.conn.destroy();
    },
    async drop() {
      try {
        await killSessionsOf(admin, [...logins.keys()]);
        sandbox.closeAll();
        await dropAccounts(admin, [...logins.keys()]);
        for (const db of databases) await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
      } finally {
        await admin.end();
      }
    },
  };
  return sandbox;
}
