// Sign-in through a real OpenID provider on 127.0.0.1 (the test kit's oidc-provider): the callback's
// checks (state, code replay, nonce, expiry, audience), groups → role, break-glass and readiness.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathOf, routes, SESSION_COOKIE } from '@quell/contracts/routes';
import { startTestIdp, type TestIdp } from '@quell/test-kit/oidc';
import { createApp, type QuellApp } from '../app.ts';
import type { OidcConfig } from '../auth/oidc-config.ts';
import { OidcSignIn, PENDING_COOKIE } from '../auth/oidc.ts';
import { createFileUserDirectory, upsertUser } from '../auth/users-file.ts';
import { openSqliteStores } from '../stores/sqlite.ts';
import type { Stores } from '../stores/types.ts';
import { FakeDas, FAKE_INSTANCE as instance } from '../../test/fake-das.ts';

// The test talks to the app directly; the provider only needs the callback URL to match what Quell sends.
const REDIRECT = 'http://127.0.0.1:39871/api/auth/oidc/callback';
const SESSION_SECRET = randomBytes(32).toString('hex');

let idp: TestIdp;
let quell: QuellApp;
let stores: Stores;
let oidc: OidcSignIn;
const logLines: string[] = [];

function oidcConfig(over: Partial<OidcConfig> = {}): OidcConfig {
  return {
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    redirectUrl: REDIRECT,
    postLogoutUrl: 'http://127.0.0.1:39871/login',
    scopes: 'openid profile groups',
    groupsClaim: 'groups',
    roleGroups: [
      { role: 'admin', group: 'quell-admins' },
      { role: 'operator', group: 'quell-oncall' },
      { role: 'viewer', group: 'quell-readers' },
    ],
    displayName: 'Test IdP',
    localLogin: 'admin-only',
    ...over,
  };
}

async function makeApp(signIn: OidcSignIn) {
  const dir = mkdtempSync(path.join(tmpdir(), 'quell-oidc-'));
  const usersFile = path.join(dir, 'users.json');
  await upsertUser(usersFile, 'root', 'break-glass password', 'admin');
  await upsertUser(usersFile, 'op', 'operator password', 'operator');
  const s = openSqliteStores(':memory:');
  const logger = pino({ level: 'debug' }, new Writable({ write: (c: Buffer, _e, cb) => (logLines.push(c.toString()), cb()) }));
  const app = createApp({
    config: { instances: [instance], sessionSecret: SESSION_SECRET, webDist: path.join(dir, 'none'), cookieSecure: false, sessionIdleMinutes: 30, trustProxy: false },
    das: () => new FakeDas(),
    stores: s,
    users: createFileUserDirectory(usersFile),
    oidc: signIn,
    logger,
    // every probe checks afresh: the test stops and restarts the provider between two probes
    readiness: { cacheMs: 0 },
  });
  return { app, stores: s };
}

beforeAll(async () => {
  idp = await startTestIdp({
    redirectUris: [REDIRECT],
    postLogoutRedirectUris: ['http://127.0.0.1:39871/login'],
    users: [
      { login: 'olga', name: 'Olga Oncall', groups: ['quell-oncall', 'staff'] },
      { login: 'vera', name: 'Vera Viewer', groups: ['quell-readers'] },
      { login: 'ada', name: 'Ada Admin', groups: ['quell-readers', 'quell-admins'] },
      { login: 'nemo', name: 'Nemo Nobody', groups: ['staff', 'payroll'] },
    ],
  });
  oidc = new OidcSignIn({ config: oidcConfig(), sessionSecret: SESSION_SECRET, logger: pino({ level: 'silent' }) });
  await oidc.start();
  ({ app: quell, stores } = await makeApp(oidc));
});
afterAll(async () => {
  oidc.stop();
  await quell.shutdown();
  await stores.close();
  await idp.stop();
});

/** Starts a sign-in in `agent` and signs `login` in at the provider; returns the callback path and the pending cookie. */
async function throughProvider(agent: ReturnType<typeof request.agent>, login: string) {
  const start = await agent.get(pathOf(routes.oidcLogin)).expect(302);
  const location = start.headers.location as string;
  expect(location.startsWith(`${idp.issuer}/`)).toBe(true);
  const u = new URL(location);
  expect(u.searchParams.get('code_challenge_method')).toBe('S256');
  expect(u.searchParams.get('state')).toBeTruthy();
  expect(u.searchParams.get('nonce')).toBeTruthy();
  const pending = (start.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith(`${PENDING_COOKIE}=`))!;
  const back = new URL(await idp.signIn(location, login));
  return { callback: `${back.pathname}${back.search}`, pendingCookie: pending.split(';')[0]! };
}

