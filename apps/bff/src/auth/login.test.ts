import { pathOf, routes } from '@quell/contracts/routes';
// Login throttling through the HTTP route: the failing client waits; nobody else is locked out.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type QuellApp } from '../app.ts';
import { openSqliteStores } from '../stores/sqlite.ts';
import type { Stores } from '../stores/types.ts';
import { FakeDas, FAKE_INSTANCE as instance } from '../../test/fake-das.ts';
import { createFileUserDirectory, upsertUser } from './users-file.ts';


describe('login throttling over HTTP (one proxy hop: the client is X-Forwarded-For)', () => {
  let quell: QuellApp;
  let stores: Stores;
  let server: ReturnType<QuellApp['app']['listen']>;
  let url: string;
  const password = 'the right password';

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'quell-login-'));
    const usersFile = path.join(dir, 'users.json');
    for (const u of ['alice', 'bob', 'carol']) await upsertUser(usersFile, u, password, 'operator');
    stores = openSqliteStores(':memory:');
    quell = createApp({
      config: { instances: [instance], sessionSecret: randomBytes(32).toString('hex'), webDist: path.join(dir, 'none'), cookieSecure: false, sessionIdleMinutes: 30, trustProxy: 1 },
      das: () => new FakeDas(),
      stores,
      users: createFileUserDirectory(usersFile),
    });
    server = quell.app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await quell.shutdown();
    await new Promise<void>((r) => server.close(() => r()));
    await stores.close();
  });

  const login = (username: string, pw: string, client: string) => request(url).post(pathOf(routes.login)).set('X-Forwarded-For', client).send({ username, password: pw });

  it('five wrong passwords from one address do not refuse the right password from another', async () => {
    for (let i = 0; i < 5; i++) expect((await login('alice', 'wrong password', '198.51.100.7')).status).toBe(401);
    const fromElsewhere = await login('alice', password, '203.0.113.20');
    expect(fromElsewhere.status).toBe(200);
  });

  it('the failing client is told how many attempts are left, then waits the real remaining time', async () => {
    const client = '198.51.100.8';
    const left: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await login('bob', 'wrong password', client);
      expect(r.status).toBe(401);
      left.push(r.body.error.details.attemptsLeft);
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);
    const refused = await login('bob', password, client);
    expect(refused.status).toBe(429);
    const wait = Number(refused.headers['retry-after']);
    expect(wait).toBeGreaterThan(14 * 60);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    expect(refused.body.error.details).toMatchObject({ retryAfterSeconds: wait, attemptsLeft: 0 });
    // Another account from the same client is not refused for bob's failures (below the per-client limit).
    expect((await login('carol', password, client)).status).toBe(200);
  });

  it('an account failed from many addresses is slowed down, never refused, for a client with no failures', async () => {
    for (let i = 0; i < 20; i++) expect((await login('carol', 'wrong password', `192.0.2.${i + 1}`)).status).toBe(401);
    const started = Date.now();
    const ok = await login('carol', password, '203.0.113.99');
    expect(ok.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});
