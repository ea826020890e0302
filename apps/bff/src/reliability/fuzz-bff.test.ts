// Property-based fuzzing of every BFF route (fast-check): ≥ 10 000 generated requests per route — wrong
// types, huge strings, unicode, negative and 2^31 ids, missing and extra fields, malformed JSON, wrong
// content types, junk path parameters, query strings, cookies and headers. For every answer: never a 5xx;
// an error is always {error:{code,message,requestId,details?}} with requestId = X-Request-Id; a 400 names
// its fields; a refused request (400/401/403/404/413/429) made no DAS call at all; and an accepted body is
// one the contract accepts. The app (fuzz-server.ts) is createApp with an in-memory DAS port that counts
// calls per request, so no generated id can ever reach a real server.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginRequest } from '@quell/contracts/auth';
import { ErrorCode } from '@quell/contracts/errors';
import { BlindKillRequest, BroadKillRequest, KillPreviewRequest } from '@quell/contracts/kill';
import { RegisterDbUserRequest } from '@quell/contracts/db-users';
import { objectBody, type FieldArbitraries } from '@quell/test-kit/fuzz';
import { startFuzzServer, type FuzzServer } from '../../test/fuzz-server.ts';

/** Inputs per route (QUELL_FUZZ_RUNS overrides; the suite's floor is 10 000). */
const RUNS = Number(process.env.QUELL_FUZZ_RUNS ?? 10_000);
const CONCURRENCY = 16;
const REFUSALS = new Set([400, 401, 403, 404, 413, 429]);
const CODES = new Set<string>(ErrorCode.options);

let port = 0;
let agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const cookies: Record<'admin' | 'operator' | 'viewer', string> = { admin: '', operator: '', viewer: '' };
const csrf: Record<'admin' | 'operator' | 'viewer', string> = { admin: '', operator: '', viewer: '' };
/** Per route: inputs sent, statuses seen, DAS calls made. Printed at the end (docs/RELIABILITY.md quotes them). */
const tally: Record<string, { inputs: number; statuses: Record<number, number>; dasCalls: number }> = {};

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}
interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function send(r: Sent, id: string): Promise<Got> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...r.headers, 'x-fuzz-id': id };
    if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body));
    const req = http.request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

// ---- generators ----

