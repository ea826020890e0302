// Property-based fuzzing of every das-local route (fast-check): ≥ 10 000 generated requests per route,
// most of them correctly signed so that they reach DAS's own validation — wrong types, huge strings,
// unicode, negative and 2^31 ids, missing and extra fields, malformed JSON, wrong content types, junk
// path parameters and queries — plus unsigned, badly signed and unknown routes. For every answer: never a
// 5xx; the body is DAS's {error_code,error_msg} or the gateway's {error_code,error_msg,request_id}; and a
// refused request never reached MySQL (calls into the MySQL backend are attributed to the request that
// made them). The db user registered for the fuzz has no PROCESS privilege, and sessions owned by this
// test must all be alive at the end: no generated request issued a KILL against them.
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signParts, wirePath, wireQuery } from '@quell/das-client/signer';
import { objectBody, type FieldArbitraries } from '@quell/test-kit/fuzz';
import { aliveIds, closeSessions, openSession, type DbSession } from '@quell/test-kit/mariadb';
import { call, INSTANCE_ID, PROJECT_ID } from '../test/official-signer.ts';
import { createTestAccounts, createTestDas, type TestAccounts } from '../test/sandbox.ts';
import { MysqlBackend } from './mysql-backend.ts';
import type { DasServer } from './server.ts';

const RUNS = Number(process.env.QUELL_FUZZ_RUNS ?? 10_000);
const CONCURRENCY = 16;
const AK = 'AKFUZZFUZZFUZZFUZZ01';
const SK = randomBytes(24).toString('hex');

const als = new AsyncLocalStorage<string>();
const backendCalls = new Map<string, string[]>();
let unattributed = 0;
const restore: Array<() => void> = [];

// Every call into MySQL goes through MysqlBackend: count them per fuzz request.
for (const method of ['checkCredentials', 'listProcesses', 'killProcesses'] as const) {
  const original = MysqlBackend.prototype[method] as (...args: unknown[]) => Promise<unknown>;
  (MysqlBackend.prototype as unknown as Record<string, unknown>)[method] = function (this: MysqlBackend, ...args: unknown[]) {
    const id = als.getStore();
    if (id === undefined) unattributed++;
    else backendCalls.set(id, [...(backendCalls.get(id) ?? []), method]);
    return original.apply(this, args);
  };
  restore.push(() => {
    (MysqlBackend.prototype as unknown as Record<string, unknown>)[method] = original;
  });
}

let accounts: TestAccounts;
let das: DasServer;
let port = 0;
let dbUserId = '';
let victimId = '';
const mine: DbSession[] = [];
let agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
/** das-local's own account of its 500s (request id → the MySQL error behind it). */
const internalErrors = new Map<string, string>();
/**
 * MySQL being unavailable is answered 500 DAS.200001 by design (the server is shared with other test runs
 * and may refuse connections for a moment). Such answers are counted, not failed; any other 5xx fails.
 */
const ENVIRONMENT = /ER_CON_COUNT_ERROR|Too many connections|ECONNRESET|ETIMEDOUT|PROTOCOL_CONNECTION_LOST|ER_HOST_IS_BLOCKED|connect ETIMEDOUT|ECONNREFUSED/;
const tally: Record<string, { inputs: number; statuses: Record<number, number>; mysqlCalls: number; mysqlUnavailable: number }> = {};

