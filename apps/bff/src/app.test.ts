// HTTP surface against a real das-local: the route × role table, CSRF, sessions, errors, headers, ops routes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import fc from 'fast-check';
import { startStack, type Role, type Stack } from '@quell/test-kit/stack';
import { disableUser } from './auth/users-file.ts';
import { API_PREFIX, needsCsrf, pathOf, routes, type RouteDef } from '@quell/contracts/routes';
import { openApiPath } from './openapi.ts';

let h: Stack;
const dist = path.join(tmpdir(), `quell-bff-dist-${randomUUID()}`);
let registeredId = '';

beforeAll(async () => {
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Quell SPA</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log("quell")');
  h = await startStack({ webDist: dist, logLevel: 'debug' });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

type Who = 'anonymous' | Role;
const WHO: Who[] = ['anonymous', 'viewer', 'operator', 'admin'];

interface RouteCase {
  name: string;
  route: RouteDef;
  path: () => string;
  body?: () => Record<string, unknown>;
  headers?: () => Record<string, string>;
  /** Expected status per caller. */
  expect: Record<Who, number>;
}

const viewerUp = (ok: number) => ({ anonymous: 401, viewer: ok, operator: ok, admin: ok });
const operatorUp = (ok: number) => ({ anonymous: 401, viewer: 403, operator: ok, admin: ok });
const adminOnly = (ok: number) => ({ anonymous: 401, viewer: 403, operator: 403, admin: ok });
const open = (ok: number) => ({ anonymous: ok, viewer: ok, operator: ok, admin: ok });
const key = () => ({ 'Idempotency-Key': randomUUID() });
const main = { instanceId: 'main' };

const ROUTES: RouteCase[] = [
  { name: 'login', route: routes.login, path: () => pathOf(routes.login), body: () => ({ username: 'viewer-user', password: h.passwords.viewer }), expect: open(200) },
  { name: 'logout', route: routes.logout, path: () => pathOf(routes.logout), expect: viewerUp(204) },
  { name: 'sign-out', route: routes.signOut, path: () => pathOf(routes.signOut), expect: viewerUp(200) },
  { name: 'auth providers', route: routes.authProviders, path: () => pathOf(routes.authProviders), expect: open(200) },
  // Without an identity provider configured, both send the browser back to the sign-in page.
  { name: 'oidc login', route: routes.oidcLogin, path: () => pathOf(routes.oidcLogin), expect: open(303) },
  { name: 'oidc callback', route: routes.oidcCallback, path: () => `${pathOf(routes.oidcCallback)}?code=x&state=y`, expect: open(303) },
  { name: 'me', route: routes.me, path: () => pathOf(routes.me), expect: viewerUp(200) },
  { name: 'instances', route: routes.instances, path: () => pathOf(routes.instances), expect: viewerUp(200) },
  { name: 'sessions', route: routes.sessions, path: () => `${pathOf(routes.sessions, main)}?user=${h.accounts.app.user}`, expect: viewerUp(200) },
  { name: 'session columns', route: routes.sessionColumns, path: () => `${pathOf(routes.sessionColumns, main)}?user=${h.accounts.app.user}`, expect: viewerUp(200) },
  { name: 'locks', route: routes.locks, path: () => pathOf(routes.locks, main), expect: viewerUp(200) },
  { name: 'filter suggestions', route: routes.filterSuggestions, path: () => pathOf(routes.filterSuggestions, main), expect: viewerUp(200) },
  { name: 'kill-previews', route: routes.killPreviews, path: () => pathOf(routes.killPreviews, main), body: () => ({ user: `${h.prefix}nobody` }), expect: viewerUp(201) },
  {
    name: 'commit (unknown preview)',
    route: routes.commitPreview,
    path: () => pathOf(routes.commitPreview, { previewId: randomUUID() }),
    body: () => ({ reason: 'table test' }),
    headers: key,
    expect: operatorUp(404),
  },
  { name: 'recheck (unknown kill)', route: routes.recheckKill, path: () => pathOf(routes.recheckKill, { auditId: randomUUID() }), expect: viewerUp(404) },
  { name: 'broad-kills', route: routes.broadKills, path: () => pathOf(routes.broadKills, main), body: () => ({ user: `${h.prefix}nobody`, reason: 'table test', confirmInstanceName: 'main-db' }), headers: key, expect: adminOnly(200) },
  { name: 'blind-kills', route: routes.blindKills, path: () => pathOf(routes.blindKills, main), body: () => ({ sessionIds: [2147483001], reason: 'table test' }), headers: key, expect: adminOnly(200) },
  {
    name: 'commit-and-throttle (unknown preview)',
    route: routes.commitAndThrottle,
    path: () => pathOf(routes.commitAndThrottle, { previewId: randomUUID() }),
    body: () => ({ reason: 'table test', throttle: { sqlType: 'SELECT', pattern: 'select~table_test', maxConcurrency: 1 } }),
    headers: key,
    expect: operatorUp(404),
  },
  { name: 'throttles', route: routes.throttles, path: () => pathOf(routes.throttles, main), expect: viewerUp(200) },
  {
    name: 'create throttle',
    route: routes.createThrottle,
    path: () => pathOf(routes.createThrottle, main),
    body: () => ({ sqlType: 'SELECT', pattern: `select~${h.prefix}nothing`, maxConcurrency: 1, reason: 'table test', durationMinutes: 1 }),
    expect: operatorUp(201),
  },
  { name: 'remove throttle (unknown)', route: routes.throttle, path: () => pathOf(routes.throttle, { ...main, throttleId: randomUUID() }), expect: operatorUp(400) },
  { name: 'throttle-previews', route: routes.throttlePreviews, path: () => pathOf(routes.throttlePreviews, main), body: () => ({ sqlType: 'SELECT', pattern: 'select~x', user: `${h.prefix}nobody` }), expect: viewerUp(200) },
  { name: 'throttle-patterns', route: routes.throttlePatterns, path: () => pathOf(routes.throttlePatterns, main), body: () => ({ sql: 'select * from orders' }), expect: viewerUp(200) },
  { name: 'approvals', route: routes.approvals, path: () => pathOf(routes.approvals), expect: viewerUp(200) },
  { name: 'approval (unknown)', route: routes.approval, path: () => pathOf(routes.approval, { approvalId: randomUUID() }), expect: viewerUp(404) },
  { name: 'approve (unknown)', route: routes.approve, path: () => pathOf(routes.approve, { approvalId: randomUUID() }), body: () => ({}), headers: key, expect: operatorUp(404) },
  { name: 'deny (unknown)', route: routes.deny, path: () => pathOf(routes.deny, { approvalId: randomUUID() }), body: () => ({ comment: 'table test' }), expect: operatorUp(404) },
  { name: 'audit', route: routes.audit, path: () => pathOf(routes.audit), expect: viewerUp(200) },
  { name: 'audit.csv', route: routes.auditCsv, path: () => pathOf(routes.auditCsv), expect: viewerUp(200) },
  { name: 'db-users list', route: routes.dbUsers, path: () => pathOf(routes.dbUsers, main), expect: adminOnly(200) },
  { name: 'db-users register', route: routes.registerDbUser, path: () => pathOf(routes.registerDbUser, main), body: () => ({ dbUsername: h.accounts.oth.user, dbUserPassword: h.accounts.oth.password }), expect: adminOnly(201) },
  { name: 'db-users delete', route: routes.dbUser, path: () => pathOf(routes.dbUser, { ...main, dbUserId: registeredId }), expect: adminOnly(204) },
  { name: 'notifications', route: routes.notifications, path: () => pathOf(routes.notifications), expect: adminOnly(200) },
  { name: 'openapi', route: routes.openapi, path: () => pathOf(routes.openapi), expect: open(200) },
  { name: 'healthz', route: routes.healthz, path: () => pathOf(routes.healthz), expect: open(200) },
  { name: 'readyz', route: routes.readyz, path: () => pathOf(routes.readyz), expect: open(200) },
  { name: 'metrics', route: routes.metrics, path: () => pathOf(routes.metrics), expect: open(200) },
];
const verb = (r: RouteCase) => r.route.method.toLowerCase() as 'get' | 'post' | 'delete';

const agents = new Map<Who, { agent: request.Agent; csrf: string }>();
/** One logged-in agent per role (logins cost an scrypt each); `fresh` for routes that end or replace the session. */
async function agentFor(who: Who, fresh = false) {
  if (who === 'anonymous') return { agent: h.anon(), csrf: '' };
  if (fresh) return h.login(who);
  let a = agents.get(who);
  if (!a) {
    a = await h.login(who);
    agents.set(who, a);
  }
  return a;
}

describe('route × role table', () => {
  it('covers every route of the contracts table, and the app mounts each exactly once', () => {
    const table = Object.values(routes);
    expect(new Set(ROUTES.map((r) => r.route))).toEqual(new Set(table));
    expect(h.quell.routes).toHaveLength(table.length);
    expect(new Set(h.quell.routes)).toEqual(new Set(table));
  });

  it('every route answers each role with the expected status', async () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const route of ROUTES) {
      for (const who of WHO) {
        if (route.name === 'db-users delete' && who === 'admin') {
          const ad = await h.login('admin');
          const reg = await ad.agent.post(pathOf(routes.dbUsers, { instanceId: 'main' })).set('X-CSRF-Token', ad.csrf).send({ dbUsername: h.accounts.app.user, dbUserPassword: h.accounts.app.password });
          expect(reg.status).toBe(201);
          registeredId = reg.body.dbUserId;
        } else if (route.name === 'db-users delete') registeredId = randomUUID();
        const { agent, csrf } = await agentFor(who, route.name === 'logout' || route.name === 'login' || route.name === 'sign-out');
        let req = agent[verb(route)](route.path());
        if (csrf) req = req.set('X-CSRF-Token', csrf);
        for (const [k, v] of Object.entries(route.headers?.() ?? {})) req = req.set(k, v);
        const res = route.body ? await req.send(route.body()) : await req;
        got.push(`${route.name} as ${who}: ${res.status}`);
        want.push(`${route.name} as ${who}: ${route.expect[who]}`);
        if (res.status >= 400) expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
      }
    }
    expect(got).toEqual(want);
  }, 120_000);

  it('state-changing routes without the CSRF token are refused for every role', async () => {
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const { agent } = await h.login(role);
      for (const route of ROUTES.filter((r) => needsCsrf(r.route))) {
        let req = agent[verb(route)](route.path());
        for (const [k, v] of Object.entries(route.headers?.() ?? {})) req = req.set(k, v);
        const res = route.body ? await req.send(route.body()) : await req;
        expect(`${route.name} as ${role}: ${res.status} ${res.body.error?.code}`).toBe(`${route.name} as ${role}: 403 FORBIDDEN`);
      }
      const wrong = await agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set('X-CSRF-Token', 'x'.repeat(43)).send({ user: 'u' });
      expect(wrong.status).toBe(403);
    }
  });

  it('a cross-origin state-changing request is refused even with a valid token', async () => {
    const { agent, csrf } = await h.login('viewer');
    const res = await agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set('X-CSRF-Token', csrf).set('Origin', 'http://evil.example').send({ user: 'u' });
    expect(res.status).toBe(403);
    const same = await agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set('X-CSRF-Token', csrf).set('Origin', h.url).send({ user: `${h.prefix}nobody` });
    expect(same.status).toBe(201);
    const login = await h.anon().post(pathOf(routes.login)).set('Origin', 'http://evil.example').send({ username: 'viewer-user', password: h.passwords.viewer });
    expect(login.status).toBe(403);
  });
});