const hugeString = fc.constantFrom('x'.repeat(70_000), 'é'.repeat(40_000), '\u0000'.repeat(1000));
const specialString = fc.constantFrom('', ' ', '\u0000', '\ud800', '😀', 'a'.repeat(81), 'a'.repeat(65), '../../etc/passwd', "' OR 1=1 --", '%00', 'null', 'system user', '=1+1', '<script>alert(1)</script>', 'main', 'main-db', 'app', 'shop');
/** Short text for paths, queries and fields; huge values are rarer (they mostly measure the parser). */
const shortText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 3, arbitrary: specialString },
);
const text = fc.oneof({ weight: 150, arbitrary: shortText }, { weight: 1, arbitrary: hugeString });
const odd = fc.oneof(
  fc.integer(),
  fc.constantFrom(-1, 0, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 53, 1e308, -0, 0.5, Number.MAX_SAFE_INTEGER),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  fc.anything({ maxDepth: 2 }),
);
const anyValue = fc.oneof({ weight: 3, arbitrary: text }, { weight: 2, arbitrary: odd });
const sessionId = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  fc.constantFrom(-1, 2 ** 31, -(2 ** 31), 2 ** 32, 1.5, '12', ' 7 ', '0x10', '1e3', '', '-5', '2147483648', '99999999999'),
  fc.stringMatching(/^\d{1,12}$/),
  odd,
);
const sessionIds = fc.oneof(
  { weight: 6, arbitrary: fc.array(sessionId, { maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(Array.from({ length: 10_001 }, (_, i) => i), [], [1, 1, 1], [], [2 ** 31], [-1], [], [1, 1, 1]) },
  { weight: 1, arbitrary: anyValue },
);


/** How the body is put on the wire: JSON, broken JSON, another content type, nothing, or too much. */
function wireBody(obj: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<{ body?: string; type?: string }> {
  return fc.oneof(
    { weight: 12, arbitrary: obj.map((o) => ({ body: JSON.stringify(o), type: 'application/json' })) },
    { weight: 1, arbitrary: fc.tuple(obj, fc.nat()).map(([o, n]) => { const s = JSON.stringify(o); return { body: s.slice(0, n % Math.max(1, s.length)), type: 'application/json' }; }) },
    { weight: 1, arbitrary: fc.constantFrom('{"user":', '[', 'nul', '{"a":1}}', '\u0000', '{"user":"a",}', "{'user':'a'}", '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}').map((b) => ({ body: b, type: 'application/json' })) },
    { weight: 1, arbitrary: fc.oneof(fc.constant('[]'), fc.constant('"text"'), fc.constant('42'), fc.constant('null'), fc.constant('true')).map((b) => ({ body: b, type: 'application/json' })) },
    { weight: 2, arbitrary: fc.tuple(obj, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/jsonx', '*/*', 'garbage')).map(([o, t]) => ({ body: JSON.stringify(o), type: t })) },
    { weight: 1, arbitrary: obj.map((o) => ({ body: JSON.stringify(o) })) },
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.constantFrom(true, false, false, false).map((big) => (big ? { body: JSON.stringify({ user: 'a', pad: 'x'.repeat(140_000) }), type: 'application/json' } : { body: '{}', type: 'application/json' })) },
  );
}

/** Lone surrogates cannot be percent-encoded as UTF-8: they become U+FFFD (raw invalid sequences are sent separately). */
const enc = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
const pathParam = (valid: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 3, arbitrary: shortText.map((s) => enc(String(s))) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '..', '%2e%2e', '%2e%2e%2f%2e%2e', '..%5c..', 'MAIN', 'nope', 'a'.repeat(64), '-x', '%00', '%20main') },
  );
const instanceParam = pathParam(fc.constantFrom('main', 'nouser', 'not-in-inventory'));
const uuidParam = pathParam(fc.oneof(fc.uuid(), fc.constant(randomUUID())));

const queryString = (known: string[]) =>
  fc
    .array(fc.tuple(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), fc.oneof(shortText.map(String), fc.constantFrom('app', 'shop', 'main', '2026-01-01T00:00:00Z', '10', '-1', '0', '1e9', 'completed', 'killed'))), { maxLength: 4 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}` : ''));

type Who = 'admin' | 'operator' | 'viewer' | 'anonymous' | 'junk';
const who = fc.constantFrom<Who>('admin', 'admin', 'admin', 'operator', 'viewer', 'anonymous', 'junk');
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '').slice(0, 300);
const authHeaders = fc.record({
  who,
  csrfMode: fc.constantFrom('right', 'right', 'right', 'wrong', 'none'),
  origin: fc.constantFrom(undefined, undefined, undefined, 'http://evil.example', 'null', '%%%'),
  junk: fc.string({ maxLength: 30 }),
});
function headersFor(a: { who: Who; csrfMode: string; origin: string | undefined; junk: string }, withCsrf: boolean, ownSessions = true): Record<string, string> {
  const h: Record<string, string> = {};
  // Routes that end a session (logout) never get the shared ones, which the other routes keep using.
  if (!ownSessions && a.who !== 'anonymous') a = { ...a, who: 'junk' };
  if (a.who === 'junk') h.cookie = `quell_session=${headerSafe(a.junk)}`;
  else if (a.who !== 'anonymous') h.cookie = cookies[a.who];
  if (withCsrf && a.csrfMode !== 'none') h['x-csrf-token'] = a.csrfMode === 'right' && a.who !== 'anonymous' && a.who !== 'junk' ? csrf[a.who] : headerSafe(a.junk) || 'x';
  if (a.origin) h.origin = a.origin;
  return h;
}

interface RouteFuzz {
  name: string;
  gen: fc.Arbitrary<Sent>;
  /** The contract a 2xx request body must satisfy (accepted ⇒ valid). */
  contract?: { safeParse(v: unknown): { success: boolean } };
}

function post(name: string, pathGen: fc.Arbitrary<string>, fields: FieldArbitraries, extraHeaders: fc.Arbitrary<Record<string, string>> = fc.constant({}), method = 'POST', contract?: RouteFuzz['contract'], ownSessions = true): RouteFuzz {
  return {
    name,
    contract,
    gen: fc.tuple(pathGen, wireBody(objectBody(fields, anyValue)), authHeaders, extraHeaders).map(([p, b, a, x]) => ({
      method,
      path: p,
      headers: { ...headersFor(a, true, ownSessions), ...(b.type ? { 'content-type': b.type } : {}), ...x },
      ...(b.body !== undefined ? { body: b.body } : {}),
    })),
  };
}
function get(name: string, pathGen: fc.Arbitrary<string>, method = 'GET'): RouteFuzz {
  return { name, gen: fc.tuple(pathGen, authHeaders).map(([p, a]) => ({ method, path: p, headers: headersFor(a, method !== 'GET') })) };
}

const idempotencyKey = fc.oneof(
  fc.uuid().map((k) => ({ 'idempotency-key': k })),
  fc.string({ maxLength: 200 }).map((k) => ({ 'idempotency-key': headerSafe(k) })),
  fc.constant({} as Record<string, string>),
  fc.constantFrom('short', 'x'.repeat(129), 'has space inside').map((k) => ({ 'idempotency-key': k })),
);

const ROUTES: RouteFuzz[] = [
  post('POST /api/auth/login', fc.constant('/api/auth/login'), { username: fc.constantFrom('admin-user', 'viewer-user', 'ghost'), password: text }, fc.constant({}), 'POST', LoginRequest),
  post('POST /api/auth/logout', fc.constant('/api/auth/logout'), {}, fc.constant({}), 'POST', undefined, false),
  get('GET /api/me', queryString(['x'] as string[]).map((q) => `/api/me${q}`)),
  get('GET /api/instances', queryString(['x']).map((q) => `/api/instances${q}`)),
  get('GET /api/instances/:id/sessions', fc.tuple(instanceParam, queryString(['user', 'database'])).map(([i, q]) => `/api/instances/${i}/sessions${q}`)),
  get('GET /api/instances/:id/locks', fc.tuple(instanceParam, queryString(['user', 'database', 'threadId'])).map(([i, q]) => `/api/instances/${i}/locks${q}`)),
  post('POST /api/instances/:id/kill-previews', instanceParam.map((i) => `/api/instances/${i}/kill-previews`), { user: fc.constantFrom('app', 'backup', 'system user'), database: fc.constant('shop'), sessionIds }, fc.constant({}), 'POST', KillPreviewRequest),
  post('POST /api/kill-previews/:id/commit', uuidParam.map((p) => `/api/kill-previews/${p}/commit`), { reason: fc.constantFrom('a reason', 'ab'), confirmInstanceName: fc.constant('main-db') }, idempotencyKey),
  post('POST /api/instances/:id/broad-kills', instanceParam.map((i) => `/api/instances/${i}/broad-kills`), { user: fc.constantFrom('app', 'backup'), database: fc.constant('shop'), reason: fc.constant('a reason'), confirmInstanceName: fc.constant('main-db') }, idempotencyKey, 'POST', BroadKillRequest),
  post('POST /api/instances/:id/blind-kills', instanceParam.map((i) => `/api/instances/${i}/blind-kills`), { sessionIds, reason: fc.constant('a reason') }, idempotencyKey, 'POST', BlindKillRequest),
  get('GET /api/audit', queryString(['instanceId', 'actor', 'outcome', 'status', 'from', 'to', 'limit', 'offset']).map((q) => `/api/audit${q}`)),
  get('GET /api/audit.csv', queryString(['instanceId', 'actor', 'outcome', 'status', 'from', 'to', 'limit', 'offset']).map((q) => `/api/audit.csv${q}`)),
  get('GET /api/instances/:id/db-users', instanceParam.map((i) => `/api/instances/${i}/db-users`)),
  post('POST /api/instances/:id/db-users', instanceParam.map((i) => `/api/instances/${i}/db-users`), { dbUsername: fc.constantFrom('app', 'quell_das'), dbUserPassword: text }, fc.constant({}), 'POST', RegisterDbUserRequest),
  get('DELETE /api/instances/:id/db-users/:dbUserId', fc.tuple(instanceParam, uuidParam).map(([i, d]) => `/api/instances/${i}/db-users/${d}`), 'DELETE'),
  get('GET /api/openapi.json', queryString(['x']).map((q) => `/api/openapi.json${q}`)),
  get('GET /healthz', queryString(['x']).map((q) => `/healthz${q}`)),
  get('GET /readyz', queryString(['x']).map((q) => `/readyz${q}`)),
  get('GET /metrics', queryString(['x']).map((q) => `/metrics${q}`)),
  {
    name: 'any other method or path',
    gen: fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), fc.oneof(text.map((s) => `/api/${enc(String(s))}`), text.map((s) => `/api/instances/main/${enc(String(s))}`), fc.constantFrom('/api', '/api/', '/api//me', '/API/me', '/api/me/', '/api/instances/', '/api/kill-previews')), authHeaders).map(([m, p, a]) => ({
      method: m,
      path: p,
      headers: { ...headersFor(a, true), 'content-type': 'application/json' },
      body: '{}',
    })),
  },
];

let seq = 0;
async function fuzzRoute(route: RouteFuzz): Promise<string[]> {
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const inputs = fc.sample(route.gen, { numRuns: RUNS, seed: 0x5eed + route.name.length });
  const t1 = Date.now();
  const problems: string[] = [];
  const t = (tally[route.name] = { inputs: 0, statuses: {} as Record<number, number>, dasCalls: 0 });
  // Fresh connections for each route: a keep-alive socket left idle while inputs were generated may be
  // closed by the server (keepAliveTimeout) just as it is reused.
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const input = inputs[next++]!;
      const id = `f${++seq}`;
      const res = await send(input, id);
      t.inputs++;
      t.statuses[res.status] = (t.statuses[res.status] ?? 0) + 1;
      const calls = Number(res.headers['x-fuzz-das-calls'] ?? 0);
      t.dasCalls += calls;
      const where = () => `${input.method} ${input.path.slice(0, 120)} ${JSON.stringify(input.headers).slice(0, 200)} ${(input.body ?? '').slice(0, 200)} → ${res.status} ${res.text.slice(0, 300)}`;
      if (res.status >= 500) problems.push(`5xx: ${where()}`);
      if (REFUSALS.has(res.status) && calls > 0) problems.push(`refused but reached DAS (${calls} calls): ${where()}`);
      // 431: Node's HTTP parser refuses a request line/headers over 16 kB before any Quell code runs (empty body).
      if (res.status === 431) continue;
      if (res.status >= 400 && input.method !== 'HEAD') {
        let body: { error?: Record<string, unknown> } | undefined;
        try {
          body = JSON.parse(res.text);
        } catch {
          problems.push(`error body is not JSON: ${where()}`);
          continue;
        }
        const e = body?.error;
        const keys = e ? Object.keys(e).filter((k) => k !== 'details') : [];
        if (!e || !CODES.has(String(e.code)) || typeof e.message !== 'string' || e.requestId !== res.headers['x-request-id'] || keys.sort().join() !== 'code,message,requestId') problems.push(`error shape: ${where()}`);
        else if (res.status === 400) {
          const issues = (e.details as { issues?: Array<{ field?: unknown }> } | undefined)?.issues;
          if (!Array.isArray(issues) || issues.length === 0 || !issues.every((i) => typeof i.field === 'string' && i.field.length > 0)) problems.push(`400 without named fields: ${where()}`);
        }
      }
      if (res.status >= 200 && res.status < 300 && route.contract && input.body !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(input.body);
        } catch {
          problems.push(`accepted malformed JSON: ${where()}`);
          continue;
        }
        if (!route.contract.safeParse(parsed).success) problems.push(`accepted a body the contract refuses: ${where()}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (process.env.QUELL_FUZZ_TIMING) {
    const cpu = process.cpuUsage(cpu0);
    console.log(`${route.name}: generate ${t1 - t0} ms, send ${Date.now() - t1} ms, cpu ${Math.round((cpu.user + cpu.system) / 1000)} ms`);
  }
  expect(t.inputs).toBe(RUNS);
  return problems;
}

let fuzzServer: FuzzServer | undefined;

beforeAll(async () => {
  const pw = randomBytes(12).toString('hex');
  fuzzServer = await startFuzzServer(pw);
  port = fuzzServer.port;
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const res = await send({ method: 'POST', path: '/api/auth/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `${role}-user`, password: pw }) }, 'login');
    expect(res.status).toBe(200);
    cookies[role] = /quell_session=[^;]+/.exec(String(res.headers['set-cookie']))![0];
    csrf[role] = JSON.parse(res.text).csrfToken;
  }
}, 60_000);

afterAll(async () => {
  agent.destroy();
  await fuzzServer?.close();
  // One line per route for the record (docs/RELIABILITY.md).
  console.log(`fuzz BFF: ${JSON.stringify(tally)}`);
});

describe(`fuzzing every BFF route (${RUNS} inputs each)`, () => {
  for (const route of ROUTES) {
    it(route.name, async () => {
      const problems = await fuzzRoute(route);
      expect(problems.slice(0, 5)).toEqual([]);
    }, 180_000);
  }
  it('every DAS call was attributed to a request', () => {
    expect(fuzzServer!.unattributed()).toBe(0);
  });
});
