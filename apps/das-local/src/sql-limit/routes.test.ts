// The SQL limit endpoints as a DAS client sees them (signed with the official SDK signer): shapes,
// per-instance state, and the validation errors of DAS-INCIDENT-API.md §6 with DAS bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDasServer, type DasServer } from '../server.ts';
import { mysqlTarget } from '@quell/test-kit/mariadb';
import { INSTANCE_ID, PROJECT_ID, call, type RawResponse } from '../../test/official-signer.ts';

const MYSQL = await mysqlTarget();

const AK = 'AKSQLLIMITROUTES0001';
const SK = 'sql-limit-routes-secret-0123456789abcdef';
const OTHER_INSTANCE = 'ee04cd5bbb944de828759bc7be3d3fein01';
const base = `/v3/${PROJECT_ID}/instances/${INSTANCE_ID}/sql-limit`;
/** How far das-local's clock runs ahead: moving it completes jobs (well inside the signature's 15 minutes). */
let clock = 0;

let das: DasServer;
let url: string;

const req = (method: string, path: string, opts: { query?: Array<[string, string]>; body?: unknown } = {}) => call(url, { method, path, ...opts, ak: AK, sk: SK });
const mysqlQuery: Array<[string, string]> = [['datastore_type', 'MySQL']];
const rule = (overrides: Record<string, unknown> = {}) => ({ sql_type: 'SELECT', pattern: 'select~orders', max_concurrency: 2, ...overrides });
const create = (rules: unknown, instance = INSTANCE_ID) =>
  req('POST', `/v3/${PROJECT_ID}/instances/${instance}/sql-limit/rules`, { body: { datastore_type: 'MySQL', sql_limit_rules: rules } });
const list = async (query: Array<[string, string]> = []) => req('GET', `${base}/rules`, { query: [...mysqlQuery, ...query] });
const removeAll = async () => {
  const ids = (await list()).json.sql_limit_rules.map((r: { id: string }) => r.id);
  if (ids.length) await req('DELETE', `${base}/rules`, { body: { datastore_type: 'MySQL', sql_limit_rule_ids: ids } });
};

function das400(res: RawResponse, code: string, mentions?: RegExp): void {
  expect(res.status).toBe(400);
  expect(Object.keys(res.json).sort()).toEqual(['error_code', 'error_msg']);
  expect(res.json.error_code).toBe(code);
  if (mentions) expect(res.json.error_msg).toMatch(mentions);
}

beforeAll(async () => {
  das = createDasServer({
    projectId: PROJECT_ID,
    credentials: [{ ak: AK, sk: SK }],
    instances: [
      { instanceId: INSTANCE_ID, host: MYSQL.host, port: MYSQL.port, sqlLimit: { jobDelayMs: 2_000 } },
      { instanceId: OTHER_INSTANCE, host: MYSQL.host, port: MYSQL.port, sqlLimit: { jobDelayMs: 2_000, reportSwitching: true } },
    ],
    registryPath: ':memory:',
    registryKey: 'sql-limit-routes-key',
    now: () => new Date(Date.now() + clock),
  });
  ({ url } = await das.listen());
});
afterAll(async () => {
  await das?.close();
});