beforeAll(async () => {
  accounts = await createTestAccounts();
  das = await createTestDas({
    credentials: [{ ak: AK, sk: SK }],
    log: (line) => {
      if (line.status === 500 && typeof line.internal_error === 'string') internalErrors.set(String(line.request_id), line.internal_error);
    },
  });
  const handler = das.server.listeners('request')[0] as http.RequestListener;
  das.server.removeAllListeners('request');
  das.server.on('request', (req, res) => als.run(String(req.headers['x-fuzz-id'] ?? ''), () => handler(req, res)));
  const { url } = await das.listen(0, '127.0.0.1');
  port = Number(new URL(url).port);
  const base = `/v3/${PROJECT_ID}/instances/${INSTANCE_ID}`;
  // The fuzz's db user: no PROCESS, no kill privilege — it sees and can kill only its own sessions.
  const reg = await call(url, { method: 'POST', path: `${base}/db-users`, body: { db_username: accounts.weak.user, db_user_password: accounts.weak.password, datastore_type: 'MySQL' }, ak: AK, sk: SK });
  expect(reg.status).toBe(200);
  dbUserId = reg.json.db_user_id;
  const victim = await call(url, { method: 'POST', path: `${base}/db-users`, body: { db_username: accounts.other.user, db_user_password: accounts.other.password, datastore_type: 'MySQL' }, ak: AK, sk: SK });
  expect(victim.status).toBe(200);
  victimId = victim.json.db_user_id;
  // Sessions this test owns; none may die.
  for (const login of [accounts.weak, accounts.app, accounts.other, accounts.weak]) mine.push(await openSession(login, login === accounts.weak ? {} : { database: accounts.db1 }));
  ROUTES = routes();
}, 60_000);

afterAll(async () => {
  agent.destroy();
  for (const r of restore) r();
  await closeSessions(mine);
  await das?.close();
  await accounts?.drop();
  console.log(`fuzz das-local: ${JSON.stringify(tally)}`);
});

// ---- generators ----

const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
const special = fc.constantFrom('', ' ', '\u0000', '😀', 'a'.repeat(257), 'a'.repeat(81), '../../etc/passwd', "' OR 1=1 --", '%00', 'null', 'mysql', 'MySQL', 'system user', '%', '1;KILL 1', '`x`');
const shortText = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) }, { weight: 3, arbitrary: special });
const text = fc.oneof({ weight: 40, arbitrary: shortText }, { weight: 1, arbitrary: fc.constantFrom('x'.repeat(70_000), 'é'.repeat(30_000)) });
const odd = fc.oneof(
  fc.integer(),
  fc.constantFrom(-1, 0, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 53, 1e308, 0.5),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 4 }),
  fc.anything({ maxDepth: 2 }),
);
const anyValue = fc.oneof({ weight: 3, arbitrary: text }, { weight: 2, arbitrary: odd });
// Ids far from any session this test opened (which MariaDB numbers from the low thousands here) or junk.
const processId = fc.oneof(
  fc.integer({ min: 2_000_000_000, max: 2 ** 31 - 1 }).map(String),
  fc.constantFrom('-1', '2147483648', '99999999999', '1.5', '0x10', ' 7', '', '1e3', 'abc'),
  odd,
);
const processIds = fc.oneof({ weight: 5, arbitrary: fc.array(processId, { maxLength: 8 }) }, { weight: 1, arbitrary: anyValue });

function wireBody(obj: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<{ body?: string; type: string }> {
  return fc.oneof(
    { weight: 12, arbitrary: obj.map((o) => ({ body: JSON.stringify(o), type: 'application/json' })) },
    { weight: 1, arbitrary: fc.constantFrom('{"db_user_id":', '[', 'nul', '{"a":1}}', '"x"', '42', 'null', '[]', "{'a':1}").map((b) => ({ body: b, type: 'application/json' })) },
    { weight: 1, arbitrary: fc.tuple(obj, fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16')).map(([o, t]) => ({ body: JSON.stringify(o), type: t })) },
    { weight: 1, arbitrary: fc.constant({ type: 'application/json' }) },
    { weight: 1, arbitrary: fc.constantFrom(true, false, false, false, false).map((big) => (big ? { body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }), type: 'application/json' } : { body: '{}', type: 'application/json' })) },
  );
}
const segment = (valid: fc.Arbitrary<string>) => fc.oneof({ weight: 6, arbitrary: valid }, { weight: 2, arbitrary: shortText.map(wellFormed) }, { weight: 1, arbitrary: fc.constantFrom('', '..', '%', 'A'.repeat(300)) });
const project = segment(fc.constant(PROJECT_ID));
const instance = segment(fc.constant(INSTANCE_ID));
const query = (known: string[], plausible: fc.Arbitrary<string>) =>
  fc.array(fc.tuple(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map(wellFormed) }), fc.oneof(plausible, shortText.map(wellFormed), fc.constantFrom('-1', '0', '101', '1e2', '99999999999', ''))), { maxLength: 5 });
