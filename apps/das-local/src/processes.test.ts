import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@quell/test-kit/eventually';
import { adminConnection, aliveIds, closeSessions, openSession, type DbSession } from '@quell/test-kit/mariadb';
import { INSTANCE_ID, PROJECT_ID, call } from '../test/official-signer.ts';
import { createTestAccounts, createTestDas, type TestAccounts } from '../test/sandbox.ts';
import { FaultController } from './faults.ts';
import type { DasServer } from './server.ts';

const AK = 'AKPROCESSESTESTAK001';
const SK = 'processes-secret-key-0123456789abcdefghij';
const base = `/v3/${PROJECT_ID}/instances/${INSTANCE_ID}`;

describe('ListProcesses / DeleteProcess against real MariaDB sessions', () => {
  let accounts: TestAccounts;
  let das: DasServer;
  let url: string;
  let dbUserId: string;
  const faults = new FaultController();
  const sessions: DbSession[] = [];

  const list = (query: Array<[string, string]>) => call(url, { method: 'GET', path: `${base}/processes`, query, ak: AK, sk: SK });
  const kill = (body: Record<string, unknown>) => call(url, { method: 'DELETE', path: `${base}/process`, body, ak: AK, sk: SK });
  const open = async (who: 'app' | 'other', db: string) => {
    const s = await openSession(accounts[who], { database: db });
    sessions.push(s);
    return s;
  };
  const ids = (res: { json: { processes: Array<{ id: string }> } }) => res.json.processes.map((p) => Number(p.id)).sort((a, b) => a - b);
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

  beforeAll(async () => {
    accounts = await createTestAccounts();
    das = await createTestDas({ credentials: [{ ak: AK, sk: SK }], faults });
    ({ url } = await das.listen());
    const res = await call(url, {
      method: 'POST',
      path: `${base}/db-users`,
      body: { db_username: accounts.das.user, db_user_password: accounts.das.password, datastore_type: 'MySQL' },
      ak: AK,
      sk: SK,
    });
    dbUserId = res.json.db_user_id;
  });
  afterAll(async () => {
    await closeSessions(sessions);
    await das?.close();
    await accounts?.drop();
  });

  it('lists the sessions of a user, every field a string, with the running SQL and the transaction age', async () => {
    const idle = await open('app', accounts.db1);
    const sleeper = await open('app', accounts.db2);
    const inTrx = await open('app', accounts.db1);
    const bystander = await open('other', accounts.db1);
    void sleeper.conn.query('SELECT SLEEP(30)').catch(() => undefined);
    await inTrx.conn.query('START TRANSACTION');
    await inTrx.conn.query(`UPDATE \`${accounts.db1}\`.t SET v = v + 1 WHERE id = 1`);
    await new Promise((r) => setTimeout(r, 1100));

    // INNODB_TRX is a cached view that can lag on a busy server: wait until it shows the open transaction.
    const listApp = () => list([['db_user_id', dbUserId], ['user', accounts.app.user], ['offset', '0'], ['limit', '100']]);
    const res = await eventually(listApp, (r) =>
      (r.json.processes ?? []).some((p: { id: string; trx_executed_time: string }) => Number(p.id) === inTrx.id && Number(p.trx_executed_time) >= 1),
    );
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual(sorted([idle.id, sleeper.id, inTrx.id]));
    expect(res.json.count).toBe(3);
    expect(ids(res)).not.toContain(bystander.id);
    for (const p of res.json.processes) {
      expect(Object.keys(p).sort()).toEqual(['command', 'database', 'host', 'id', 'sql', 'state', 'time', 'trx_executed_time', 'user']);
      for (const v of Object.values(p)) expect(typeof v).toBe('string');
      expect(p.user).toBe(accounts.app.user);
    }
    const byId = new Map(res.json.processes.map((p: { id: string }) => [Number(p.id), p]));
    const s = byId.get(sleeper.id) as Record<string, string>;
    expect(s.command).toBe('Query');
    expect(s.sql).toBe('SELECT SLEEP(30)');
    expect(s.database).toBe(accounts.db2);
    const t = byId.get(inTrx.id) as Record<string, string>;
    expect(t.command).toBe('Sleep');
    expect(t.sql).toBe('');
    expect(Number(t.trx_executed_time)).toBeGreaterThanOrEqual(1);
    expect((byId.get(idle.id) as Record<string, string>).trx_executed_time).toBe('0');

    // AND of user and database
    const both = await list([['db_user_id', dbUserId], ['user', accounts.app.user], ['database', accounts.db1]]);
    expect(ids(both)).toEqual(sorted([idle.id, inTrx.id]));
    const byDb = await list([['db_user_id', dbUserId], ['database', accounts.db1]]);
    expect(ids(byDb)).toEqual(sorted([idle.id, inTrx.id, bystander.id]));

    // paging: count is the total before paging
    const p1 = await list([['db_user_id', dbUserId], ['database', accounts.db1], ['offset', '0'], ['limit', '2']]);
    const p2 = await list([['db_user_id', dbUserId], ['database', accounts.db1], ['offset', '2'], ['limit', '2']]);
    expect(p1.json.count).toBe(3);
    expect(p2.json.count).toBe(3);
    expect([...ids(p1), ...ids(p2)]).toEqual(sorted([idle.id, inTrx.id, bystander.id]));
    expect(p1.json.processes).toHaveLength(2);
    expect(p2.json.processes).toHaveLength(1);

    await inTrx.conn.query('ROLLBACK');
    await closeSessions([idle, sleeper, inTrx, bystander]);
  });

  it('kills exactly the sessions matching user AND database, observed through a separate SQL connection', async () => {
    const targets = [await open('app', accounts.db1), await open('app', accounts.db1)];
    const sleeping = await open('app', accounts.db1);
    const pending = sleeping.conn.query('SELECT SLEEP(30)').then(() => 'finished', (err: unknown) => err);
    targets.push(sleeping);
    const survivors = [await open('app', accounts.db2), await open('other', accounts.db1), await open('other', accounts.db2)];
    const all = [...targets, ...survivors].map((s) => s.id);
    expect(await aliveIds(all)).toEqual(sorted(all));

    const res = await kill({ db_user_id: dbUserId, user: accounts.app.user, database: accounts.db1 });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(await pending).toBeInstanceOf(Error);
    const alive = await eventually(() => aliveIds(all), (a) => a.length === survivors.length);
    expect(alive).toEqual(sorted(survivors.map((s) => s.id)));
    await closeSessions(survivors);
  });

  it('process_ids combine with user by AND; ids that are gone or do not match are ignored', async () => {
    const a = await open('app', accounts.db1);
    const b = await open('other', accounts.db1);
    const c = await open('other', accounts.db2);
    const gone = await open('other', accounts.db1);
    const goneId = gone.id;
    await closeSessions([gone]);
    await eventually(() => aliveIds([goneId]), (x) => x.length === 0);

    const res = await kill({ db_user_id: dbUserId, process_ids: [String(a.id), String(b.id), String(goneId)], user: accounts.other.user });
    expect(res.status).toBe(200);
    const alive = await eventually(() => aliveIds([a.id, b.id, c.id]), (x) => x.length === 2);
    expect(alive).toEqual(sorted([a.id, c.id]));

    const byIds = await kill({ db_user_id: dbUserId, process_ids: [String(c.id)] });
    expect(byIds.status).toBe(200);
    expect(await eventually(() => aliveIds([a.id, c.id]), (x) => x.length === 1)).toEqual([a.id]);
    await closeSessions([a, b, c]);
  });

  it('never lists or kills its own connections', async () => {
    const own = await list([['db_user_id', dbUserId], ['user', accounts.das.user]]);
    expect(own.json).toEqual({ processes: [], count: 0 });
    const admin = await adminConnection();
    try {
      const [before] = await admin.query<Array<{ ID: number }> & import('mysql2').RowDataPacket[]>(
        'SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?',
        [accounts.das.user],
      );
      expect(before.length).toBeGreaterThan(0);
      expect((await kill({ db_user_id: dbUserId, user: accounts.das.user })).status).toBe(200);
      expect((await kill({ db_user_id: dbUserId, process_ids: before.map((r) => String(r.ID)) })).status).toBe(200);
      expect(await aliveIds(before.map((r) => r.ID))).toEqual(sorted(before.map((r) => r.ID)));
    } finally {
      await admin.end();
    }
  });

  it('the "kill answered 200 but did nothing" fault kills nothing', async () => {
    const s = await open('app', accounts.db2);
    faults.killNoop({ times: 1 });
    expect((await kill({ db_user_id: dbUserId, user: accounts.app.user })).status).toBe(200);
    expect(await aliveIds([s.id])).toEqual([s.id]);
    expect((await kill({ db_user_id: dbUserId, user: accounts.app.user })).status).toBe(200);
    expect(await eventually(() => aliveIds([s.id]), (x) => x.length === 0)).toEqual([]);
  });

  it('works as the registered db user: without PROCESS it sees and kills only its own sessions', async () => {
    const reg = await call(url, {
      method: 'POST',
      path: `${base}/db-users`,
      body: { db_username: accounts.weak.user, db_user_password: accounts.weak.password, datastore_type: 'mysql' },
      ak: AK,
      sk: SK,
    });
    expect(reg.status).toBe(200);
    const weakId = reg.json.db_user_id as string;
    const victim = await open('app', accounts.db1);
    const seen = await list([['db_user_id', weakId], ['user', accounts.app.user]]);
    expect(seen.json).toEqual({ processes: [], count: 0 });
    expect((await kill({ db_user_id: weakId, user: accounts.app.user })).status).toBe(200);
    expect(await aliveIds([victim.id])).toEqual([victim.id]);
    // the privileged db user does see it
    const privileged = await list([['db_user_id', dbUserId], ['user', accounts.app.user]]);
    expect(ids(privileged)).toEqual([victim.id]);
    await closeSessions([victim]);
  });

  it('a db user that can see but not kill a session gets a 500 and the session lives', async () => {
    const reg = await call(url, {
      method: 'POST',
      path: `${base}/db-users`,
      body: { db_username: accounts.viewer.user, db_user_password: accounts.viewer.password, datastore_type: 'mysql' },
      ak: AK,
      sk: SK,
    });
    const viewerId = reg.json.db_user_id as string;
    const victim = await open('app', accounts.db2);
    const seen = await list([['db_user_id', viewerId], ['user', accounts.app.user]]);
    expect(ids(seen)).toEqual([victim.id]);
    const res = await kill({ db_user_id: viewerId, process_ids: [String(victim.id)] });
    expect(res.status).toBe(500);
    expect(res.json.error_code).toBe('DAS.200001');
    expect(await aliveIds([victim.id])).toEqual([victim.id]);
    await closeSessions([victim]);
  });

  it('survives its own pooled connection being killed from outside', async () => {
    const admin = await adminConnection();
    try {
      const [rows] = await admin.query<Array<{ ID: number }> & import('mysql2').RowDataPacket[]>(
        'SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?',
        [accounts.das.user],
      );
      for (const r of rows) await admin.query(`KILL CONNECTION ${Number(r.ID)}`);
    } finally {
      await admin.end();
    }
    const s = await open('other', accounts.db2);
    // Sessions closed by earlier tests leave the process list a moment after their sockets close.
    const res = await eventually(
      () => list([['db_user_id', dbUserId], ['user', accounts.other.user]]),
      (r) => r.status !== 200 || ids(r).length === 1,
    );
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([s.id]);
    await closeSessions([s]);
  });
});
