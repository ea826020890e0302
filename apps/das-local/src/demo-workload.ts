// A small, realistic incident on a real MySQL/MariaDB: sessions under a couple of users and databases
// that are idle, busy, in a two-level row-lock chain, idle inside a transaction, and stuck behind a
// metadata lock (an idle reader's transaction blocks an ALTER TABLE, which blocks later SELECTs).
import { randomBytes, randomInt } from 'node:crypto';
import mysql from 'mysql2/promise';

export interface DemoWorkloadOptions {
  host: string;
  port: number;
  /** An account allowed to create users and databases (used for setup and to end the sessions). */
  adminUser: string;
  adminPassword?: string;
  /** Reach the admin account through this Unix socket instead of host:port. */
  socketPath?: string;
  /** Where the demo sessions connect (default host:port), e.g. das-local's SQL limit proxy so that throttles bite on them; setup and clean-up stay on host:port. */
  sessions?: { host: string; port: number };
  /** Prefix of every demo user and database (default `demo_`). */
  prefix?: string;
}

export interface DemoWorkload {
  users: string[];
  databases: string[];
  /** Thread ids of the demo sessions as opened (killed ones are not removed). */
  sessionIds: number[];
  /** Ends the demo sessions (keeps the users and databases: see dropDemoObjects). */
  stop(): Promise<void>;
}

const ER_LOCK_WAIT_TIMEOUT = 1205;
const isLockWaitTimeout = (err: unknown) => typeof err === 'object' && err !== null && 'errno' in err && err.errno === ER_LOCK_WAIT_TIMEOUT;
/** The demo's ALTER: harmless if it ever runs (a comment), and on a table of the demo's own. */
const DEMO_ALTER = "ALTER TABLE products COMMENT = 'product catalog' /* schema migration */";

/**
 * Hosts of each demo account. A freshly installed server has anonymous ''@localhost accounts, which
 * match a loopback login before user@'%' does: the same account @localhost and @127.0.0.1 wins over
 * them. The user's own accounts are left as they are.
 */
const DEMO_HOSTS = ['%', 'localhost', '127.0.0.1'] as const;

function names(prefix: string) {
  return {
    app: `${prefix}app`,
    report: `${prefix}report`,
    shop: `${prefix}shop`,
    analytics: `${prefix}analytics`,
  };
}

function adminConnection(opts: DemoWorkloadOptions) {
  return mysql.createConnection({
    user: opts.adminUser,
    ...(opts.adminPassword ? { password: opts.adminPassword } : {}),
    ...(opts.socketPath ? { socketPath: opts.socketPath } : { host: opts.host, port: opts.port }),
  });
}

const ident = (name: string) => `\`${name.replace(/`/g, '``')}\``;