describe('switch and job', () => {
  it('starts OFF; a change is a job RUNNING → COMPLETED after the delay, and only then does the switch move', async () => {
    expect((await req('GET', `${base}/switch`, { query: mysqlQuery })).json).toEqual({ switch_status: 'OFF' });
    const changed = await req('POST', `${base}/switch`, { body: { datastore_type: 'MySQL', switch_status: 'ON' } });
    expect(changed.status).toBe(200);
    expect(Object.keys(changed.json)).toEqual(['job_id']);
    const jobId = changed.json.job_id;
    expect(typeof jobId).toBe('string');
    const job = () => req('GET', `${base}/job`, { query: [['job_id', jobId]] });
    expect((await job()).json).toEqual({ job_id: jobId, job_status: 'RUNNING', fail_reason: '' });
    expect((await req('GET', `${base}/switch`, { query: mysqlQuery })).json.switch_status).toBe('OFF');
    clock += 2_000;
    expect((await job()).json).toEqual({ job_id: jobId, job_status: 'COMPLETED', fail_reason: '' });
    expect((await req('GET', `${base}/switch`, { query: mysqlQuery })).json.switch_status).toBe('ON');
    // Per instance: the other one is still OFF.
    expect((await req('GET', `/v3/${PROJECT_ID}/instances/${OTHER_INSTANCE}/sql-limit/switch`, { query: mysqlQuery })).json.switch_status).toBe('OFF');
  });

  it('can report Switching while a job runs, and a job told to fail ends FAILED and changes nothing', async () => {
    const other = `/v3/${PROJECT_ID}/instances/${OTHER_INSTANCE}/sql-limit`;
    const changed = await req('POST', `${other}/switch`, { body: { datastore_type: 'MySQL', switch_status: 'ON' } });
    expect((await req('GET', `${other}/switch`, { query: mysqlQuery })).json.switch_status).toBe('Switching');
    clock += 2_000;
    expect((await req('GET', `${other}/switch`, { query: mysqlQuery })).json.switch_status).toBe('ON');
    expect((await req('GET', `${other}/job`, { query: [['job_id', changed.json.job_id]] })).json.job_status).toBe('COMPLETED');

    das.sqlLimit(OTHER_INSTANCE)!.failNextSwitchJob('The instance kernel does not support SQL throttling.');
    const failing = await req('POST', `${other}/switch`, { body: { datastore_type: 'MySQL', switch_status: 'OFF' } });
    clock += 2_000;
    expect((await req('GET', `${other}/job`, { query: [['job_id', failing.json.job_id]] })).json).toEqual({
      job_id: failing.json.job_id,
      job_status: 'FAILED',
      fail_reason: 'The instance kernel does not support SQL throttling.',
    });
    expect((await req('GET', `${other}/switch`, { query: mysqlQuery })).json.switch_status).toBe('ON');
  });

  it('refuses a bad switch value, a missing datastore_type, another engine and an unknown job', async () => {
    das400(await req('POST', `${base}/switch`, { body: { datastore_type: 'MySQL', switch_status: 'on' } }), 'DAS.200100', /switch_status/);
    das400(await req('POST', `${base}/switch`, { body: { datastore_type: 'MySQL' } }), 'DAS.200100', /switch_status/);
    das400(await req('GET', `${base}/switch`), 'DAS.200100', /datastore_type/);
    das400(await req('GET', `${base}/switch`, { query: [['datastore_type', 'PostgreSQL']] }), 'DAS.200107');
    das400(await req('GET', `${base}/job`, { query: [['job_id', '999999']] }), 'DAS.200100', /job_id/);
    das400(await req('GET', `${base}/job`), 'DAS.200100', /job_id/);
  });
});

