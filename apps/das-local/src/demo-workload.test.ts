import { afterAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import { eventually } from '@quell/test-kit/eventually';
import { adminConnection, aliveIds, mysqlTarget } from '@quell/test-kit/mariadb';
import { randomPrefix } from '@quell/test-kit/sandbox';
import { dropDemoObjects, startDemoWorkload, type DemoWorkload } from './demo-workload.ts';
import { startPrivateMariadb, type PrivateMariadb } from '@quell/test-kit/private-mariadb';
import { startSqlLimitProxy, type SqlLimitProxy } from './sql-limit/proxy.ts';
import { SqlLimitInstance } from './sql-limit/state.ts';

const MYSQL = await mysqlTarget();

describe('demo workload', () => {
  const prefix = randomPrefix('demo');
  const opts = { host: MYSQL.host, port: MYSQL.port, adminUser: MYSQL.admin.user ?? 'root', ...(MYSQL.admin.password ? { adminPassword: MYSQL.admin.password } : {}), prefix };
  let workload: DemoWorkload | undefined;
  afterAll(async () => {
    await workload?.stop();
    await dropDemoObjects(opts);
  });

  it('opens idle, busy, row-lock-chain, idle-in-transaction and metadata-lock-waiting sessions, survives kills, and stops', async () => {
    workload = await startDemoWorkload(opts);
    expect(workload.users).toEqual([`${prefix}app`, `${prefix}report`]);
    expect(workload.databases).toEqual([`${prefix}shop`, `${prefix}analytics`]);
    const ids = workload.sessionIds;
    expect(ids).toHaveLength(12);

    const admin = await adminConnection();
    try {
      const snapshot = async () => {
        // InnoDB refreshes its INNODB_* cache only when nobody read it for 0.1 s: read slower than that.
        await new Promise((r) => setTimeout(r, 200));
        const [rows] = await admin.query<mysql.RowDataPacket[]>(
          `SELECT p.ID, p.USER, p.DB, p.COMMAND, p.STATE, p.INFO, t.trx_state, t.trx_id
           FROM information_schema.PROCESSLIST p LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID
           WHERE p.USER IN (?, ?) ORDER BY p.ID`,
          workload!.users,
        );
        return rows;
      };
      const mdlWaits = (r: mysql.RowDataPacket[]) => r.filter((x) => x.STATE === 'Waiting for table metadata lock');
      // INNODB_TRX is a cached view that can lag behind PROCESSLIST on a busy server: wait for the whole picture.
      const rows = await eventually(
        snapshot,
        (r) =>
          r.filter((x) => x.trx_state === 'LOCK WAIT').length === 2 &&
          r.filter((x) => /SLEEP/.test(String(x.INFO))).length === 2 &&
          r.filter((x) => x.COMMAND === 'Sleep' && x.trx_state === 'RUNNING').length === 3 &&
          mdlWaits(r).length === 3,
        10_000,
      );
      expect(rows.map((r) => Number(r.ID))).toEqual([...ids].sort((a, b) => a - b));
      expect(rows.filter((r) => r.COMMAND === 'Sleep' && r.trx_state == null)).toHaveLength(2);
      // The busy statements read the demo's own tables: a throttle can match them (one that reads no table is exempt).
      expect(rows.filter((r) => /SLEEP/.test(String(r.INFO))).map((r) => String(r.INFO).replace(/\s*\/\*.*\*\//, '')).sort()).toEqual([
        'SELECT SLEEP(600) FROM orders LIMIT 1',
        'SELECT SLEEP(900) FROM events LIMIT 1',
      ]);
      expect(rows.filter((r) => r.COMMAND === 'Sleep' && r.trx_state === 'RUNNING')).toHaveLength(3);
      expect(new Set(rows.map((r) => r.DB))).toEqual(new Set(workload.databases));

      // The row-lock chain: A (idle) ← B ← C, each wait on a row the other one holds.
      const [waits] = await admin.query<mysql.RowDataPacket[]>('SELECT requesting_trx_id, blocking_trx_id FROM information_schema.INNODB_LOCK_WAITS');
      const trxOf = new Map(rows.filter((r) => r.trx_id != null).map((r) => [String(r.trx_id), r]));
      const chain = waits.filter((w) => trxOf.has(String(w.requesting_trx_id))).map((w): [mysql.RowDataPacket, mysql.RowDataPacket] => [trxOf.get(String(w.requesting_trx_id))!, trxOf.get(String(w.blocking_trx_id))!]);
      expect(chain).toHaveLength(2);
      const requesters = new Set(chain.map(([r]) => r.ID));
      const [b, a] = chain.find(([, blocker]) => !requesters.has(blocker.ID))!;
      const [c, b2] = chain.find(([r]) => r.ID !== b.ID)!;
      expect(b2.ID).toBe(b.ID);
      expect([a.COMMAND, a.trx_state]).toEqual(['Sleep', 'RUNNING']);
      expect(b.trx_state).toBe('LOCK WAIT');
      expect(c.trx_state).toBe('LOCK WAIT');

      // The metadata-lock pile-up: one ALTER and two SELECTs on the demo's own table, behind an idle reader.
      expect(mdlWaits(rows).map((r) => String(r.INFO).replace(/\s*\/\*.*\*\//, ''))).toEqual([
        "ALTER TABLE products COMMENT = 'product catalog'",
        'SELECT id, name FROM products',
        'SELECT id, name FROM products',
      ]);
      const [granted] = await admin.query<mysql.RowDataPacket[]>(
        "SELECT THREAD_ID FROM information_schema.METADATA_LOCK_INFO WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'products' AND LOCK_MODE = 'MDL_SHARED_READ'",
        [`${prefix}shop`],
      );
      const holder = rows.find((r) => Number(r.ID) === Number(granted[0]?.THREAD_ID));
      expect([holder?.USER, holder?.COMMAND, holder?.trx_state]).toEqual([`${prefix}report`, 'Sleep', 'RUNNING']);

      // killing a busy session does not crash the workload, and it is not resurrected
      const busy = rows.find((r) => /SLEEP\(600\)/.test(String(r.INFO)))!;
      await admin.query(`KILL CONNECTION ${Number(busy.ID)}`);
      expect(await eventually(() => aliveIds([Number(busy.ID)]), (x) => x.length === 0)).toEqual([]);
      expect((await snapshot()).length).toBe(11);
    } finally {
      await admin.end();
    }

    await workload.stop();
    expect(await eventually(() => aliveIds(ids), (x) => x.length === 0)).toEqual([]);
    // The ALTER was ended before the reader that blocked it: it never ran.
    const check = await adminConnection();
    try {
      const [tables] = await check.query<mysql.RowDataPacket[]>("SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'products'", [`${prefix}shop`]);
      expect(tables.map((t) => t.TABLE_COMMENT)).toEqual(['']);
    } finally {
      await check.end();
    }
  });
});

// `./quell start` sends the demo sessions through das-local's SQL limit proxy, so that a throttle bites on them.
describe('demo workload through the SQL limit proxy', () => {
  const prefix = randomPrefix('demo');
  const opts = { host: MYSQL.host, port: MYSQL.port, adminUser: MYSQL.admin.user ?? 'root', ...(MYSQL.admin.password ? { adminPassword: MYSQL.admin.password } : {}), prefix };
  let workload: DemoWorkload | undefined;
  let proxy: SqlLimitProxy | undefined;
  afterAll(async () => {
    await workload?.stop();
    await proxy?.close();
    await dropDemoObjects(opts);
  });

  it('opens every session through the proxy, and a throttle refuses the busy statements while the rest of the incident stands', async () => {
    const state = new SqlLimitInstance({ jobDelayMs: 0 });
    state.changeSwitch('ON');
    // What "Throttle similar…" suggests for the two busy statements, with nothing allowed to run.
    state.addRules([
      { sqlType: 'SELECT', pattern: 'SELECT~SLEEP~FROM~orders~LIMIT', maxConcurrency: 0, hisSqlLimitSwitch: false },
      { sqlType: 'SELECT', pattern: 'SELECT~SLEEP~FROM~events~LIMIT', maxConcurrency: 0, hisSqlLimitSwitch: false },
    ]);
    proxy = await startSqlLimitProxy({ upstream: { host: MYSQL.host, port: MYSQL.port }, state });
    workload = await startDemoWorkload({ ...opts, sessions: { host: proxy.host, port: proxy.port } });
    expect(workload.sessionIds).toHaveLength(12);
    expect(proxy.connections()).toBe(12);

    const admin = await adminConnection();
    try {
      const rows = await eventually(
        async () => {
          await new Promise((r) => setTimeout(r, 200));
          const [r] = await admin.query<mysql.RowDataPacket[]>(
            `SELECT p.ID, p.INFO, p.STATE, t.trx_state FROM information_schema.PROCESSLIST p LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID WHERE p.USER IN (?, ?)`,
            workload!.users,
          );
          return r;
        },
        (r) => r.filter((x) => x.trx_state === 'LOCK WAIT').length === 2 && r.filter((x) => x.STATE === 'Waiting for table metadata lock').length === 3,
        10_000,
      );
      expect(rows).toHaveLength(12);
      // refused by the proxy: they never reached MariaDB
      expect(rows.filter((r) => /SLEEP/.test(String(r.INFO)))).toEqual([]);
    } finally {
      await admin.end();
    }
  }, 30_000);
});

// A plain `mariadb-install-db` creates anonymous ''@localhost accounts; connecting over 127.0.0.1 then
// matches ''@localhost before demo_app@'%', and the demo logins were refused.
describe('demo workload on a freshly installed server (anonymous accounts present)', () => {
  let server: PrivateMariadb | undefined;
  let workload: DemoWorkload | undefined;
  afterAll(async () => {
    await workload?.stop();
    await server?.stop();
  });

  it('opens every demo session over TCP on loopback', async () => {
    server = await startPrivateMariadb({ freshDefaults: true });
    const admin = await server.admin();
    try {
      const [anonymous] = await admin.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM mysql.user WHERE User = '' AND Host = 'localhost'");
      expect(Number(anonymous[0]!.n)).toBe(1); // the shadowing account is really there
    } finally {
      await admin.end();
    }
    workload = await startDemoWorkload({ host: server.host, port: server.port, adminUser: 'root' });
    expect(workload.sessionIds).toHaveLength(12);
    const check = await server.admin();
    try {
      const [rows] = await check.query<mysql.RowDataPacket[]>('SELECT USER AS user FROM information_schema.PROCESSLIST WHERE USER IN (?, ?)', workload.users);
      expect(rows).toHaveLength(workload.sessionIds.length);
    } finally {
      await check.end();
    }
  }, 30_000);
});
