import { pathOf, routes } from '@quell/contracts/routes';
// Response headers and request gates of the whole app: frame denial, no caching of API answers, a
// __Host- cookie when secure, an optional Host allow-list (DNS rebinding) and a token on /metrics.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type AppDeps } from './app.ts';
import { createFileUserDirectory, upsertUser } from './auth/users-file.ts';
import { openSqliteStores } from './stores/sqlite.ts';
import { FakeDas, FAKE_INSTANCE as instance } from '../test/fake-das.ts';

const password = 'operator password';
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function start(config: Partial<AppDeps['config']> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'quell-headers-'));
  const usersFile = path.join(dir, 'users.json');
  await upsertUser(usersFile, 'op', password, 'operator');
  const stores = openSqliteStores(':memory:');
  const quell = createApp({
    config: { instances: [instance], sessionSecret: randomBytes(32).toString('hex'), webDist: path.join(dir, 'none'), cookieSecure: false, sessionIdleMinutes: 30, trustProxy: false, ...config },
    das: () => new FakeDas(),
    stores,
    users: createFileUserDirectory(usersFile),
  });
  const server = quell.app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  cleanups.push(async () => {
    await quell.shutdown();
    await new Promise<void>((r) => server.close(() => r()));
    await stores.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('security headers and gates', () => {
  it('denies framing outright and never lets an API answer be cached, openapi.json included', async () => {
    const url = await start();
    for (const p of ['/', pathOf(routes.me), pathOf(routes.openapi), '/api/nowhere', '/healthz']) {
      const r = await request(url).get(p);
      expect(r.headers['x-frame-options'], p).toBe('DENY');
    }
    for (const [method, p] of [['get', pathOf(routes.openapi)], ['get', pathOf(routes.me)], ['get', '/api/nowhere'], ['post', pathOf(routes.login)]] as const) {
      const r = await request(url)[method](p).send(method === 'post' ? { username: 'op', password: 'wrong password' } : undefined);
      expect(r.headers['cache-control'], `${method} ${p}`).toBe('no-store');
    }
  });

  it('names the cookie __Host-… when it is Secure, and reads only that name', async () => {
    const url = await start({ cookieSecure: true });
    const login = await request(url).post(pathOf(routes.login)).send({ username: 'op', password });
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^__Host-quell_session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    const value = /__Host-quell_session=([^;]+)/.exec(setCookie)![1]!;
    expect((await request(url).get(pathOf(routes.me)).set('Cookie', `__Host-quell_session=${value}`)).status).toBe(200);
    // A cookie without the prefix can be planted by a sibling subdomain: it does not count.
    expect((await request(url).get(pathOf(routes.me)).set('Cookie', `quell_session=${value}`)).status).toBe(401);
  });

  it('with an allow-list of Host names, refuses other names with 403 (DNS rebinding); health checks still answer', async () => {
    const url = await start({ allowedHosts: ['quell.example.com', '127.0.0.1'] });
    expect((await request(url).get(pathOf(routes.openapi))).status).toBe(200); // Host: 127.0.0.1:port
    expect((await request(url).get(pathOf(routes.openapi)).set('Host', 'quell.example.com')).status).toBe(200);
    const rebound = await request(url).post(pathOf(routes.login)).set('Host', 'attacker.example').send({ username: 'op', password });
    expect(rebound.status).toBe(403);
    expect(rebound.body.error.code).toBe('FORBIDDEN');
    expect(rebound.headers['set-cookie']).toBeUndefined();
    expect((await request(url).get('/').set('Host', 'attacker.example')).status).toBe(403);
    expect((await request(url).get('/healthz').set('Host', '10.1.2.3:3000')).status).toBe(200);
  });

  it('puts /metrics behind a bearer token when one is configured', async () => {
    const token = randomBytes(24).toString('base64url');
    const url = await start({ metricsToken: token });
    expect((await request(url).get('/metrics')).status).toBe(401);
    expect((await request(url).get('/metrics').set('Authorization', `Bearer ${token}x`)).status).toBe(401);
    const ok = await request(url).get('/metrics').set('Authorization', `Bearer ${token}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('quell_http_requests_total');
    const open = await start();
    expect((await request(open).get('/metrics')).status).toBe(200);
  });
});