/** How the request is authenticated: mostly well signed, sometimes not at all, wrongly, or with a bad date. */
const auth = fc.constantFrom('signed', 'signed', 'signed', 'signed', 'signed', 'signed', 'none', 'wrong-sk', 'unknown-ak', 'old-date', 'garbage');

interface Gen {
  method: string;
  segments: string[];
  query: Array<[string, string]>;
  body?: string;
  type: string;
  auth: string;
  extraHeader?: [string, string];
}
interface Route {
  name: string;
  gen: fc.Arbitrary<Gen>;
}

const dbUserIdValue = () => fc.oneof(fc.constant(dbUserId), fc.uuid(), fc.constantFrom(dbUserId.toUpperCase(), `${dbUserId}x`, dbUserId.slice(1)));

function route(name: string, method: string, rest: fc.Arbitrary<string[]>, q: fc.Arbitrary<Array<[string, string]>>, body?: FieldArbitraries): Route {
  const b = body ? wireBody(objectBody(body, anyValue)) : fc.oneof({ weight: 6, arbitrary: fc.constant({ type: 'application/json' } as { body?: string; type: string }) }, { weight: 1, arbitrary: wireBody(objectBody({}, anyValue)) });
  return {
    name,
    gen: fc.tuple(project, instance, rest, q, b, auth, fc.option(fc.tuple(fc.constantFrom('x-language', 'x-project-id', 'x-junk'), fc.string({ maxLength: 20 }).map((s) => s.replace(/[^\x21-\x7e]/g, ''))), { nil: undefined })).map(([p, i, r, qq, bb, a, x]) => ({
      method,
      segments: ['v3', p, 'instances', i, ...r],
      query: qq,
      ...(bb.body !== undefined ? { body: bb.body } : {}),
      type: bb.type,
      auth: a,
      ...(x ? { extraHeader: x } : {}),
    })),
  };
}