async function signIn(login: string) {
  const agent = request.agent(quell.app);
  const { callback } = await throughProvider(agent, login);
  const res = await agent.get(callback).expect(303);
  return { agent, res };
}

describe('sign-in with the identity provider', () => {
  it('maps the groups to a role, and the session carries the IdP subject and display name', async () => {
    const { agent, res } = await signIn('olga');
    expect(res.headers.location).toBe('/');
    const me = await agent.get(pathOf(routes.me)).expect(200);
    expect(me.body).toMatchObject({ username: 'oidc:olga', role: 'operator', displayName: 'Olga Oncall' });
    const viewer = await signIn('vera');
    expect((await viewer.agent.get(pathOf(routes.me)).expect(200)).body.role).toBe('viewer');
    // In several mapped groups: the highest role.
    const admin = await signIn('ada');
    expect((await admin.agent.get(pathOf(routes.me)).expect(200)).body.role).toBe('admin');
  });

  it('a viewer from the readers group cannot commit a kill', async () => {
    const { agent } = await signIn('vera');
    const me = await agent.get(pathOf(routes.me)).expect(200);
    const commit = await agent
      .post(pathOf(routes.commitPreview, { previewId: '6f1c2a8e-0000-4000-8000-000000000000' }))
      .set('X-CSRF-Token', me.body.csrfToken as string)
      .set('Idempotency-Key', 'k-0123456789abcdef')
      .send({ reason: 'incident 42' });
    expect(commit.status).toBe(403);
  });

  it('refuses a user in no mapped group, with a reason for the sign-in page', async () => {
    const { agent, res } = await signIn('nemo');
    expect(res.headers.location).toBe('/login?signin=no-role');
    expect(res.headers['set-cookie']?.toString() ?? '').not.toContain(`${SESSION_COOKIE}=`);
    await agent.get(pathOf(routes.me)).expect(401);
  });

  it('refuses a callback whose state is not the one this browser started with', async () => {
    const agent = request.agent(quell.app);
    const { callback } = await throughProvider(agent, 'olga');
    const u = new URL(callback, 'http://x');
    u.searchParams.set('state', 'forged-state-value');
    const res = await agent.get(`${u.pathname}${u.search}`).expect(303);
    expect(res.headers.location).toBe('/login?signin=failed');
    await agent.get(pathOf(routes.me)).expect(401);
  });

  it('refuses a callback without the pending sign-in cookie (another browser)', async () => {
    const { callback } = await throughProvider(request.agent(quell.app), 'olga');
    const res = await request(quell.app).get(callback).expect(303);
    expect(res.headers.location).toBe('/login?signin=failed');
  });

  it('refuses a replayed code', async () => {
    const agent = request.agent(quell.app);
    const { callback, pendingCookie } = await throughProvider(agent, 'olga');
    const first = await request(quell.app).get(callback).set('Cookie', pendingCookie).expect(303);
    expect(first.headers.location).toBe('/');
    const again = await request(quell.app).get(callback).set('Cookie', pendingCookie).expect(303);
    expect(again.headers.location).toBe('/login?signin=failed');
    expect(again.headers['set-cookie']?.toString() ?? '').not.toContain(`${SESSION_COOKIE}=`);
  });

  it.each([
    ['a nonce that is not this sign-in’s', (c: Record<string, unknown>) => ({ ...c, nonce: 'someone-elses-nonce' })],
    ['an expired ID token', (c: Record<string, unknown>) => ({ ...c, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['an ID token for another audience', (c: Record<string, unknown>) => ({ ...c, aud: 'another-client' })],
    ['an ID token from another issuer', (c: Record<string, unknown>) => ({ ...c, iss: 'http://127.0.0.1:1/evil' })],
  ])('refuses %s', async (_what, change) => {
    const agent = request.agent(quell.app);
    const { callback } = await throughProvider(agent, 'olga');
    idp.tamperNextIdToken(change);
    const res = await agent.get(callback).expect(303);
    expect(res.headers.location).toBe('/login?signin=failed');
    await agent.get(pathOf(routes.me)).expect(401);
  });

  it('the untampered path still signs in (the refusals above are the checks, not the re-signing)', async () => {
    const agent = request.agent(quell.app);
    const { callback } = await throughProvider(agent, 'olga');
    idp.tamperNextIdToken((c) => c);
    expect((await agent.get(callback).expect(303)).headers.location).toBe('/');
  });

  it('signing out ends the Quell session and gives the IdP logout URL', async () => {
    const { agent } = await signIn('olga');
    const me = await agent.get(pathOf(routes.me)).expect(200);
    const out = await agent.post(pathOf(routes.signOut)).set('X-CSRF-Token', me.body.csrfToken as string).expect(200);
    const logout = new URL(out.body.logoutUrl as string);
    expect(logout.origin).toBe(idp.issuer);
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe('http://127.0.0.1:39871/login');
    expect(logout.searchParams.get('client_id')).toBe(idp.clientId);
    await agent.get(pathOf(routes.me)).expect(401);
  });

  it('says how one may sign in', async () => {
    const res = await request(quell.app).get(pathOf(routes.authProviders)).expect(200);
    expect(res.body).toEqual({ oidc: { displayName: 'Test IdP', loginPath: routes.oidcLogin.path }, local: 'admin-only' });
  });

  it('no ID token, client secret or session secret reaches a response or a log line', async () => {
    const { agent, res } = await signIn('olga');
    const me = await agent.get(pathOf(routes.me)).expect(200);
    const out = await agent.post(pathOf(routes.signOut)).set('X-CSRF-Token', me.body.csrfToken as string);
    const seen = [JSON.stringify(res.headers), res.text, JSON.stringify(me.headers), me.text, JSON.stringify(out.body), ...logLines].join('\n');
    expect(idp.issuedIdTokens.length).toBeGreaterThan(0);
    for (const token of idp.issuedIdTokens) {
      expect(seen).not.toContain(token);
      expect(seen).not.toContain(token.split('.')[2]!);
    }
    expect(seen).not.toContain(idp.clientSecret);
    expect(seen).not.toContain(SESSION_SECRET);
    expect(logLines.some((l) => l.includes('login (identity provider)'))).toBe(true);
  });
});

describe('with the identity provider down', () => {
  it('/readyz reports it, break-glass admins sign in locally, other local accounts do not', async () => {
    await idp.stop();
    try {
      const ready = await request(quell.app).get(routes.readyz.path);
      expect(ready.body.checks.oidc.ok).toBe(false);
      expect(ready.body.checks.oidc.error).toMatch(/issuer unreachable/);
      const root = request.agent(quell.app);
      await root.post(pathOf(routes.login)).send({ username: 'root', password: 'break-glass password' }).expect(200);
      expect((await root.get(pathOf(routes.me)).expect(200)).body.role).toBe('admin');
      await request(quell.app).post(pathOf(routes.login)).send({ username: 'op', password: 'operator password' }).expect(401);
    } finally {
      await idp.restart();
    }
    const ready = await request(quell.app).get(routes.readyz.path);
    expect(ready.body.checks.oidc).toEqual({ ok: true });
  });

  it('an issuer unreachable at start is an error in /readyz and a refusal at sign-in, not a crash; it is retried', async () => {
    await idp.stop();
    const late = new OidcSignIn({ config: oidcConfig({ localLogin: 'on' }), sessionSecret: SESSION_SECRET, logger: pino({ level: 'silent' }), retryMs: 100 });
    await late.start();
    const { app, stores: s } = await makeApp(late);
    try {
      const ready = await request(app.app).get(routes.readyz.path);
      expect(ready.body.checks.oidc).toMatchObject({ ok: false, error: expect.stringMatching(/issuer unreachable/) });
      const start = await request(app.app).get(pathOf(routes.oidcLogin)).expect(303);
      expect(start.headers.location).toBe('/login?signin=unavailable');
      await idp.restart();
      await expect.poll(async () => (await request(app.app).get(routes.readyz.path)).body.checks.oidc.ok, { timeout: 5000 }).toBe(true);
      await request(app.app).get(pathOf(routes.oidcLogin)).expect(302);
    } finally {
      late.stop();
      await app.shutdown();
      await s.close();
      if (!(await fetch(`${idp.issuer}/.well-known/openid-configuration`).then(() => true, () => false))) await idp.restart();
    }
  });
});
