import { afterAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import { dropDemoObjects, startDemoWorkload, type DemoWorkload } from './demo-workload.ts';
import { MYSQL, adminConnection, aliveIds, eventually, randomPrefix, startPrivateMariadb, type PrivateMariadb } from './test-support.ts';

describe('demo workload', () => {
  const prefix = randomPrefix();
  const opts = { host: MYSQL.host, port: MYSQL.port, adminUser: MYSQL.user, ...(MYSQL.password ? { adminPassword: MYSQL.password } : {}), prefix };
  let workload: DemoWorkload | undefined;
  afterAll(async () => {
    await workload?.stop();
    await dropDemoObjects(opts);
  });

  it('opens idle, busy, lock-holding, lock-waiting and idle-in-transaction sessions, survives kills, and stops', async () => {
    workload = await startDemoWorkload(opts);
    expect(workload.users).toEqual([`${prefix}app`, `${prefix}report`]);
    expect(workload.databases).toEqual([`${prefix}shop`, `${prefix}analytics`]);
    const ids = workload.sessionIds;
    expect(ids).toHaveLength(7);

    const admin = await adminConnection();
    try {
      const snapshot = async () => {
        const [rows] = await admin.query<mysql.RowDataPacket[]>(
          `SELECT p.ID, p.USER, p.DB, p.COMMAND, p.INFO, t.trx_state
           FROM information_schema.PROCESSLIST p LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID
           WHERE p.USER IN (?, ?) ORDER BY p.ID`,
          workload!.users,
        );
        return rows;
      };
      // INNODB_TRX is a cached view that can lag behind PROCESSLIST on a busy server: wait for the whole picture.
      const rows = await eventually(
        snapshot,
        (r) => r.some((x) => x.trx_state === 'LOCK WAIT') && r.filter((x) => /SLEEP/.test(String(x.INFO))).length === 2 && r.filter((x) => x.trx_state === 'RUNNING').length === 2,
      );
      expect(rows.map((r) => Number(r.ID))).toEqual([...ids].sort((a, b) => a - b));
      expect(rows.filter((r) => r.COMMAND === 'Sleep' && r.trx_state == null)).toHaveLength(2);
      expect(rows.filter((r) => /SLEEP/.test(String(r.INFO)))).toHaveLength(2);
      expect(rows.filter((r) => r.trx_state === 'LOCK WAIT')).toHaveLength(1);
      expect(rows.filter((r) => r.COMMAND === 'Sleep' && r.trx_state === 'RUNNING')).toHaveLength(2);
      expect(new Set(rows.map((r) => r.DB))).toEqual(new Set(workload.databases));

      // killing a busy session does not crash the workload, and it is not resurrected
      const busy = rows.find((r) => /SLEEP\(600\)/.test(String(r.INFO)))!;
      await admin.query(`KILL CONNECTION ${Number(busy.ID)}`);
      expect(await eventually(() => aliveIds([Number(busy.ID)]), (x) => x.length === 0)).toEqual([]);
      expect((await snapshot()).length).toBe(6);
    } finally {
      await admin.end();
    }

    await workload.stop();
    expect(await eventually(() => aliveIds(ids), (x) => x.length === 0)).toEqual([]);
  });
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
    expect(workload.sessionIds).toHaveLength(7);
    const check = await server.admin();
    try {
      const [rows] = await check.query<mysql.RowDataPacket[]>('SELECT USER AS user FROM information_schema.PROCESSLIST WHERE USER IN (?, ?)', workload.users);
      expect(rows).toHaveLength(7);
    } finally {
      await check.end();
    }
  }, 30_000);
});