export async function startDemoWorkload(opts: DemoWorkloadOptions): Promise<DemoWorkload> {
  const prefix = opts.prefix ?? 'demo_';
  if (!/^[A-Za-z0-9_]{1,20}$/.test(prefix)) throw new RangeError('prefix must be 1..20 letters, digits or underscores');
  const n = names(prefix);
  const passwords = { app: randomBytes(12).toString('hex'), report: randomBytes(12).toString('hex') };

  const admin = await adminConnection(opts);
  let stopped = false;
  const conns: mysql.Connection[] = [];
  let alter: mysql.Connection | undefined;
  /** Ends demo sessions server-side (busy ones outlive a closed socket), the ALTER first so that it never runs. */
  const endSessions = async () => {
    const ids = [...(alter ? [alter.threadId] : []), ...conns.map((c) => c.threadId)];
    const a = await adminConnection(opts).catch(() => undefined);
    if (a) {
      try {
        // Already gone (ER_NO_SUCH_THREAD) or not killable: nothing more to do for that one.
        for (const id of new Set(ids)) await a.query(`KILL CONNECTION ${Number(id)}`).catch(() => undefined);
      } finally {
        await a.end().catch(() => undefined);
      }
    }
    for (const c of conns) c.destroy();
  };
  try {
    // A demo of the same prefix already running holds locks on these tables: fail within seconds, not hang.
    await admin.query('SET SESSION lock_wait_timeout = 10');
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${ident(n.shop)}`);
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${ident(n.analytics)}`);
    await admin.query(`CREATE TABLE IF NOT EXISTS ${ident(n.shop)}.orders (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL, amount DECIMAL(10,2) NOT NULL) ENGINE=InnoDB`);
    // Seed rows only into an empty table: a consistent read takes no lock, so a demo already running never blocks this one.
    const [[seeded]] = (await admin.query(`SELECT COUNT(*) AS n FROM ${ident(n.shop)}.orders`)) as unknown as [[{ n: number }]];
    if (Number(seeded.n) === 0) await admin.query(`INSERT INTO ${ident(n.shop)}.orders VALUES (1, 'new', 19.90), (2, 'paid', 5.00), (3, 'shipped', 42.00)`);
    await admin.query(`CREATE TABLE IF NOT EXISTS ${ident(n.shop)}.products (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL) ENGINE=InnoDB`);
    await admin.query(`INSERT IGNORE INTO ${ident(n.shop)}.products VALUES (1, 'kettle'), (2, 'teapot')`);
    await admin.query(`CREATE TABLE IF NOT EXISTS ${ident(n.analytics)}.events (id INT PRIMARY KEY, kind VARCHAR(20) NOT NULL) ENGINE=InnoDB`);
    await admin.query(`INSERT IGNORE INTO ${ident(n.analytics)}.events VALUES (1, 'view'), (2, 'click'), (3, 'buy')`);
    for (const [user, password] of [[n.app, passwords.app], [n.report, passwords.report]] as const) {
      for (const host of DEMO_HOSTS) {
        await admin.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, host, password]);
        await admin.query('ALTER USER ?@? IDENTIFIED BY ?', [user, host, password]);
        for (const db of [n.shop, n.analytics]) await admin.query(`GRANT ALL ON ${ident(db)}.* TO ?@?`, [user, host]);
      }
    }

    const open = async (user: 'app' | 'report', database: string) => {
      const conn = await mysql.createConnection({ host: opts.sessions?.host ?? opts.host, port: opts.sessions?.port ?? opts.port, user: n[user], password: passwords[user], database });
      conn.on('error', () => {}); // killed sessions must not take the process down
      conns.push(conn);
      // Waits last an hour, not the server's default (50 s for rows, a day for metadata locks).
      await conn.query('SET SESSION innodb_lock_wait_timeout = 3600, lock_wait_timeout = 3600');
      return conn;
    };
    /** Runs `sql` again each time it ends normally, until stopped or the session dies. */
    const forever = (conn: mysql.Connection, sql: string, again: (err: unknown) => boolean = () => false) => {
      const loop = (): void => {
        if (stopped) return;
        conn.query(sql).then(loop, (err: unknown) => {
          if (!stopped && again(err)) loop();
        });
      };
      loop();
    };
    /** Sends a statement that waits for a lock; re-sent only if the wait times out, kept if it gets the lock. */
    const waitForLock = (conn: mysql.Connection, sql: string) => {
      void conn.query(sql).catch((err: unknown) => {
        if (!stopped && isLockWaitTimeout(err)) forever(conn, sql, isLockWaitTimeout);
      });
    };
    /** Polls (as the admin) until the session's state says it waits: the next statement must queue behind it. */
    const untilWaiting = async (conn: mysql.Connection) => {
      for (let i = 0; i < 100; i++) {
        const [rows] = (await admin.query('SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = ?', [conn.threadId])) as unknown as [Array<{ STATE: string | null }>];
        if ((rows[0]?.STATE ?? '').startsWith('Waiting for')) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    // idle sessions of the application
    await open('app', n.shop);
    await open('app', n.shop);
    // a long query, re-issued whenever it finishes (it reads a table, so a throttle can match it)
    forever(await open('app', n.shop), 'SELECT SLEEP(600) FROM orders LIMIT 1 /* checkout batch */');
    // A two-level row-lock chain: A holds a row and is idle; B holds another row and waits for A's; C waits for B's.
    // (Rows of this run's own, so that two demos on one server never wait on each other.)
    const rowA = 1000 + randomInt(1_000_000_000);
    const rowB = rowA + 1;
    const holder = await open('app', n.shop);
    await holder.query('START TRANSACTION');
    await holder.query(`INSERT INTO orders VALUES (?, 'locked', 0)`, [rowA]);
    const middle = await open('report', n.shop);
    await middle.query('START TRANSACTION');
    await middle.query(`INSERT INTO orders VALUES (?, 'pending', 0)`, [rowB]);
    waitForLock(middle, `SELECT * FROM orders WHERE id = ${rowA} FOR UPDATE`);
    const tail = await open('app', n.shop);
    await tail.query('START TRANSACTION');
    waitForLock(tail, `UPDATE orders SET status = 'paid' WHERE id = ${rowB}`);
    // a reporting session idle inside an open transaction
    const idleInTrx = await open('report', n.analytics);
    await idleInTrx.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    await idleInTrx.query('SELECT COUNT(*) FROM events');
    // a slow analytics query
    forever(await open('report', n.analytics), 'SELECT SLEEP(900) FROM events LIMIT 1 /* nightly report */');
    // A metadata-lock pile-up: a report read the catalog and left its transaction open; a migration's ALTER
    // waits for that transaction; two later reads of the catalog queue behind the ALTER.
    const reader = await open('report', n.shop);
    await reader.query('START TRANSACTION');
    await reader.query('SELECT COUNT(*) FROM products');
    alter = await open('app', n.shop);
    void alter.query(DEMO_ALTER).catch(() => undefined);
    await untilWaiting(alter);
    for (let i = 0; i < 2; i++) void (await open('app', n.shop)).query('SELECT id, name FROM products /* catalog page */').catch(() => undefined);
  } catch (err) {
    stopped = true;
    await endSessions();
    throw err;
  } finally {
    await admin.end().catch(() => undefined);
  }

  const sessionIds = conns.map((c) => c.threadId);
  return {
    users: [n.app, n.report],
    databases: [n.shop, n.analytics],
    sessionIds,
    async stop() {
      if (stopped) return;
      stopped = true;
      await endSessions();
    },
  };
}

/** Drops the demo users and databases created by startDemoWorkload with this prefix. */
export async function dropDemoObjects(opts: DemoWorkloadOptions): Promise<void> {
  const n = names(opts.prefix ?? 'demo_');
  const admin = await adminConnection(opts);
  try {
    for (const user of [n.app, n.report]) for (const host of DEMO_HOSTS) await admin.query('DROP USER IF EXISTS ?@?', [user, host]);
    for (const db of [n.shop, n.analytics]) await admin.query(`DROP DATABASE IF EXISTS ${ident(db)}`);
  } finally {
    await admin.end();
  }
}
