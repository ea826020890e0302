// A small, realistic incident on a real MySQL/MariaDB: sessions under a couple of users and databases
// that are idle, busy, holding row locks, waiting on them, and idle inside a transaction.
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
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${ident(n.shop)}`);
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${ident(n.analytics)}`);
    await admin.query(`CREATE TABLE IF NOT EXISTS ${ident(n.shop)}.orders (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL, amount DECIMAL(10,2) NOT NULL) ENGINE=InnoDB`);
    // Seed rows only into an empty table: a consistent read takes no lock, so a demo already running never blocks this one.
    const [[seeded]] = (await admin.query(`SELECT COUNT(*) AS n FROM ${ident(n.shop)}.orders`)) as unknown as [[{ n: number }]];
    if (Number(seeded.n) === 0) await admin.query(`INSERT INTO ${ident(n.shop)}.orders VALUES (1, 'new', 19.90), (2, 'paid', 5.00), (3, 'shipped', 42.00)`);
    await admin.query(`CREATE TABLE IF NOT EXISTS ${ident(n.analytics)}.events (id INT PRIMARY KEY, kind VARCHAR(20) NOT NULL) ENGINE=InnoDB`);
    await admin.query(`INSERT IGNORE INTO ${ident(n.analytics)}.events VALUES (1, 'view'), (2, 'click'), (3, 'buy')`);
    for (const [user, password] of [[n.app, passwords.app], [n.report, passwords.report]] as const) {
      for (const host of DEMO_HOSTS) {
        await admin.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, host, password]);
        await admin.query('ALTER USER ?@? IDENTIFIED BY ?', [user, host, password]);
        for (const db of [n.shop, n.analytics]) await admin.query(`GRANT ALL ON ${ident(db)}.* TO ?@?`, [user, host]);
      }
    }
  } finally {
    await admin.end();
  }

  let stopped = false;
  const conns: mysql.Connection[] = [];
  const open = async (user: 'app' | 'report', database: string) => {
    const conn = await mysql.createConnection({ host: opts.host, port: opts.port, user: n[user], password: passwords[user], database });
    conn.on('error', () => {}); // killed sessions must not take the process down
    conns.push(conn);
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

  try {
    // idle sessions of the application
    await open('app', n.shop);
    await open('app', n.shop);
    // a long query, re-issued whenever it finishes
    forever(await open('app', n.shop), 'SELECT SLEEP(600) /* checkout batch */');
    // a transaction holding a row lock, then idle
    // (a row of this run's own, so that two demos on one server never wait on each other)
    const lockedRow = 1000 + randomInt(1_000_000_000);
    const holder = await open('app', n.shop);
    await holder.query('START TRANSACTION');
    await holder.query(`INSERT INTO orders VALUES (?, 'locked', 0)`, [lockedRow]);
    // a report waiting on that lock (retries on lock-wait timeout; keeps the lock if it gets it)
    const waiter = await open('report', n.shop);
    await waiter.query('SET SESSION innodb_lock_wait_timeout = 3600');
    await waiter.query('START TRANSACTION');
    const waitForLock = `SELECT * FROM orders WHERE id = ${lockedRow} FOR UPDATE`;
    void waiter.query(waitForLock).catch((err: unknown) => {
      if (!stopped && typeof err === 'object' && err !== null && 'errno' in err && err.errno === ER_LOCK_WAIT_TIMEOUT) {
        forever(waiter, waitForLock, (e) => typeof e === 'object' && e !== null && 'errno' in e && e.errno === ER_LOCK_WAIT_TIMEOUT);
      }
    });
    // a reporting session idle inside an open transaction
    const idleInTrx = await open('report', n.analytics);
    await idleInTrx.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    await idleInTrx.query('SELECT COUNT(*) FROM events');
    // a slow analytics query
    forever(await open('report', n.analytics), 'SELECT SLEEP(900) /* nightly report */');
  } catch (err) {
    stopped = true;
    for (const c of conns) c.destroy();
    throw err;
  }

  const sessionIds = conns.map((c) => c.threadId);
  return {
    users: [n.app, n.report],
    databases: [n.shop, n.analytics],
    sessionIds,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Busy sessions would outlive a closed socket (SLEEP, lock waits): end them server-side. They are ours.
      const a = await adminConnection(opts).catch(() => undefined);
      if (a) {
        try {
          for (const id of sessionIds) {
            // Already gone (ER_NO_SUCH_THREAD) or not killable: nothing more to do for that one.
            await a.query(`KILL CONNECTION ${Number(id)}`).catch(() => undefined);
          }
        } finally {
          await a.end().catch(() => undefined);
        }
      }
      for (const c of conns) c.destroy();
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
