import { describe, expect, it } from 'vitest';
import { DasApiError, DasRequestError } from './errors.ts';
import { patternProblem, splitPattern } from './sql-limit-pattern.ts';
import type { SqlLimitRuleInput } from './sql-limit.ts';
import { useRecordingClient } from './testing/recording-client.ts';
import type { Reply } from './testing/recording-server.ts';

const PROJECT = '054e292c9880d4992f02c0196d3ea468';
const INSTANCE = 'd871e13ee1044e21a473330cd67047cbin01';
const AK = 'QTWAOYTTINDUT2QVKYUC';
const SK = 'CANARY-SK-sqllimit-5b0a9c4f4e2b8a61f0c3d2e1';
const BASE = `/v3/${PROJECT}/instances/${INSTANCE}/sql-limit`;

const das = useRecordingClient(PROJECT, AK, SK);

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const unavailable: Reply = { status: 503, body: { error_code: 'DAS.500000', error_msg: 'busy' } };
const rule = (overrides: Partial<SqlLimitRuleInput> = {}): SqlLimitRuleInput => ({ sqlType: 'SELECT', pattern: 'select~t2~var', maxConcurrency: 100, ...overrides });

describe('the pattern grammar (§4.8 rules 1–2, §4.9)', () => {
  it('splits on ~ and trims space, tab, CR and LF at the edges only', () => {
    expect(splitPattern(' select ~\tfrom  t4\n~ x\r')).toEqual(['select', 'from  t4', 'x']);
    expect(splitPattern('select~')).toEqual(['select', '']);
    expect(splitPattern('select\u00a0~a')).toEqual(['select\u00a0', 'a']);
  });

  it('names each problem DAS refuses', () => {
    expect(patternProblem('SELECT', 'select~a')).toBeUndefined();
    expect(patternProblem('SELECT', 'SeLeCt~a')).toBeUndefined();
    expect(patternProblem('SELECT', '')).toMatch(/empty/);
    expect(patternProblem('SELECT', 'select~')).toMatch(/empty keyword/);
    expect(patternProblem('SELECT', 'select~\n')).toMatch(/empty keyword/);
    expect(patternProblem('SELECT', 'select~~a')).toMatch(/empty keyword/);
    expect(patternProblem('SELECT', 't1~aa')).toMatch(/start with the statement type/);
    expect(patternProblem('SELECT', '\u017felect~aa')).toMatch(/start with the statement type/);
    expect(patternProblem('UPDATE', 'select~a')).toMatch(/update~/);
    expect(patternProblem('SELECT', `select${'~a'.repeat(127)}`)).toBeUndefined();
    expect(patternProblem('SELECT', `select${'~a'.repeat(128)}`)).toMatch(/128 keywords/);
    expect(patternProblem('SELECT', `select~${'a'.repeat(1017)}`)).toBeUndefined();
    expect(patternProblem('SELECT', `select~${'a'.repeat(1018)}`)).toMatch(/1024 characters/);
  });
});

