import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlTarget } from '@quell/test-kit/mariadb';
import { INSTANCE_ID, PROJECT_ID, call, rawRequest, type RawResponse } from '../test/official-signer.ts';
import { createTestAccounts, createTestDas, type TestAccounts } from '../test/sandbox.ts';
import { FaultController } from './faults.ts';
import { createDasServer, type DasServer } from './server.ts';

const AK = 'AKSERVERTESTAKSERVER';
const SK = 'server-test-secret-key-0123456789abcdefgh';
const base = `/v3/${PROJECT_ID}/instances/${INSTANCE_ID}`;

describe('DAS endpoints §1.1–1.7: shapes, validation and error bodies', () => {
  let accounts: TestAccounts;
  let das: DasServer;
  let url: string;
  const faults = new FaultController();
  let dbUserId: string;

  const req = (method: string, path: string, opts: { query?: Array<[string, string]>; body?: unknown } = {}) =>
    call(url, { method, path, ...opts, ak: AK, sk: SK });
  const das400 = (res: RawResponse, code: string) => {
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe(code);
    expect(typeof res.json.error_msg).toBe('string');
    expect(Object.keys(res.json).sort()).toEqual(['error_code', 'error_msg']);
  };

  beforeAll(async () => {
    accounts = await createTestAccounts();
    das = await createTestDas({ credentials: [{ ak: AK, sk: SK }], faults, faultsHttp: true });
    ({ url } = await das.listen());
    const res = await req('POST', `${base}/db-users`, { body: { db_username: accounts.das.user, db_user_password: accounts.das.password, datastore_type: 'MySQL' } });
    expect(res.status).toBe(200);
    dbUserId = res.json.db_user_id;
  });
  afterAll(async () => {
    await das?.close();
    await accounts?.drop();
  });

  it('RegisterDbUser returns a UUID and checks the credentials against the instance', async () => {
    expect(dbUserId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // wrong password → DAS.200051, nothing registered
    das400(
      await req('POST', `${base}/db-users`, { body: { db_username: accounts.app.user, db_user_password: 'wrong-password', datastore_type: 'mysql' } }),
      'DAS.200051',
    );
    const list = await req('GET', `${base}/db-users`);
    expect(list.json.db_users.map((u: { db_username: string }) => u.db_username)).toEqual([accounts.das.user]);
  });

  it('RegisterDbUser validation: missing fields DAS.200100, bad datastore_type DAS.200107, bad JSON, duplicate', async () => {
    const good = { db_username: accounts.app.user, db_user_password: accounts.app.password, datastore_type: 'MySQL' };
    for (const field of ['db_username', 'db_user_password', 'datastore_type'] as const) {
      const { [field]: _omit, ...body } = good;
      das400(await req('POST', `${base}/db-users`, { body }), 'DAS.200100');
    }
    das400(await req('POST', `${base}/db-users`, { body: { ...good, db_username: 42 } }), 'DAS.200100');
    das400(await req('POST', `${base}/db-users`, { body: { ...good, datastore_type: 'PostgreSQL' } }), 'DAS.200107');
    das400(await req('POST', `${base}/db-users`, { body: [good] }), 'DAS.200100');
    das400(await req('POST', `${base}/db-users`, { body: { db_username: accounts.das.user, db_user_password: accounts.das.password, datastore_type: 'mysql' } }), 'DAS.200100');
  });

  it('ListDbUsers pages with offset/limit, filters, and validates them (DAS.200103, DAS.200104)', async () => {
    const second = await req('POST', `${base}/db-users`, { body: { db_username: accounts.app.user, db_user_password: accounts.app.password, datastore_type: 'mysql' } });
    expect(second.status).toBe(200);
    try {
      const all = await req('GET', `${base}/db-users`, { query: [['offset', '0'], ['limit', '100']] });
      expect(all.json).toEqual({
        total: 2,
        db_users: [
          { db_user_id: dbUserId, db_username: accounts.das.user },
          { db_user_id: second.json.db_user_id, db_username: accounts.app.user },
        ],
      });
      const page = await req('GET', `${base}/db-users`, { query: [['offset', '1'], ['limit', '1']] });
      expect(page.json).toEqual({ total: 2, db_users: [{ db_user_id: second.json.db_user_id, db_username: accounts.app.user }] });
      const byName = await req('GET', `${base}/db-users`, { query: [['db_username', accounts.app.user]] });
      expect(byName.json.total).toBe(1);
      const byId = await req('GET', `${base}/db-users`, { query: [['db_user_id', dbUserId]] });
      expect(byId.json.db_users).toEqual([{ db_user_id: dbUserId, db_username: accounts.das.user }]);
      for (const offset of ['-1', 'x', '1.5', '']) das400(await req('GET', `${base}/db-users`, { query: [['offset', offset]] }), 'DAS.200103');
      for (const limit of ['0', '101', 'ten', '-5']) das400(await req('GET', `${base}/db-users`, { query: [['limit', limit]] }), 'DAS.200104');
    } finally {
      await req('DELETE', `${base}/db-users/${second.json.db_user_id}`);
    }
  });

  it('ShowDbUser / UpdateDbUser / DeleteDbUser, with DAS.220003 for unknown ids and DAS.200112 for malformed ones', async () => {
    const reg = await req('POST', `${base}/db-users`, { body: { db_username: accounts.other.user, db_user_password: accounts.other.password, datastore_type: 'MySQL' } });
    const id = reg.json.db_user_id as string;
    const show = await req('GET', `${base}/db-users/${id}`);
    expect(show.status).toBe(200);
    expect(show.json).toEqual({ db_user: { db_user_id: id, db_username: accounts.other.user } });

    das400(await req('PUT', `${base}/db-users/${id}`, { body: { db_username: accounts.app.user, db_user_password: 'nope' } }), 'DAS.200051');
    das400(await req('PUT', `${base}/db-users/${id}`, { body: { db_username: accounts.app.user } }), 'DAS.200100');
    const upd = await req('PUT', `${base}/db-users/${id}`, { body: { db_username: accounts.app.user, db_user_password: accounts.app.password } });
    expect(upd.status).toBe(200);
    expect(upd.json).toEqual({ result: 'OK' });
    expect((await req('GET', `${base}/db-users/${id}`)).json.db_user.db_username).toBe(accounts.app.user);

    const del = await req('DELETE', `${base}/db-users/${id}`);
    expect(del.json).toEqual({ result: 'OK' });
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const [method, body] of [['GET', undefined], ['PUT', { db_username: 'a', db_user_password: 'b' }], ['DELETE', undefined]] as const) {
      das400(await req(method, `${base}/db-users/${id}`, body ? { body } : {}), 'DAS.220003');
      das400(await req(method, `${base}/db-users/${unknown}`, body ? { body } : {}), 'DAS.220003');
      das400(await req(method, `${base}/db-users/not-a-uuid`, body ? { body } : {}), 'DAS.200112');
    }
  });

  it('ListProcesses validation: db_user_id required/invalid, user or database required, offset, limit', async () => {
    const p = `${base}/processes`;
    das400(await req('GET', p, { query: [['user', 'x']] }), 'DAS.200100');
    das400(await req('GET', p, { query: [['db_user_id', dbUserId]] }), 'DAS.200100');
    das400(await req('GET', p, { query: [['db_user_id', dbUserId], ['user', ''], ['database', '']] }), 'DAS.200100');
    das400(await req('GET', p, { query: [['db_user_id', 'abc'], ['user', 'x']] }), 'DAS.200112');
    das400(await req('GET', p, { query: [['db_user_id', '00000000-0000-4000-8000-000000000000'], ['user', 'x']] }), 'DAS.200112');
    das400(await req('GET', p, { query: [['db_user_id', dbUserId], ['user', 'x'], ['offset', '-1']] }), 'DAS.200103');
    das400(await req('GET', p, { query: [['db_user_id', dbUserId], ['user', 'x'], ['limit', '0']] }), 'DAS.200104');
    das400(await req('GET', p, { query: [['db_user_id', dbUserId], ['user', 'x'], ['limit', '101']] }), 'DAS.200104');
    const ok = await req('GET', p, { query: [['db_user_id', dbUserId], ['user', `${accounts.prefix}nobody`]] });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ processes: [], count: 0 });
  });

  it('DeleteProcess validation', async () => {
    const p = `${base}/process`;
    das400(await req('DELETE', p, { body: { user: 'x' } }), 'DAS.200100');
    das400(await req('DELETE', p, { body: { db_user_id: dbUserId } }), 'DAS.200100');
    das400(await req('DELETE', p, { body: { db_user_id: dbUserId, user: '', database: '' } }), 'DAS.200100');
    das400(await req('DELETE', p, { body: { db_user_id: 'abc', user: 'x' } }), 'DAS.200112');
    das400(await req('DELETE', p, { body: { db_user_id: 12, user: 'x' } }), 'DAS.200112');
    das400(await req('DELETE', p, { body: { db_user_id: '00000000-0000-4000-8000-000000000000', user: 'x' } }), 'DAS.200112');
    for (const process_ids of [[], [1], ['-1'], ['2147483648'], ['12a'], 'not-an-array', [' 1']]) {
      das400(await req('DELETE', p, { body: { db_user_id: dbUserId, process_ids } }), 'DAS.200100');
    }
    das400(await req('DELETE', p, { body: { db_user_id: dbUserId, user: 5 } }), 'DAS.200100');
    das400(await req('DELETE', p, { body: { db_user_id: dbUserId, database: ['x'] } }), 'DAS.200100');
    const s = await call(url, { method: 'DELETE', path: p, ak: AK, sk: SK });
    das400(s, 'DAS.200100');
    // ids at the edges of the range are valid; ids that do not exist are ignored
    const ok = await req('DELETE', p, { body: { db_user_id: dbUserId, process_ids: ['0', '2147483647'] } });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('');
  });

  it('wrong project id → DAS.200113; unknown instance → DAS.200114', async () => {
    const otherProject = 'ffffffffffffffffffffffffffffffff';
    das400(await req('GET', `/v3/${otherProject}/instances/${INSTANCE_ID}/db-users`), 'DAS.200113');
    das400(await req('GET', `/v3/${PROJECT_ID}/instances/nosuchinstance/db-users`), 'DAS.200114');
  });

  it('unknown routes and methods → 404 APIG.0101 with request_id, X-Request-Id and Date on every response', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', `${base}/process`],
      ['POST', `${base}/processes`],
      ['DELETE', `${base}/processes`],
      ['GET', `/v2/${PROJECT_ID}/instances/${INSTANCE_ID}/db-users`],
      ['PATCH', `${base}/db-users`],
    ] as const) {
      const res = await rawRequest(url, method, path, {});
      expect(res.status).toBe(404);
      expect(res.json.error_code).toBe('APIG.0101');
      expect(res.json.request_id).toMatch(/^[0-9a-f]{32}$/);
      expect(res.headers['x-request-id']).toBe(res.json.request_id);
      expect(Number.isNaN(Date.parse(String(res.headers.date)))).toBe(false);
    }
    const ok = await req('GET', `${base}/db-users`);
    expect(ok.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(ok.headers.date).toBeDefined();
    const other = await req('GET', `${base}/db-users`);
    expect(other.headers['x-request-id']).not.toBe(ok.headers['x-request-id']);
  });

  it('keeps registered db users across a restart (file registry), and they still work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'das-local-restart-'));
    const target = await mysqlTarget();
    const deps = {
      projectId: PROJECT_ID,
      credentials: [{ ak: AK, sk: SK }],
      instances: [{ instanceId: INSTANCE_ID, host: target.host, port: target.port }],
      registryPath: join(dir, 'registry.sqlite'),
      registryKey: 'restart-key',
    };
    try {
      const first = createDasServer(deps);
      const u1 = (await first.listen()).url;
      const reg = await call(u1, { method: 'POST', path: `${base}/db-users`, body: { db_username: accounts.das.user, db_user_password: accounts.das.password, datastore_type: 'MySQL' }, ak: AK, sk: SK });
      await first.close();
      const second = createDasServer(deps);
      const u2 = (await second.listen()).url;
      try {
        const list = await call(u2, { method: 'GET', path: `${base}/db-users`, ak: AK, sk: SK });
        expect(list.json).toEqual({ total: 1, db_users: [{ db_user_id: reg.json.db_user_id, db_username: accounts.das.user }] });
        const procs = await call(u2, { method: 'GET', path: `${base}/processes`, query: [['db_user_id', reg.json.db_user_id], ['user', accounts.app.user]], ak: AK, sk: SK });
        expect(procs.status).toBe(200);
      } finally {
        await second.close();
      }
      expect(() => createDasServer({ ...deps, registryKey: 'another-key' })).toThrow(/registryKey/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('fault injection', () => {
    it('500 and throttling, scoped to an operation and a number of requests', async () => {
      faults.failWith500({ operations: ['ListDbUsers'], times: 1 });
      faults.throttle({ operations: ['ShowDbUser'], times: 2 });
      const r500 = await req('GET', `${base}/db-users`);
      expect(r500.status).toBe(500);
      expect(r500.json.error_code).toBe('DAS.200001');
      expect((await req('GET', `${base}/db-users`)).status).toBe(200);
      for (let i = 0; i < 2; i++) das400(await req('GET', `${base}/db-users/${dbUserId}`), 'DAS.200002');
      expect((await req('GET', `${base}/db-users/${dbUserId}`)).status).toBe(200);
      expect(faults.list()).toEqual([]);
    });

    it('latency delays the answer', async () => {
      faults.addLatency(300, { times: 1 });
      const t0 = Date.now();
      expect((await req('GET', `${base}/db-users`)).status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    });

    it('connection reset mid-request', async () => {
      faults.resetConnection({ operations: ['ListDbUsers'], times: 1 });
      await expect(req('GET', `${base}/db-users`)).rejects.toThrow(/socket hang up|ECONNRESET/);
      expect((await req('GET', `${base}/db-users`)).status).toBe(200);
    });

    it('clock offset moves the signature window and the Date header', async () => {
      faults.setClockOffset(20 * 60_000);
      try {
        const res = await req('GET', `${base}/db-users`);
        expect(res.status).toBe(401);
        expect(res.json.error_msg).toContain('signature expired');
        const skew = Date.parse(String(res.headers.date)) - Date.now();
        expect(skew).toBeGreaterThan(19 * 60_000);
      } finally {
        faults.setClockOffset(0);
      }
      expect((await req('GET', `${base}/db-users`)).status).toBe(200);
    });

    it('the HTTP control surface adds and clears faults', async () => {
      const add = await rawRequest(url, 'POST', '/__das-local/faults', { 'content-type': 'application/json' }, JSON.stringify({ kind: 'throttle', operations: ['ListDbUsers'] }));
      expect(add.status).toBe(200);
      das400(await req('GET', `${base}/db-users`), 'DAS.200002');
      const listed = await rawRequest(url, 'GET', '/__das-local/faults', {});
      expect(listed.json.faults).toHaveLength(1);
      const bad = await rawRequest(url, 'POST', '/__das-local/faults', {}, JSON.stringify({ kind: 'explode' }));
      das400(bad, 'DAS.200100');
      expect((await rawRequest(url, 'DELETE', '/__das-local/faults', {})).status).toBe(200);
      expect((await req('GET', `${base}/db-users`)).status).toBe(200);
    });
  });
});

describe('fault injection is unreachable without a controller', () => {
  it('the control path is an unknown route', async () => {
    const das = createDasServer({
      projectId: PROJECT_ID,
      credentials: [{ ak: AK, sk: SK }],
      instances: [],
      registryPath: ':memory:',
      registryKey: 'k',
      faultsHttp: true,
    });
    const { url } = await das.listen();
    try {
      const res = await rawRequest(url, 'POST', '/__das-local/faults', {}, JSON.stringify({ kind: 'throttle' }));
      expect(res.status).toBe(404);
      expect(res.json.error_code).toBe('APIG.0101');
    } finally {
      await das.close();
    }
  });
});
