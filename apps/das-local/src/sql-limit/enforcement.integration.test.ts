// SQL limit enforcement on MariaDB through das-local's proxy, driven by the real DasClient: the
// observable contract of DAS-INCIDENT-API.md §4.10 (1317/70100 at once over the limit, counters
// freed when statements end, exemptions, the switch, his_sql_limit_switch).
import { DasClient } from '@quell/das-client/client';
import type { SqlLimitRuleInput } from '@quell/das-client/sql-limit';
import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dropDemoObjects, startDemoWorkload } from '../demo-workload.ts';
import { createDasServer, type DasServer } from '../server.ts';
import { eventually } from '@quell/test-kit/eventually';
import { adminConnection, aliveIds, closeSessions, mysqlTarget, openSession, type DbSession as Session } from '@quell/test-kit/mariadb';
import { randomPrefix } from '@quell/test-kit/sandbox';
import { INSTANCE_ID, PROJECT_ID } from '../../test/official-signer.ts';
import { createTestAccounts, type TestAccounts } from '../../test/sandbox.ts';

const MYSQL = await mysqlTarget();

const credentials = { ak: 'AKSQLLIMITTEST0001', sk: 'sql-limit-secret-0123456789abcdefghij' };

let accounts: TestAccounts;
let das: DasServer;
let client: DasClient;
let proxy: { host: string; port: number };
/** Sessions through the proxy (the thread id a client sees is the server's) and straight to MariaDB. */
const opened: Session[] = [];
const direct: Session[] = [];

async function throughProxy(login: { user: string; password: string }, database: string): Promise<mysql.Connection> {
  const conn = await mysql.createConnection({ host: proxy.host, port: proxy.port, user: login.user, password: login.password, database });
  conn.on('error', () => {});
  opened.push({ conn, id: conn.threadId });
  return conn;
}

async function outcome(run: Promise<unknown>): Promise<{ ok: true; ms: number } | { ok: false; ms: number; errno?: number; sqlState?: string; message: string }> {
  const t0 = performance.now();
  try {
    await run;
    return { ok: true, ms: performance.now() - t0 };
  } catch (err) {
    const e = err as { errno?: number; sqlState?: string; message: string };
    return { ok: false, ms: performance.now() - t0, ...(e.errno === undefined ? {} : { errno: e.errno }), ...(e.sqlState === undefined ? {} : { sqlState: e.sqlState }), message: e.message };
  }
}

async function switchTo(status: 'ON' | 'OFF'): Promise<void> {
  const { jobId } = await client.changeSqlLimitSwitchStatus({ instanceId: INSTANCE_ID, status });
  const job = await eventually(
    () => client.showSqlLimitJobInfo({ instanceId: INSTANCE_ID, jobId }),
    (j) => j.status !== 'RUNNING',
  );
  expect(job.status).toBe('COMPLETED');
  expect(await client.showSqlLimitSwitchStatus({ instanceId: INSTANCE_ID })).toBe(status);
}

async function createRule(rule: SqlLimitRuleInput): Promise<string> {
  await client.createSqlLimitRules({ instanceId: INSTANCE_ID, rules: [rule] });
  const [newest] = await client.listSqlLimitRules({ instanceId: INSTANCE_ID });
  expect(newest).toMatchObject({ sqlType: rule.sqlType, pattern: rule.pattern, maxConcurrency: rule.maxConcurrency });
  return newest!.id;
}

async function deleteAllRules(): Promise<void> {
  const ids = (await client.listSqlLimitRules({ instanceId: INSTANCE_ID })).map((r) => r.id);
  if (ids.length > 0) await client.deleteSqlLimitRules({ instanceId: INSTANCE_ID, ruleIds: ids });
}

beforeAll(async () => {
  accounts = await createTestAccounts();
  das = createDasServer({
    projectId: PROJECT_ID,
    credentials: [credentials],
    instances: [{ instanceId: INSTANCE_ID, host: MYSQL.host, port: MYSQL.port, sqlLimit: { proxy: { port: 0 }, jobDelayMs: 50 } }],
    registryPath: ':memory:',
    registryKey: 'sql-limit-registry-key',
  });
  const { url } = await das.listen();
  proxy = das.sqlLimitProxy(INSTANCE_ID)!;
  client = new DasClient({ endpoint: url, projectId: PROJECT_ID, credentials: () => credentials, timeoutMs: 10_000 });
  // his_sql_limit_switch ends sessions as the registered db user.
  await client.registerDbUser(INSTANCE_ID, accounts.das.user, accounts.das.password);
});