describe('switch and job', () => {
  it('shows the switch with datastore_type=MySQL, signed, retried as a read', async () => {
    das.server.setHandler((_req, i) => (i === 0 ? unavailable : { status: 200, body: { switch_status: 'ON' } }));
    expect(await das.makeClient().showSqlLimitSwitchStatus({ instanceId: INSTANCE })).toBe('ON');
    expect(das.server.requests).toHaveLength(2);
    expect(das.sleeps).toHaveLength(1);
    const [req] = das.server.requests;
    expect([req!.method, req!.path, req!.query.get('datastore_type')]).toEqual(['GET', `${BASE}/switch`, 'MySQL']);
    expect(das.server.requests.every((r) => r.signatureValid)).toBe(true);
  });

  it('changes the switch with the documented body and returns the job id; never retried', async () => {
    das.server.setHandler(() => ({ status: 200, body: { job_id: '15535' }, headers: { 'X-Request-Id': 'sw-1' } }));
    expect(await das.makeClient().changeSqlLimitSwitchStatus({ instanceId: INSTANCE, status: 'ON' })).toEqual({ jobId: '15535', requestId: 'sw-1' });
    expect(das.server.requests[0]!.method).toBe('POST');
    expect(das.server.requests[0]!.path).toBe(`${BASE}/switch`);
    expect(JSON.parse(das.server.requests[0]!.body)).toEqual({ datastore_type: 'MySQL', switch_status: 'ON' });
    expect(das.server.requests[0]!.signatureValid).toBe(true);

    das.server.setHandler(() => unavailable);
    const err = await rejectionOf(das.makeClient().changeSqlLimitSwitchStatus({ instanceId: INSTANCE, status: 'OFF' }));
    expect(err).toMatchObject({ httpStatus: 503, retryable: false, attempts: 1 });
    expect(das.server.requests).toHaveLength(2);
    expect(das.sleeps).toEqual([]);
  });

  it('reads the job, retried as a read; an unknown status is an invalid answer', async () => {
    das.server.setHandler((_req, i) => (i === 0 ? unavailable : { status: 200, body: { job_id: '15535', job_status: 'FAILED', fail_reason: 'kernel too old' } }));
    expect(await das.makeClient().showSqlLimitJobInfo({ instanceId: INSTANCE, jobId: '15535' })).toEqual({ jobId: '15535', status: 'FAILED', failReason: 'kernel too old' });
    expect(das.server.requests.map((r) => [r.path, r.query.get('job_id')])).toEqual([
      [`${BASE}/job`, '15535'],
      [`${BASE}/job`, '15535'],
    ]);

    das.server.setHandler(() => ({ status: 200, body: { job_id: '1', job_status: 'COMPLETED' } }));
    expect(await das.makeClient().showSqlLimitJobInfo({ instanceId: INSTANCE, jobId: '1' })).toEqual({ jobId: '1', status: 'COMPLETED', failReason: '' });

    das.server.setHandler(() => ({ status: 200, body: { job_id: '1', job_status: 'DONE' } }));
    expect(await rejectionOf(das.makeClient().showSqlLimitJobInfo({ instanceId: INSTANCE, jobId: '1' }))).toMatchObject({ kind: 'invalid-response' });
  });

  it('validates the switch value and the job id before sending', async () => {
    const c = das.makeClient();
    const status = (await rejectionOf(c.changeSqlLimitSwitchStatus({ instanceId: INSTANCE, status: 'on' as 'ON' }))) as DasRequestError;
    expect(status).toBeInstanceOf(DasRequestError);
    expect(status.issues.map((i) => i.path)).toEqual(['status']);
    const job = (await rejectionOf(c.showSqlLimitJobInfo({ instanceId: INSTANCE, jobId: '' }))) as DasRequestError;
    expect(job.issues.map((i) => i.path)).toEqual(['jobId']);
    const inst = (await rejectionOf(c.showSqlLimitSwitchStatus({ instanceId: '../x' }))) as DasRequestError;
    expect(inst.issues.map((i) => i.path)).toEqual(['instanceId']);
    expect(das.server.requests).toHaveLength(0);
  });
});

