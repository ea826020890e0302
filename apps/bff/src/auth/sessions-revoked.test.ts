import { pathOf, routes } from '@quell/contracts/routes';
// A password change, a role change or a disable (the users CLI, another process) ends the sessions the
// user had: a cookie opened before the change gets 401, with the SQLite and with the Redis session store.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { runUsersCli } from '../cli/users.ts';
import { createRedisLoginSessionStore } from '../stores/redis-sessions.ts';
import { openSqliteStores } from '../stores/sqlite.ts';
import type { Stores } from '../stores/types.ts';
import { FakeDas, FAKE_INSTANCE as instance } from '../../test/fake-das.ts';
import { createTestRedis, type TestRedis } from '@quell/test-kit/services';
import { createFileUserDirectory, upsertUser } from './users-file.ts';


const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

let redis: TestRedis | undefined;
const storeKinds: Array<[string, () => Promise<Stores>]> = [
  ['SQLite sessions', async () => openSqliteStores(':memory:')],
  [
    'Redis sessions',
    async () => {
      redis ??= await createTestRedis();
      const r = redis;
      cleanups.push(() => r.cleanup());
      const base = openSqliteStores(':memory:');
      return { ...base, loginSessions: createRedisLoginSessionStore(r.client, { prefix: r.prefix, idleMs: 30 * 60_000 }) };
    },
  ],
];

describe.each(storeKinds)('account changes end existing sessions (%s)', (_name, openStores) => {
  const password = 'the first password';
  let url = '';
  let usersFile = '';
  let dir = '';

  const start = async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'quell-revoke-'));
    usersFile = path.join(dir, 'users.json');
    for (const u of ['pat', 'rob', 'dan']) await upsertUser(usersFile, u, password, 'operator');
    const stores = await openStores();
    const quell = createApp({
      config: { instances: [instance], sessionSecret: randomBytes(32).toString('hex'), webDist: path.join(dir, 'none'), cookieSecure: false, sessionIdleMinutes: 30, trustProxy: false },
      das: () => new FakeDas(),
      stores,
      users: createFileUserDirectory(usersFile),
    });
    const server = quell.app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cleanups.push(async () => {
      await quell.shutdown();
      await new Promise<void>((r) => server.close(() => r()));
      await stores.close();
    });
  };
  const login = async (username: string, pw = password) => {
    const agent = request.agent(url);
    const res = await agent.post(pathOf(routes.login)).send({ username, password: pw });
    expect(res.status).toBe(200);
    return agent;
  };
  const cli = async (...args: string[]) => {
    const lines: string[] = [];
    const code = await runUsersCli(['--file', usersFile, ...args], (l) => lines.push(l));
    expect(code, lines.join('\n')).toBe(0);
  };

  it('users passwd: the old cookie gets 401, a login with the new password works', async () => {
    await start();
    const before = await login('pat');
    const other = await login('rob');
    expect((await before.get(pathOf(routes.me))).status).toBe(200);
    const pwFile = path.join(dir, 'new-password');
    writeFileSync(pwFile, 'the second password\n');
    await cli('passwd', 'pat', '--password-file', pwFile);
    expect((await before.get(pathOf(routes.me))).status).toBe(401);
    expect((await other.get(pathOf(routes.me))).status).toBe(200); // only pat's sessions end
    const after = await login('pat', 'the second password');
    expect((await after.get(pathOf(routes.me))).status).toBe(200);
  });

  it('users role: the old cookie gets 401 instead of carrying on with the new role', async () => {
    const before = await login('rob');
    await cli('role', 'rob', 'viewer');
    expect((await before.get(pathOf(routes.me))).status).toBe(401);
    const after = await login('rob');
    expect((await after.get(pathOf(routes.me))).body.role).toBe('viewer');
  });

  it('users disable then enable: the cookie from before the disable stays dead', async () => {
    const before = await login('dan');
    const unused = await login('dan'); // not used while disabled: nothing ended it on a request
    await cli('disable', 'dan');
    expect((await before.get(pathOf(routes.me))).status).toBe(401);
    await cli('enable', 'dan');
    expect((await before.get(pathOf(routes.me))).status).toBe(401);
    expect((await unused.get(pathOf(routes.me))).status).toBe(401);
    expect((await (await login('dan')).get(pathOf(routes.me))).status).toBe(200);
  });
});