afterEach(async () => {
  await deleteAllRules();
  // A proxied session destroyed mid-statement would run on server-side: closeSessions ends it.
  await closeSessions(opened.splice(0));
});

afterAll(async () => {
  await closeSessions(opened.splice(0));
  await closeSessions(direct);
  client?.close();
  await das?.close();
  await accounts?.drop();
});

describe('SQL limit enforcement through the proxy', () => {
  it('max_concurrency 1: of five matching statements one runs and four get 1317 at once; others run; the rule gone, all run', async () => {
    await switchTo('ON');
    const ruleId = await createRule({ sqlType: 'SELECT', pattern: 'select~sleep~from~t', maxConcurrency: 1 });
    const conns = await Promise.all(Array.from({ length: 5 }, () => throughProxy(accounts.app, accounts.db1)));
    const other = await throughProxy(accounts.app, accounts.db1);

    // All five at once: whichever arrives first runs.
    const runs = conns.map((c) => outcome(c.query('SELECT SLEEP(1.5) FROM t LIMIT 1')));
    await eventually(async () => das.sqlLimit(INSTANCE_ID)!.inflight(ruleId), (n) => n === 1);
    // Not matching (no "sleep"), and matching but exempt (reads no table): both run meanwhile.
    expect(await outcome(other.query('SELECT v FROM t WHERE id = 1'))).toMatchObject({ ok: true });
    expect(await outcome(other.query('SELECT SLEEP(0.1)'))).toMatchObject({ ok: true });
    const results = await Promise.all(runs);
    const ran = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(ran).toHaveLength(1);
    expect(ran[0]!.ms).toBeGreaterThan(1400);
    expect(refused).toHaveLength(4);
    for (const r of refused) {
      expect(r).toMatchObject({ ok: false, errno: 1317, sqlState: '70100', message: 'Query execution was interrupted' });
      expect(r.ms).toBeLessThan(300);
    }

    // The counter is free again once the statement has ended; refused connections stayed usable.
    expect(das.sqlLimit(INSTANCE_ID)!.inflight(ruleId)).toBe(0);
    expect(await outcome(conns[1]!.query('SELECT SLEEP(0) FROM t LIMIT 1'))).toMatchObject({ ok: true });

    // Two at once again: one refused. Then the rule is deleted and all five run together.
    const pair = await Promise.all([outcome(conns[2]!.query('SELECT SLEEP(0.5) FROM t LIMIT 1')), outcome(conns[3]!.query('SELECT SLEEP(0.5) FROM t LIMIT 1'))]);
    expect(pair.filter((r) => r.ok)).toHaveLength(1);
    await client.deleteSqlLimitRules({ instanceId: INSTANCE_ID, ruleIds: [ruleId] });
    const all = await Promise.all(conns.map((c) => outcome(c.query('SELECT SLEEP(0.2) FROM t LIMIT 1'))));
    expect(all.every((r) => r.ok)).toBe(true);
  });

  it('frees the counter after result sets of any size, on one connection after another', async () => {
    await switchTo('ON');
    const ruleId = await createRule({ sqlType: 'SELECT', pattern: 'select~from~t', maxConcurrency: 1 });
    const a = await throughProxy(accounts.app, accounts.db1);
    const b = await throughProxy(accounts.app, accounts.db1);
    const [[me]] = await a.query<mysql.RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
    expect(Number(me!.id)).toBe(a.threadId);
    for (let i = 0; i < 5; i++) {
      const [rows] = await a.query<mysql.RowDataPacket[]>('SELECT id, v FROM t ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual([1, 2]);
      const [none] = await b.query<mysql.RowDataPacket[]>('SELECT id FROM t WHERE id > 100');
      expect(none).toEqual([]);
      const [big] = await a.query<mysql.RowDataPacket[]>('SELECT REPEAT("x", 100000) AS x FROM t');
      expect(big).toHaveLength(2);
    }
    expect(das.sqlLimit(INSTANCE_ID)!.inflight(ruleId)).toBe(0);
    // A failing statement ends too.
    expect(await outcome(a.query('SELECT nope FROM t'))).toMatchObject({ ok: false, errno: 1054 });
    expect(das.sqlLimit(INSTANCE_ID)!.inflight(ruleId)).toBe(0);
  });

  it('throttles prepared statements at EXECUTE by their prepared text; max_concurrency 0 refuses every match', async () => {
    await switchTo('ON');
    await createRule({ sqlType: 'UPDATE', pattern: 'update~t~set', maxConcurrency: 0 });
    const conn = await throughProxy(accounts.app, accounts.db1);
    expect(await outcome(conn.execute('UPDATE t SET v = v + 1 WHERE id = ?', [1]))).toMatchObject({ ok: false, errno: 1317 });
    expect(await outcome(conn.query('update t set v = v + 1 where id = 1'))).toMatchObject({ ok: false, errno: 1317 });
    expect(await outcome(conn.execute('SELECT v FROM t WHERE id = ?', [1]))).toMatchObject({ ok: true });
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT v FROM t WHERE id = 1');
    expect(rows[0]!.v).toBe(0);
  });

  it('applies rules only while the switch is ON', async () => {
    await switchTo('ON');
    await createRule({ sqlType: 'SELECT', pattern: 'select~from~t', maxConcurrency: 0 });
    const conn = await throughProxy(accounts.app, accounts.db1);
    expect(await outcome(conn.query('SELECT id FROM t'))).toMatchObject({ ok: false, errno: 1317 });
    await switchTo('OFF');
    expect(await outcome(conn.query('SELECT id FROM t'))).toMatchObject({ ok: true });
    await switchTo('ON');
    expect(await outcome(conn.query('SELECT id FROM t'))).toMatchObject({ ok: false, errno: 1317 });
  });

  it('his_sql_limit_switch ends the sessions already running a matching statement, and only those', async () => {
    await switchTo('ON');
    const victim = await openSession(accounts.app, { database: accounts.db1 });
    const bystander = await openSession(accounts.other, { database: accounts.db1 });
    const idle = await openSession(accounts.app, { database: accounts.db1 });
    direct.push(victim, bystander, idle);
    const victimRun = outcome(victim.conn.query('SELECT SLEEP(30) FROM t LIMIT 1 /* nightly */'));
    const bystanderRun = outcome(bystander.conn.query('SELECT SLEEP(2) FROM t LIMIT 1 /* other */'));
    await eventually(
      async () => (await aliveIds([victim.id])).length,
      (n) => n === 1,
    );
    await new Promise((r) => setTimeout(r, 200));
    await createRule({ sqlType: 'SELECT', pattern: 'select~sleep~nightly', maxConcurrency: 5, hisSqlLimitSwitch: true });
    const ended = await victimRun;
    expect(ended.ok).toBe(false);
    expect(ended.ms).toBeLessThan(10_000);
    expect(await eventually(() => aliveIds([victim.id, bystander.id, idle.id]), (ids) => !ids.includes(victim.id))).toEqual([bystander.id, idle.id].sort((x, y) => x - y));
    expect(await bystanderRun).toMatchObject({ ok: true });
  });

  it('carries the demo workload (transactions, lock waits) and a rule ends its matching session', async () => {
    await switchTo('ON');
    const prefix = randomPrefix('demo');
    const opts = { host: proxy.host, port: proxy.port, adminUser: MYSQL.admin.user ?? 'root', ...(MYSQL.admin.password ? { adminPassword: MYSQL.admin.password } : {}), prefix };
    const workload = await startDemoWorkload(opts);
    try {
      const all = workload.sessionIds.length;
      expect(await eventually(() => aliveIds(workload.sessionIds), (ids) => ids.length === all)).toHaveLength(all);
      const [waiter] = await eventually(() => demoSessions(workload.users, 'FOR UPDATE'), (ids) => ids.length === 1);
      expect(workload.sessionIds).toContain(waiter);
      await createRule({ sqlType: 'SELECT', pattern: 'select~from~orders~for update', maxConcurrency: 0, hisSqlLimitSwitch: true });
      const left = await eventually(() => aliveIds(workload.sessionIds), (ids) => ids.length === all - 1);
      expect(left).toEqual(workload.sessionIds.filter((id) => id !== waiter).sort((x, y) => x - y));
    } finally {
      await workload.stop();
      await dropDemoObjects({ ...opts, host: MYSQL.host, port: MYSQL.port });
    }
  });
});

/** Thread ids of the given users' sessions whose running statement contains `text`. */
async function demoSessions(users: string[], text: string): Promise<number[]> {
  const admin = await adminConnection();
  try {
    const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT ID FROM information_schema.PROCESSLIST WHERE USER IN (?) AND INFO LIKE ?', [users, `%${text}%`]);
    return rows.map((r) => Number(r.ID));
  } finally {
    await admin.end();
  }
}