describe('rules', () => {
  it('creates rules with the documented body (optional fields only when given); never retried', async () => {
    das.server.setHandler(() => ({ status: 200, headers: { 'X-Request-Id': 'cr-1' } }));
    const result = await das.makeClient().createSqlLimitRules({
      instanceId: INSTANCE,
      rules: [rule(), { sqlType: 'DELETE', pattern: 'delete~t1~name', maxConcurrency: 1, maxWaiting: 5, hisSqlLimitSwitch: true }],
    });
    expect(result).toEqual({ requestId: 'cr-1' });
    const [req] = das.server.requests;
    expect([req!.method, req!.path, req!.signatureValid]).toEqual(['POST', `${BASE}/rules`, true]);
    expect(req!.body).toBe(
      '{"datastore_type":"MySQL","sql_limit_rules":[{"sql_type":"SELECT","pattern":"select~t2~var","max_concurrency":100},' +
        '{"sql_type":"DELETE","pattern":"delete~t1~name","max_concurrency":1,"max_waiting":5,"his_sql_limit_switch":true}]}',
    );

    das.server.setHandler(() => unavailable);
    expect(await rejectionOf(das.makeClient().createSqlLimitRules({ instanceId: INSTANCE, rules: [rule()] }))).toMatchObject({ httpStatus: 503, attempts: 1, retryable: false });
    expect(das.server.requests).toHaveLength(2);
    expect(das.sleeps).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['no rule', [], 'rules'],
    ['six rules', Array.from({ length: 6 }, () => rule()), 'rules'],
    ['an unknown sql_type', [rule({ sqlType: 'REPLACE' as 'SELECT' })], 'rules.0.sqlType'],
    ['a PostgreSQL kind', [rule({ sqlType: 'QUERY_ID' as 'SELECT' })], 'rules.0.sqlType'],
    ['an empty keyword', [rule({ pattern: 'select~~a' })], 'rules.0.pattern'],
    ['a trailing ~', [rule(), rule({ pattern: 'select~a~' })], 'rules.1.pattern'],
    ['the type not first', [rule({ pattern: 't2~select' })], 'rules.0.pattern'],
    ['the wrong type first', [rule({ sqlType: 'UPDATE' })], 'rules.0.pattern'],
    ['129 keywords', [rule({ pattern: `select${'~k'.repeat(128)}` })], 'rules.0.pattern'],
    ['1025 characters', [rule({ pattern: `select~${'a'.repeat(1018)}` })], 'rules.0.pattern'],
    ['an empty pattern', [rule({ pattern: '' })], 'rules.0.pattern'],
    ['a negative max_concurrency', [rule({ maxConcurrency: -1 })], 'rules.0.maxConcurrency'],
    ['max_concurrency above 1e9', [rule({ maxConcurrency: 1_000_000_001 })], 'rules.0.maxConcurrency'],
    ['a fractional max_concurrency', [rule({ maxConcurrency: 1.5 })], 'rules.0.maxConcurrency'],
    ['a negative max_waiting', [rule({ maxWaiting: -1 })], 'rules.0.maxWaiting'],
    ['a non-boolean his_sql_limit_switch', [rule({ hisSqlLimitSwitch: 'yes' as unknown as boolean })], 'rules.0.hisSqlLimitSwitch'],
  ])('refuses %s before sending, naming the field', async (_what, rules, field) => {
    const err = (await rejectionOf(das.makeClient().createSqlLimitRules({ instanceId: INSTANCE, rules: rules as SqlLimitRuleInput[] }))) as DasRequestError;
    expect(err).toBeInstanceOf(DasRequestError);
    expect(err.operation).toBe('CreateSqlLimitRules');
    expect(err.issues.map((i) => i.path)).toContain(field);
    expect(das.server.requests).toHaveLength(0);
  });

  it('accepts the limits themselves: 5 rules, 128 keywords, 1024 characters, 0 and 1e9', async () => {
    das.server.setHandler(() => ({ status: 200 }));
    await das.makeClient().createSqlLimitRules({
      instanceId: INSTANCE,
      rules: [
        rule({ maxConcurrency: 0 }),
        rule({ maxConcurrency: 1_000_000_000 }),
        rule({ pattern: `select${'~k'.repeat(127)}` }),
        rule({ pattern: `select~${'a'.repeat(1017)}` }),
        rule({ sqlType: 'INSERT', pattern: 'INSERT~orders' }),
      ],
    });
    expect(JSON.parse(das.server.requests[0]!.body).sql_limit_rules).toHaveLength(5);
  });

  it('lists every page with limit=100; string ids, number limits', async () => {
    const wire = (i: number) => ({ id: String(i), sql_type: 'SELECT', pattern: `select~t${i}`, max_concurrency: i, ...(i === 2 ? { max_waiting: 7 } : {}) });
    das.server.setHandler((req, i) => {
      if (i === 0) return unavailable;
      const offset = Number(req.query.get('offset'));
      const n = offset === 0 ? 100 : 3;
      return { status: 200, body: { sql_limit_rules: Array.from({ length: n }, (_, k) => wire(offset + k + 1)), total_count: 103 } };
    });
    const rules = await das.makeClient().listSqlLimitRules({ instanceId: INSTANCE });
    expect(rules).toHaveLength(103);
    expect(rules[1]).toEqual({ id: '2', sqlType: 'SELECT', pattern: 'select~t2', maxConcurrency: 2, maxWaiting: 7 });
    expect(rules[0]).toEqual({ id: '1', sqlType: 'SELECT', pattern: 'select~t1', maxConcurrency: 1 });
    expect(das.server.requests.map((r) => [r.method, r.path, r.query.get('datastore_type'), r.query.get('offset'), r.query.get('limit')])).toEqual([
      ['GET', `${BASE}/rules`, 'MySQL', '0', '100'],
      ['GET', `${BASE}/rules`, 'MySQL', '0', '100'],
      ['GET', `${BASE}/rules`, 'MySQL', '100', '100'],
    ]);
  });

  it('refuses a rule list whose numbers are not numbers', async () => {
    das.server.setHandler(() => ({ status: 200, body: { sql_limit_rules: [{ id: '1', sql_type: 'SELECT', pattern: 'select~a', max_concurrency: 'many' }], total_count: 1 } }));
    const err = await rejectionOf(das.makeClient().listSqlLimitRules({ instanceId: INSTANCE }));
    expect(err).toBeInstanceOf(DasApiError);
    expect(err).toMatchObject({ kind: 'invalid-response' });
  });

  it('deletes by string ids with a JSON body; never retried; validates the ids', async () => {
    das.server.setHandler(() => ({ status: 200 }));
    await das.makeClient().deleteSqlLimitRules({ instanceId: INSTANCE, ruleIds: ['6', '7'] });
    const [req] = das.server.requests;
    expect([req!.method, req!.path, req!.signatureValid]).toEqual(['DELETE', `${BASE}/rules`, true]);
    expect(JSON.parse(req!.body)).toEqual({ datastore_type: 'MySQL', sql_limit_rule_ids: ['6', '7'] });

    das.server.setHandler(() => unavailable);
    await rejectionOf(das.makeClient().deleteSqlLimitRules({ instanceId: INSTANCE, ruleIds: ['6'] }));
    expect(das.server.requests).toHaveLength(2);

    for (const [ruleIds, field] of [
      [[], 'ruleIds'],
      [[''], 'ruleIds.0'],
      [['6', 'a b'], 'ruleIds.1'],
      [[6], 'ruleIds.0'],
    ] as const) {
      const err = (await rejectionOf(das.makeClient().deleteSqlLimitRules({ instanceId: INSTANCE, ruleIds: ruleIds as unknown as string[] }))) as DasRequestError;
      expect(err).toBeInstanceOf(DasRequestError);
      expect(err.issues.map((i) => i.path)).toEqual([field]);
    }
    expect(das.server.requests).toHaveLength(2);
  });
});