describe('rules', () => {
  it('creates with 200 and no body; lists newest first with string ids and number limits; deletes by id', async () => {
    const created = await create([rule(), rule({ sql_type: 'DELETE', pattern: 'delete~t1~name', max_concurrency: 1, max_waiting: 9, his_sql_limit_switch: false })]);
    expect(created.status).toBe(200);
    expect(created.text).toBe('');
    await create([rule({ pattern: 'select~t2~var', max_concurrency: 100 })]);
    const listed = await list();
    expect(listed.json.total_count).toBe(3);
    const [a, b, c] = listed.json.sql_limit_rules;
    expect(c).toEqual({ id: expect.any(String), sql_type: 'SELECT', pattern: 'select~orders', max_concurrency: 2 });
    expect(b).toEqual({ id: expect.any(String), sql_type: 'DELETE', pattern: 'delete~t1~name', max_concurrency: 1, max_waiting: 9 });
    expect(a).toMatchObject({ sql_type: 'SELECT', pattern: 'select~t2~var', max_concurrency: 100 });
    expect([Number(c.id) < Number(b.id), Number(b.id) < Number(a.id)]).toEqual([true, true]);

    const page = await list([['offset', '1'], ['limit', '1']]);
    expect(page.json).toEqual({ sql_limit_rules: [b], total_count: 3 });

    // Per instance.
    expect((await req('GET', `/v3/${PROJECT_ID}/instances/${OTHER_INSTANCE}/sql-limit/rules`, { query: mysqlQuery })).json).toEqual({ sql_limit_rules: [], total_count: 0 });

    const deleted = await req('DELETE', `${base}/rules`, { body: { datastore_type: 'MySQL', sql_limit_rule_ids: [b.id, 'no-such-rule'] } });
    expect([deleted.status, deleted.text]).toEqual([200, '']);
    expect((await list()).json.sql_limit_rules.map((r: { id: string }) => r.id)).toEqual([a.id, c.id]);
    await removeAll();
    // Ids keep increasing after deletes.
    await create([rule()]);
    expect(Number((await list()).json.sql_limit_rules[0].id)).toBeGreaterThan(Number(a.id));
    await removeAll();
  });

  it.each<[string, unknown, RegExp]>([
    ['no rule', [], /sql_limit_rules/],
    ['six rules', Array.from({ length: 6 }, () => rule()), /sql_limit_rules/],
    ['not an array', { pattern: 'select~a' }, /sql_limit_rules/],
    ['an unknown sql_type', [rule({ sql_type: 'REPLACE' })], /sql_limit_rules\[0\]\.sql_type/],
    ['a lower-case sql_type', [rule({ sql_type: 'select' })], /sql_limit_rules\[0\]\.sql_type/],
    ['an empty keyword', [rule(), rule({ pattern: 'select~~orders' })], /sql_limit_rules\[1\]\.pattern.*empty keyword/],
    ['a trailing ~', [rule({ pattern: 'select~orders~' })], /pattern.*empty keyword/],
    ['a blank keyword', [rule({ pattern: 'select~ \t~orders' })], /pattern.*empty keyword/],
    ['the type not first', [rule({ pattern: 'orders~select' })], /pattern.*start with the statement type/],
    ['129 keywords', [rule({ pattern: `select${'~k'.repeat(128)}` })], /pattern.*128 keywords/],
    ['1025 characters', [rule({ pattern: `select~${'a'.repeat(1018)}` })], /pattern.*1024 characters/],
    ['a missing pattern', [rule({ pattern: undefined })], /pattern/],
    ['a missing max_concurrency', [rule({ max_concurrency: undefined })], /max_concurrency/],
    ['max_concurrency -1', [rule({ max_concurrency: -1 })], /max_concurrency/],
    ['max_concurrency 1e9 + 1', [rule({ max_concurrency: 1_000_000_001 })], /max_concurrency/],
    ['max_concurrency as a string', [rule({ max_concurrency: '5' })], /max_concurrency/],
    ['max_waiting 1.5', [rule({ max_waiting: 1.5 })], /max_waiting/],
    ['his_sql_limit_switch "true"', [rule({ his_sql_limit_switch: 'true' })], /his_sql_limit_switch/],
  ])('refuses %s with DAS.200100 naming the field, and stores nothing', async (_what, rules, mentions) => {
    das400(await create(rules), 'DAS.200100', mentions);
    expect((await list()).json.total_count).toBe(0);
  });

  it('accepts the limits themselves', async () => {
    const res = await create([
      rule({ max_concurrency: 0 }),
      rule({ max_concurrency: 1_000_000_000 }),
      rule({ pattern: `select${'~k'.repeat(127)}` }),
      rule({ pattern: `SELECT~${'a'.repeat(1017)}` }),
      rule({ sql_type: 'INSERT', pattern: ' insert ~ orders ' }),
    ]);
    expect(res.status).toBe(200);
    expect((await list()).json.total_count).toBe(5);
    await removeAll();
  });

  it('holds at most 100 rules per instance: a create that would pass it stores none of its rules', async () => {
    for (let i = 0; i < 19; i++) expect((await create(Array.from({ length: 5 }, () => rule()))).status).toBe(200);
    expect((await create(Array.from({ length: 4 }, () => rule()))).status).toBe(200);
    das400(await create([rule(), rule()]), 'DAS.200100', /rds_sqlfilter_rules_max_count/);
    expect((await list()).json.total_count).toBe(99);
    expect((await create([rule()])).status).toBe(200);
    das400(await create([rule()]), 'DAS.200100');
    expect((await list([['limit', '100']])).json.sql_limit_rules).toHaveLength(100);
    await removeAll();
  });

  it('validates datastore_type, offset, limit and the ids to delete', async () => {
    das400(await req('POST', `${base}/rules`, { body: { sql_limit_rules: [rule()] } }), 'DAS.200100', /datastore_type/);
    das400(await req('POST', `${base}/rules`, { body: { datastore_type: 'PostgreSQL', sql_limit_rules: [rule()] } }), 'DAS.200107');
    das400(await req('GET', `${base}/rules`), 'DAS.200100', /datastore_type/);
    das400(await list([['limit', '0']]), 'DAS.200104');
    das400(await list([['limit', '101']]), 'DAS.200104');
    das400(await list([['offset', '-1']]), 'DAS.200103');
    for (const ids of [undefined, [], [''], [6], 'x']) {
      das400(await req('DELETE', `${base}/rules`, { body: { datastore_type: 'MySQL', sql_limit_rule_ids: ids } }), 'DAS.200100', /sql_limit_rule_ids/);
    }
    das400(await req('POST', `${base}/rules`, { body: '[]' }), 'DAS.200100');
  });
});