let ROUTES: Route[] = [];
function routes(): Route[] {
  const user = fc.oneof(fc.constantFrom('app', 'root', 'system user', 'nobody'), text);
  const idSeg = (valid: () => fc.Arbitrary<string>) => segment(valid()).map((s) => [s]);
  return [
    route('RegisterDbUser POST …/db-users', 'POST', fc.constant(['db-users']), query(['x'], fc.constant('1')), { db_username: fc.constantFrom('nobody', 'root', accounts.weak.user), db_user_password: text, datastore_type: fc.constantFrom('MySQL', 'mysql', 'PostgreSQL', '') }),
    route('ListDbUsers GET …/db-users', 'GET', fc.constant(['db-users']), query(['offset', 'limit', 'db_user_id', 'db_username'], fc.oneof(fc.constantFrom('0', '1', '100'), dbUserIdValue()))),
    route('ShowDbUser GET …/db-users/{id}', 'GET', idSeg(dbUserIdValue).map((s) => ['db-users', ...s]), query(['x'], fc.constant('1'))),
    // Update with the registered id: only a correct password could change it, and none is generated.
    route('UpdateDbUser PUT …/db-users/{id}', 'PUT', idSeg(dbUserIdValue).map((s) => ['db-users', ...s]), query(['x'], fc.constant('1')), { db_username: fc.constantFrom(accounts.weak.user, 'nobody'), db_user_password: text }),
    // Delete may remove only the second, throwaway registration (never the fuzz's own db user).
    route('DeleteDbUser DELETE …/db-users/{id}', 'DELETE', idSeg(() => fc.oneof(fc.constant(victimId), fc.uuid())).map((s) => ['db-users', ...s]), query(['x'], fc.constant('1'))),
    route('ListProcesses GET …/processes', 'GET', fc.constant(['processes']), query(['db_user_id', 'user', 'database', 'offset', 'limit', 'node_id'], fc.oneof(dbUserIdValue(), fc.constantFrom('app', 'nobody', '0', '100')))),
    route('DeleteProcess DELETE …/process', 'DELETE', fc.constant(['process']), query(['x'], fc.constant('1')), { db_user_id: dbUserIdValue(), process_ids: processIds, user, database: fc.oneof(fc.constantFrom('shop', 'nodb'), text) }),
    {
      name: 'unknown routes and methods',
      gen: fc
        .tuple(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'), fc.array(fc.oneof(shortText.map(wellFormed), fc.constantFrom('v3', PROJECT_ID, 'instances', INSTANCE_ID, 'db-users', 'process', 'processes', '__das-local', 'faults')), { maxLength: 7 }), auth)
        .map(([m, segs, a]) => ({ method: m, segments: segs, query: [], type: 'application/json', auth: a })),
    },
  ];
}

let seq = 0;
function send(g: Gen, id: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const path = wirePath(g.segments);
  const qs = wireQuery(g.query);
  const headers: Record<string, string> = { 'content-type': g.type, 'x-project-id': PROJECT_ID, ...(g.extraHeader ? { [g.extraHeader[0]]: g.extraHeader[1] } : {}) };
  let sent: Record<string, string> = headers;
  if (g.auth !== 'none' && g.auth !== 'garbage') {
    const sk = g.auth === 'wrong-sk' ? `${SK}x` : SK;
    const ak = g.auth === 'unknown-ak' ? 'AKNOTKNOWN0000000000' : AK;
    const now = g.auth === 'old-date' ? new Date(Date.now() - 16 * 60_000) : new Date();
    sent = signParts({ method: g.method, host: `127.0.0.1:${port}`, pathSegments: g.segments, query: g.query, headers, ...(g.body !== undefined ? { body: g.body } : {}) }, { ak, sk }, now);
  } else if (g.auth === 'garbage') sent = { ...headers, Authorization: 'SDK-HMAC-SHA256 Access=x, SignedHeaders=host, Signature=zz' };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: g.method, path: qs ? `${path}?${qs}` : path, agent, headers: { ...sent, 'x-fuzz-id': id, ...(g.body !== undefined ? { 'content-length': String(Buffer.byteLength(g.body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(g.body);
  });
}

async function fuzz(r: Route): Promise<string[]> {
  const inputs = fc.sample(r.gen, { numRuns: RUNS, seed: 0xda5 + r.name.length });
  const problems: string[] = [];
  const t = (tally[r.name] = { inputs: 0, statuses: {} as Record<number, number>, mysqlCalls: 0, mysqlUnavailable: 0 });
  // Fresh connections for each route: a keep-alive socket left idle while inputs were generated may be
  // closed by the server just as it is reused.
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const g = inputs[next++]!;
      const id = `d${++seq}`;
      const res = await send(g, id);
      t.inputs++;
      t.statuses[res.status] = (t.statuses[res.status] ?? 0) + 1;
      const calls = backendCalls.get(id) ?? [];
      backendCalls.delete(id);
      t.mysqlCalls += calls.length;
      const where = `${g.method} /${g.segments.join('/').slice(0, 150)} q=${JSON.stringify(g.query).slice(0, 150)} auth=${g.auth} ${(g.body ?? '').slice(0, 200)} → ${res.status} ${res.text.slice(0, 200)}`;
      if (res.status >= 500) {
        const cause = internalErrors.get(String(res.headers['x-request-id'])) ?? '';
        if (calls.length > 0 && ENVIRONMENT.test(cause)) t.mysqlUnavailable++;
        else problems.push(`5xx (${cause}): ${where}`);
      }
      if (res.status === 431) continue; // Node's HTTP parser, before das-local (request line over 16 kB)
      if (!/^[0-9a-f]{32}$/.test(String(res.headers['x-request-id']))) problems.push(`no X-Request-Id: ${where}`);
      if (res.status >= 400) {
        // DAS.200051 is MySQL's own refusal of the credentials: that request was valid and had to reach it.
        if (calls.length > 0 && !res.text.includes('DAS.200051') && res.status !== 500) problems.push(`refused but reached MySQL (${calls.join(',')}): ${where}`);
        if (g.method === 'HEAD') continue;
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(res.text);
        } catch {
          problems.push(`error body not JSON: ${where}`);
          continue;
        }
        const code = String(body.error_code);
        const keys = Object.keys(body).sort().join();
        const gateway = /^APIGW?\./.test(code);
        if (gateway ? keys !== 'error_code,error_msg,request_id' || body.request_id !== res.headers['x-request-id'] : keys !== 'error_code,error_msg' || !/^DAS\.\d{6}$/.test(code)) problems.push(`error shape: ${where}`);
        if (typeof body.error_msg !== 'string' || body.error_msg.length < 2) problems.push(`error message: ${where}`);
        if (res.text.includes(SK)) problems.push(`SK in a response: ${where}`);
      }
      if (g.auth !== 'signed' && res.status < 400 && g.segments[0] === 'v3') problems.push(`unsigned request accepted: ${where}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  expect(t.inputs).toBe(RUNS);
  return problems;
}

describe(`fuzzing every das-local route (${RUNS} inputs each)`, () => {
  for (const name of ['RegisterDbUser', 'ListDbUsers', 'ShowDbUser', 'UpdateDbUser', 'DeleteDbUser', 'ListProcesses', 'DeleteProcess', 'unknown']) {
    it(name, async () => {
      const r = ROUTES.find((x) => x.name.startsWith(name))!;
      const problems = await fuzz(r);
      expect(problems.slice(0, 5)).toEqual([]);
      expect(unattributed).toBe(0);
    }, 240_000);
  }
  it('a filter or account name MySQL cannot hold (control or non-BMP characters) is a 400, not a 500 from MySQL', async () => {
    const base = `/v3/${PROJECT_ID}/instances/${INSTANCE_ID}`;
    const url = `http://127.0.0.1:${port}`;
    const list = await call(url, { method: 'GET', path: `${base}/processes`, query: [['db_user_id', dbUserId], ['user', 'app😀']], ak: AK, sk: SK });
    expect([list.status, list.json.error_code]).toEqual([400, 'DAS.200100']);
    const kill = await call(url, { method: 'DELETE', path: `${base}/process`, body: { db_user_id: dbUserId, database: '\u{1F600}' }, ak: AK, sk: SK });
    expect([kill.status, kill.json.error_code]).toEqual([400, 'DAS.200100']);
    // The same for an account name to register or update (it was a 500 from the MySQL login).
    for (const name of ['\u0000', 'app\u{1F600}']) {
      const reg = await call(url, { method: 'POST', path: `${base}/db-users`, body: { db_username: name, db_user_password: 'x', datastore_type: 'MySQL' }, ak: AK, sk: SK });
      expect([reg.status, reg.json.error_code]).toEqual([400, 'DAS.200100']);
      const upd = await call(url, { method: 'PUT', path: `${base}/db-users/${dbUserId}`, body: { db_username: name, db_user_password: 'x' }, ak: AK, sk: SK });
      expect([upd.status, upd.json.error_code]).toEqual([400, 'DAS.200100']);
    }
  });

  it('no KILL reached the sessions this test owns, and the fuzz db user still works', async () => {
    expect(await aliveIds(mine.map((s) => s.id))).toEqual(mine.map((s) => s.id).sort((a, b) => a - b));
    const base = `/v3/${PROJECT_ID}/instances/${INSTANCE_ID}`;
    const res = await call(`http://127.0.0.1:${port}`, { method: 'GET', path: `${base}/processes`, query: [['db_user_id', dbUserId], ['user', accounts.weak.user]], ak: AK, sk: SK });
    expect(res.status).toBe(200);
    // It sees its own sessions (das-local hides its own pool connections).
    expect(res.json.processes.map((p: { id: string }) => Number(p.id)).sort()).toEqual(mine.filter((_, i) => i === 0 || i === 3).map((s) => s.id).sort());
  });
});