describe('parse', () => {
  it('sends the sample statement and returns the suggested pattern', async () => {
    das.server.setHandler(() => ({ status: 200, body: { rule: 'select~from~das_conn_info' } }));
    const pattern = await das.makeClient().parseSqlLimitRules({ instanceId: INSTANCE, originalSql: 'select * from das_conn_info', useTemplate: true, keepOperators: true });
    expect(pattern).toBe('select~from~das_conn_info');
    const [req] = das.server.requests;
    expect([req!.method, req!.path]).toEqual(['POST', `${BASE}/parse`]);
    expect(JSON.parse(req!.body)).toEqual({ datastore_type: 'MySQL', original_sql: 'select * from das_conn_info', use_template: true, keep_operators: true });
  });

  it('validates the statement length and the flags before sending', async () => {
    const c = das.makeClient();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ originalSql: '' }, 'originalSql'],
      [{ originalSql: 'x'.repeat(1025) }, 'originalSql'],
      [{ useTemplate: 'yes' }, 'useTemplate'],
      [{ keepOperators: undefined }, 'keepOperators'],
    ];
    for (const [override, field] of cases) {
      const params = { instanceId: INSTANCE, originalSql: 'select 1', useTemplate: true, keepOperators: false, ...override };
      const err = (await rejectionOf(c.parseSqlLimitRules(params as never))) as DasRequestError;
      expect(err.issues.map((i) => i.path)).toEqual([field]);
    }
    expect(das.server.requests).toHaveLength(0);
  });
});