describe('bad input: 400 naming the field, nothing sent to DAS', () => {
  const dasCalls = async () => {
    const text = await h.quell.metrics.registry.getSingleMetricAsString('quell_das_request_duration_seconds');
    return text
      .split('\n')
      .filter((l) => l.startsWith('quell_das_request_duration_seconds_count'))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  };

  it('every route', async () => {
    const ad = await h.login('admin');
    const c = { 'X-CSRF-Token': ad.csrf };
    const before = await dasCalls();
    const cases: Array<[string, () => Promise<request.Response>, string]> = [
      ['login without username', () => h.anon().post(pathOf(routes.login)).send({ password: 'x' }), 'username'],
      ['sessions without filter', () => ad.agent.get(pathOf(routes.sessions, { instanceId: 'main' })), 'query.user'],
      ['sessions with repeated user', () => ad.agent.get(`${pathOf(routes.sessions, { instanceId: 'main' })}?user=a&user=b`), 'query.user'],
      ['sessions with unknown parameter', () => ad.agent.get(`${pathOf(routes.sessions, { instanceId: 'main' })}?user=a&limit=3`), 'query.limit'],
      ['sessions with control characters', () => ad.agent.get(`${pathOf(routes.sessions, { instanceId: 'main' })}?database=a%00b`), 'query.database'],
      ['sessions on a malformed instance id', () => ad.agent.get(`${pathOf(routes.sessions, { instanceId: 'BAD_ID!' })}?user=a`), 'instanceId'],
      ['session columns without filter', () => ad.agent.get(pathOf(routes.sessionColumns, { instanceId: 'main' })), 'query.user'],
      ['session columns with unknown parameter', () => ad.agent.get(`${pathOf(routes.sessionColumns, { instanceId: 'main' })}?user=a&format=objects`), 'query.format'],
      ['preview with non-numeric id', () => ad.agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set(c).send({ user: 'a', sessionIds: ['12', 'abc'] }), 'sessionIds.1'],
      ['preview with ids only', () => ad.agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set(c).send({ sessionIds: [1] }), 'user'],
      ['preview with unknown field', () => ad.agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set(c).send({ user: 'a', host: 'x' }), 'host'],
      ['commit without reason', () => ad.agent.post(pathOf(routes.commitPreview, { previewId: randomUUID() })).set(c).set('Idempotency-Key', randomUUID()).send({}), 'reason'],
      ['commit without key', () => ad.agent.post(pathOf(routes.commitPreview, { previewId: randomUUID() })).set(c).send({ reason: 'abc' }), 'headers.idempotency-key'],
      ['commit with short key', () => ad.agent.post(pathOf(routes.commitPreview, { previewId: randomUUID() })).set(c).set('Idempotency-Key', 'abc').send({ reason: 'abc' }), 'headers.idempotency-key'],
      ['commit with bad preview id', () => ad.agent.post(pathOf(routes.commitPreview, { previewId: 'not-a-uuid' })).set(c).set('Idempotency-Key', randomUUID()).send({ reason: 'abc' }), 'previewId'],
      ['broad without confirmation', () => ad.agent.post(pathOf(routes.broadKills, { instanceId: 'main' })).set(c).send({ user: 'a', reason: 'abc' }), 'confirmInstanceName'],
      ['broad without filter', () => ad.agent.post(pathOf(routes.broadKills, { instanceId: 'main' })).set(c).send({ reason: 'abc', confirmInstanceName: 'main-db' }), 'user'],
      ['blind with negative id', () => ad.agent.post(pathOf(routes.blindKills, { instanceId: 'main' })).set(c).send({ sessionIds: [-1], reason: 'abc' }), 'sessionIds.0'],
      ['blind with id too large', () => ad.agent.post(pathOf(routes.blindKills, { instanceId: 'main' })).set(c).send({ sessionIds: [2 ** 31], reason: 'abc' }), 'sessionIds.0'],
      ['blind without reason', () => ad.agent.post(pathOf(routes.blindKills, { instanceId: 'main' })).set(c).send({ sessionIds: [1] }), 'reason'],
      ['broad without key', () => ad.agent.post(pathOf(routes.broadKills, main)).set(c).send({ user: 'a', reason: 'abc', confirmInstanceName: 'main-db' }), 'headers.idempotency-key'],
      ['blind without key', () => ad.agent.post(pathOf(routes.blindKills, main)).set(c).send({ sessionIds: [1], reason: 'abc' }), 'headers.idempotency-key'],
      ['broad with short key', () => ad.agent.post(pathOf(routes.broadKills, main)).set(c).set('Idempotency-Key', 'abc').send({ user: 'a', reason: 'abc', confirmInstanceName: 'main-db' }), 'headers.idempotency-key'],
      ['audit with limit 0', () => ad.agent.get(`${pathOf(routes.audit)}?limit=0`), 'query.limit'],
      ['audit with unknown outcome', () => ad.agent.get(`${pathOf(routes.audit)}?outcome=maybe`), 'query.outcome'],
      ['audit.csv with a bad date', () => ad.agent.get(`${pathOf(routes.auditCsv)}?from=yesterday`), 'query.from'],
      ['db-users register without name', () => ad.agent.post(pathOf(routes.dbUsers, { instanceId: 'main' })).set(c).send({ dbUserPassword: 'x' }), 'dbUsername'],
      ['db-users delete with bad id', () => ad.agent.delete(pathOf(routes.dbUser, { instanceId: 'main', dbUserId: 'not-a-uuid' })).set(c), 'dbUserId'],
      ['db-users list on a malformed instance', () => ad.agent.get(pathOf(routes.dbUsers, { instanceId: 'UPPER' })), 'instanceId'],
    ];
    for (const [name, send, field] of cases) {
      const res = await send();
      expect(`${name}: ${res.status} ${res.body.error?.code}`).toBe(`${name}: 400 VALIDATION_FAILED`);
      expect(res.body.error.details.issues.map((i: { field: string }) => i.field), name).toContain(field);
    }
    expect(await dasCalls()).toBe(before);
  });

  it('a db user DAS cannot sign in with is a 400 naming the password, not an upstream fault', async () => {
    const { agent, csrf } = await h.login('admin');
    const res = await agent
      .post(pathOf(routes.dbUsers, { instanceId: 'main' }))
      .set('X-CSRF-Token', csrf)
      .send({ dbUsername: h.accounts.backup.user, dbUserPassword: `${h.accounts.backup.password}-wrong` });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual(['dbUserPassword']);
    expect(JSON.stringify(res.body)).not.toContain(h.accounts.backup.password);
  });

  it('deleting a db user DAS does not know is a 404, not an upstream fault', async () => {
    const { agent, csrf } = await h.login('admin');
    const res = await agent.delete(pathOf(routes.dbUser, { instanceId: 'main', dbUserId: randomUUID() })).set('X-CSRF-Token', csrf);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(res.body.error.message).toMatch(/db user/);
  });

  it('unknown instances are 404, unknown API routes are 404, in the one error shape', async () => {
    const { agent } = await h.login('viewer');
    const a = await agent.get(`${pathOf(routes.sessions, { instanceId: 'not-there' })}?user=a`);
    expect(a.status).toBe(404);
    expect(a.body.error.code).toBe('NOT_FOUND');
    const b = await agent.get(`${API_PREFIX}/nothing-here`);
    expect(b.status).toBe(404);
    expect(Object.keys(b.body.error).sort()).toEqual(['code', 'message', 'requestId']);
    const c = await h.anon().post(`${API_PREFIX}/nothing-here`);
    expect(c.status).toBe(404);
  });

  it('malformed JSON is 400, a non-JSON body is 400 naming content-type, a large body is 413', async () => {
    const { agent, csrf } = await h.login('viewer');
    const bad = await agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set('X-CSRF-Token', csrf).set('Content-Type', 'application/json').send('{"user":');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const text = await agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set('X-CSRF-Token', csrf).set('Content-Type', 'text/plain').send('user=a');
    expect(text.status).toBe(400);
    expect(text.body.error.details.issues[0].field).toBe('headers.content-type');
    const big = await agent
      .post(pathOf(routes.killPreviews, { instanceId: 'main' }))
      .set('X-CSRF-Token', csrf)
      .send({ user: 'a', pad: 'x'.repeat(140_000) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    // The largest list the contract allows still fits.
    const most = await agent
      .post(pathOf(routes.killPreviews, { instanceId: 'main' }))
      .set('X-CSRF-Token', csrf)
      .send({ user: `${h.prefix}nobody`, sessionIds: Array.from({ length: 10_000 }, (_, i) => 2147473647 + i) });
    expect(most.status).toBe(201);
    expect(most.body.excluded).toHaveLength(20);
    expect(most.body.notFoundCount).toBe(10_000);
  });
});

describe('no 500 for anything a user can type', () => {
  it('random text in every field, parameter and header', async () => {
    const ad = await h.login('admin');
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('%', '%E0%A4%A', '../..', '\u0000', '=1+1', 'null', '[]', '{}'));
    const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '');
    await fc.assert(
      fc.asyncProperty(text, text, fc.anything({ maxDepth: 2 }), async (a, b, any) => {
        const enc = encodeURIComponent;
        const responses = [
          await ad.agent.get(`${pathOf(routes.sessions, { instanceId: a })}?user=${enc(b)}`),
          await ad.agent.get(`${pathOf(routes.sessions, { instanceId: 'main' })}?database=${enc(a)}&user=${enc(b)}`),
          await ad.agent.get(`${pathOf(routes.instances)}/main/${a.replace(/[?#]/g, '')}`),
          await ad.agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set('X-CSRF-Token', ad.csrf).send({ user: a, database: b, sessionIds: any }),
          await ad.agent.post(pathOf(routes.commitPreview, { previewId: a })).set('X-CSRF-Token', ad.csrf).set('Idempotency-Key', headerSafe(b) || 'x').send({ reason: any }),
          // An instance that is not in the inventory: the body is still validated first, and no id can reach DAS
          // (random ids must never be killed on a shared server).
          await ad.agent.post(pathOf(routes.blindKills, { instanceId: 'fuzz-not-in-inventory' })).set('X-CSRF-Token', ad.csrf).set('Idempotency-Key', randomUUID()).send({ sessionIds: any, reason: a }),
          await ad.agent.get(`${pathOf(routes.audit)}?actor=${enc(a)}&from=${enc(b)}`),
          await ad.agent.delete(pathOf(routes.dbUser, { instanceId: 'main', dbUserId: a })).set('X-CSRF-Token', ad.csrf),
          await h.anon().post(pathOf(routes.login)).send({ username: a, password: any }),
        ];
        for (const r of responses) {
          if (r.status >= 500) throw new Error(`${r.status} ${r.text}`);
          if (r.status >= 400 && r.headers['content-type']?.includes('json')) expect(r.body.error.code).toBeTypeOf('string');
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('login and sessions', () => {
  it('sets an HttpOnly SameSite=Strict cookie and rotates it on login', async () => {
    const agent = h.anon();
    const first = await agent.post(pathOf(routes.login)).send({ username: 'viewer-user', password: h.passwords.viewer });
    const cookie1 = String(first.headers['set-cookie']);
    expect(cookie1).toMatch(/quell_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
    expect(cookie1).not.toMatch(/Secure/);
    const value1 = /quell_session=([^;]+)/.exec(cookie1)![1]!;
    const second = await agent.post(pathOf(routes.login)).send({ username: 'viewer-user', password: h.passwords.viewer });
    const value2 = /quell_session=([^;]+)/.exec(String(second.headers['set-cookie']))![1]!;
    expect(value2).not.toBe(value1);
    expect((await request(h.url).get(pathOf(routes.me)).set('Cookie', `quell_session=${value1}`)).status).toBe(401);
    expect((await request(h.url).get(pathOf(routes.me)).set('Cookie', `quell_session=${value2}`)).status).toBe(200);
  });

  it('gives one generic message for a wrong password and an unknown user, then throttles the account', async () => {
    const wrong = await h.anon().post(pathOf(routes.login)).send({ username: 'operator-user', password: 'not-the-password' });
    const ghost = `${h.prefix}ghost`;
    const unknown = await h.anon().post(pathOf(routes.login)).send({ username: ghost, password: 'whatever-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe('invalid username or password');
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
    for (let i = 0; i < 4; i++) await h.anon().post(pathOf(routes.login)).send({ username: ghost, password: 'whatever-password' });
    const locked = await h.anon().post(pathOf(routes.login)).send({ username: ghost, password: 'whatever-password' });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('logout ends the session; idle sessions expire; disabled users lose their session', async () => {
    const v = await h.login('viewer');
    expect((await v.agent.post(pathOf(routes.logout)).set('X-CSRF-Token', v.csrf)).status).toBe(204);
    expect((await v.agent.get(pathOf(routes.me))).status).toBe(401);

    const idle = await h.login('viewer');
    h.clock.offsetMs = 31 * 60_000;
    try {
      expect((await idle.agent.get(pathOf(routes.me))).status).toBe(401);
    } finally {
      h.clock.offsetMs = 0;
    }
    expect((await idle.agent.get(pathOf(routes.me))).status).toBe(401);

    // Requests the browser makes on its own (auto-refresh) do not keep an idle login alive; the operator's do.
    const watched = await h.login('viewer');
    const active = await h.login('viewer');
    try {
      for (const minutes of [10, 20, 29]) {
        h.clock.offsetMs = minutes * 60_000;
        expect((await watched.agent.get(pathOf(routes.me)).set('X-Quell-Background', '1')).status).toBe(200);
        expect((await active.agent.get(pathOf(routes.me))).status).toBe(200);
      }
      h.clock.offsetMs = 40 * 60_000;
      expect((await watched.agent.get(pathOf(routes.me)).set('X-Quell-Background', '1')).status).toBe(401);
      expect((await active.agent.get(pathOf(routes.me))).status).toBe(200);
    } finally {
      h.clock.offsetMs = 0;
    }

    const op = await h.login('operator');
    expect((await op.agent.get(pathOf(routes.me))).body).toEqual({ username: 'operator-user', role: 'operator', csrfToken: op.csrf });
    disableUser(h.usersFile, 'operator-user');
    expect((await op.agent.get(pathOf(routes.me))).status).toBe(401);
    const again = await h.anon().post(pathOf(routes.login)).send({ username: 'operator-user', password: h.passwords.operator });
    expect(again.status).toBe(401);
  });
});

describe('headers, SPA and operations', () => {
  it('sends a strict CSP and no CORS headers', async () => {
    const res = await h.anon().get('/').set('Origin', 'http://evil.example');
    const csp = String(res.headers['content-security-policy']);
    const scriptSrc = /script-src ([^;]*)/.exec(csp)![1]!;
    expect(scriptSrc.trim()).toBe("'self'");
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    const pre = await h.anon().options(pathOf(routes.instances)).set('Origin', 'http://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves the SPA, falls back to index.html for client routes, and never escapes the dist dir', async () => {
    const index = await h.anon().get('/');
    expect(index.status).toBe(200);
    expect(index.text).toContain('Quell SPA');
    const deep = await h.anon().get('/instances/main/sessions');
    expect(deep.text).toContain('Quell SPA');
    const asset = await h.anon().get('/assets/app.js');
    expect(asset.text).toBe('console.log("quell")');
    for (const p of ['/..%2f..%2f..%2fetc%2fpasswd', '/assets/..%2f..%2f..%2f..%2fetc/passwd', '/%2e%2e/%2e%2e/etc/passwd']) {
      const r = await h.anon().get(p);
      expect(r.text).not.toContain('root:');
    }
  });

  it('publishes OpenAPI for every route, metrics, health and readiness', async () => {
    const doc = (await h.anon().get(pathOf(routes.openapi))).body;
    expect(doc.openapi).toBe('3.1.0');
    for (const r of Object.values(routes)) {
      const op = doc.paths[openApiPath(r.path)]?.[r.method.toLowerCase()];
      expect(op?.summary, `${r.method} ${r.path}`).toBe(r.summary);
      expect(op['x-quell-role'], r.path).toBe(r.access);
    }
    const operations = Object.values(doc.paths as Record<string, object>).reduce((n, methods) => n + Object.keys(methods).length, 0);
    expect(operations).toBe(Object.values(routes).length);
    const headerNames = (op: { parameters?: Array<{ in: string; name: string }> }) => (op.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
    expect(headerNames(doc.paths[openApiPath(routes.broadKills.path)].post)).toEqual(['X-CSRF-Token', 'Idempotency-Key']);
    expect(headerNames(doc.paths[openApiPath(routes.login.path)].post)).toEqual([]);
    expect(doc.paths[openApiPath(routes.killPreviews.path)].post.requestBody.content['application/json'].schema.properties.sessionIds).toBeDefined();
    const metrics = (await h.anon().get('/metrics')).text;
    expect(metrics).toContain('quell_http_requests_total');
    expect(metrics).toMatch(/quell_das_request_duration_seconds_count\{operation="ListProcesses",outcome="ok"\}/);
    expect(metrics).toContain('quell_audit_write_failures_total');
    const ready = await h.anon().get('/readyz');
    expect(ready.body).toEqual({ status: 'ready', checkedAt: expect.any(String), checks: { store: { ok: true }, das: { main: { ok: true, reached: 'database' } } } });
    const fault = h.faults.add('error500', { operations: ['ListProcesses'] });
    h.clock.offsetMs = 6_000; // past the readiness cache window
    try {
      const down = await h.anon().get('/readyz');
      expect(down.status).toBe(503);
      expect(down.body.checks.das.main.ok).toBe(false);
      expect(down.body.checks.das.main.error.httpStatus).toBe(500);
    } finally {
      h.faults.remove(fault);
      h.clock.offsetMs = 0;
    }
  });

  it('never puts a secret in a response or a log line', async () => {
    const ad = await h.login('admin');
    const reg = await ad.agent.post(pathOf(routes.dbUsers, { instanceId: 'main' })).set('X-CSRF-Token', ad.csrf).send({ dbUsername: h.accounts.backup.user, dbUserPassword: h.accounts.backup.password });
    expect(reg.status).toBe(201);
    const bodies = [
      reg.text,
      (await ad.agent.get(pathOf(routes.dbUsers, { instanceId: 'main' }))).text,
      (await ad.agent.get(pathOf(routes.instances))).text,
      (await ad.agent.get(pathOf(routes.audit))).text,
      (await ad.agent.get(pathOf(routes.auditCsv))).text,
      (await ad.agent.get('/readyz')).text,
      (await ad.agent.post(pathOf(routes.dbUsers, { instanceId: 'main' })).set('X-CSRF-Token', ad.csrf).send({ dbUsername: h.accounts.das.user, dbUserPassword: h.accounts.das.password })).text,
    ];
    const logs = h.logLines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [h.creds.sk, h.creds.ak, h.accounts.das.password, h.accounts.backup.password, h.passwords.admin, h.passwords.viewer, ad.csrf]) {
      for (const b of bodies) expect(b).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    expect(JSON.parse(bodies[2]!).instances[0]).not.toHaveProperty('dbUserId');
  });
});