describe('parse', () => {
  const parse = (body: Record<string, unknown>) => req('POST', `${base}/parse`, { body: { datastore_type: 'MySQL', use_template: true, keep_operators: true, ...body } });

  it('gives the documented examples and a pattern that create accepts', async () => {
    expect((await parse({ original_sql: 'select * from das_conn_info' })).json).toEqual({ rule: 'select~from~das_conn_info' });
    expect((await parse({ original_sql: 'SELECT * from test_db', keep_operators: false })).json).toEqual({ rule: 'SELECT~from~test_db' });
    const rich = await parse({ original_sql: "/* report */ SELECT o.id FROM orders o WHERE o.status = 'paid' AND o.amount >= 10", keep_operators: true });
    expect(rich.json.rule).toBe('SELECT~o~id~FROM~orders~o~WHERE~o~status~=~AND~o~amount~>=');
    const plain = await parse({ original_sql: "SELECT o.id FROM orders o WHERE o.status = 'paid'", keep_operators: false });
    expect(plain.json.rule).toBe('SELECT~o~id~FROM~orders~o~WHERE~o~status');
    expect((await create([rule({ pattern: rich.json.rule })])).status).toBe(200);
    await removeAll();
  });

  it('validates the statement and the flags', async () => {
    das400(await parse({ original_sql: '' }), 'DAS.200100', /original_sql/);
    das400(await parse({ original_sql: 'x'.repeat(1025) }), 'DAS.200100', /original_sql/);
    das400(await parse({ original_sql: 'SET @a = 1' }), 'DAS.200100', /original_sql/);
    das400(await parse({ original_sql: 'select 1', use_template: 'yes' }), 'DAS.200100', /use_template/);
    das400(await parse({ original_sql: 'select 1', keep_operators: undefined }), 'DAS.200100', /keep_operators/);
  });
});

it('every SQL limit call needs a valid signature', async () => {
  const res = await call(url, { method: 'GET', path: `${base}/rules`, query: mysqlQuery, ak: AK, sk: 'wrong-secret-key-0123456789abcdefgh' });
  expect(res.status).toBe(401);
  expect(res.json.error_code).toBe('APIGW.0301');
});
