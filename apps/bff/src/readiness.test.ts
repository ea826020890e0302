// /readyz against a real das-local: two instances, one on the shared MariaDB and one on a private
// MariaDB this test stops. Ten probes cost at most one DAS call per instance and cache window, and an
// instance whose MariaDB is down makes the replica not ready, named in the report.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DasClient } from '@quell/das-client/client';
import { createDasServer } from '@quell/das-local/server';
import { startPrivateMariadb, type PrivateMariadb } from '@quell/test-kit/private-mariadb';
import { createApp, type QuellApp } from './app.ts';
import { createFileUserDirectory } from './auth/users-file.ts';
import type { InstanceConfig } from './config.ts';
import { createDasFactory, type DasFactory } from './das/port.ts';
import { openSqliteStores } from './stores/sqlite.ts';
import type { Stores } from './stores/types.ts';
import { mysqlTarget } from '@quell/test-kit/mariadb';
import { createSandbox, type Sandbox } from '@quell/test-kit/sandbox';
import { DAS_INSTANCE_ID } from '@quell/test-kit/stack';

const MYSQL = await mysqlTarget();
const PROJECT_ID = randomBytes(16).toString('hex');

const PRIVATE_INSTANCE_ID = 'da304cd5bbb944de828759bc7be3d3fein02';

describe('/readyz', () => {
  let shared: Sandbox;
  let sharedDas: { user: string; password: string };
  let priv: PrivateMariadb;
  let das: ReturnType<typeof createDasServer>;
  let quell: QuellApp;
  let stores: Stores;
  const calls = new Map<string, number>();
  const clock = { ms: Date.now() };
  const count = (instance: string, op: string) => calls.set(`${instance} ${op}`, (calls.get(`${instance} ${op}`) ?? 0) + 1);

  beforeAll(async () => {
    shared = await createSandbox({ label: 'ready' });
    sharedDas = await shared.account(`${shared.prefix}das`, { databases: false, kill: true });
    priv = await startPrivateMariadb();
    const privDas = { user: 'ready_das', password: randomBytes(9).toString('hex') };
    const admin = await priv.admin();
    try {
      await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [privDas.user, '%', privDas.password]);
      await admin.query('GRANT PROCESS, CONNECTION ADMIN ON *.* TO ?@?', [privDas.user, '%']);
    } finally {
      await admin.end();
    }
    const creds = { ak: `AK${randomBytes(8).toString('hex').toUpperCase()}`, sk: randomBytes(20).toString('hex') };
    das = createDasServer({
      projectId: PROJECT_ID,
      credentials: [creds],
      instances: [
        { instanceId: DAS_INSTANCE_ID, host: MYSQL.host, port: MYSQL.port },
        { instanceId: PRIVATE_INSTANCE_ID, host: priv.host, port: priv.port },
      ],
      registryPath: ':memory:',
      registryKey: randomBytes(16).toString('hex'),
    });
    const { url } = await das.listen(0, '127.0.0.1');
    const client = new DasClient({ endpoint: url, projectId: PROJECT_ID, credentials: () => creds });
    const sharedUser = await client.registerDbUser(DAS_INSTANCE_ID, sharedDas.user, sharedDas.password);
    const privUser = await client.registerDbUser(PRIVATE_INSTANCE_ID, privDas.user, privDas.password);
    client.close();
    const base = { environment: 'test' as const, endpoint: url, projectId: PROJECT_ID, protectedUsers: [], protectedHosts: [], blastRadiusCap: 20 };
    const instances: InstanceConfig[] = [
      { ...base, id: 'shared', name: 'shared-db', instanceId: DAS_INSTANCE_ID, dbUserId: sharedUser },
      { ...base, id: 'private', name: 'private-db', instanceId: PRIVATE_INSTANCE_ID, dbUserId: privUser },
    ];
    const real = createDasFactory(() => creds, { timeoutMs: 5_000 });
    // Every DAS call of the app, counted per instance and operation (ListProcesses, ListDbUsers, …).
    const counting: DasFactory = (i) => {
      const port = real(i);
      return new Proxy(port, {
        get(target, prop, receiver) {
          const value: unknown = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function') return value;
          const op = String(prop);
          return (...args: unknown[]) => {
            count(i.id, op[0]!.toUpperCase() + op.slice(1));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    };
    const dir = mkdtempSync(path.join(tmpdir(), 'quell-ready-'));
    stores = openSqliteStores(':memory:');
    quell = createApp({
      config: { instances, sessionSecret: randomBytes(32).toString('hex'), webDist: path.join(dir, 'none'), cookieSecure: false, sessionIdleMinutes: 30, trustProxy: false },
      das: counting,
      stores,
      users: createFileUserDirectory(path.join(dir, 'users.json')),
      now: () => new Date(clock.ms),
      readiness: { timeoutMs: 4_000 },
    });
  }, 60_000);
  afterAll(async () => {
    await quell?.shutdown();
    await stores?.close();
    await das?.close();
    await priv?.stop();
    await shared?.drop();
  });

  const dasCalls = (instance: string) => [...calls].filter(([k]) => k.startsWith(`${instance} `)).reduce((n, [, v]) => n + v, 0);

  it('ten probes in one cache window cost at most one database-reaching DAS call per instance', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => request(quell.app).get('/readyz')));
    for (let n = 0; n < 5; n++) answers.push(await request(quell.app).get('/readyz'));
    for (const a of answers) expect(a.status).toBe(200);
    expect(answers[0]!.body.checks.das).toEqual({ shared: { ok: true, reached: 'database' }, private: { ok: true, reached: 'database' } });
    for (const id of ['shared', 'private']) {
      expect(calls.get(`${id} ListProcesses`), id).toBe(1);
      // The DAS account's name is looked up once and then cached by the kill service.
      expect(calls.get(`${id} ListDbUsers`), id).toBe(1);
    }
    // The next window checks again, once.
    clock.ms += 5_000;
    for (let n = 0; n < 10; n++) expect((await request(quell.app).get('/readyz')).status).toBe(200);
    expect(calls.get('shared ListProcesses')).toBe(2);
    expect(calls.get('private ListProcesses')).toBe(2);
    expect(dasCalls('shared')).toBe(3);
  });

  it('is not ready when one instance’s MariaDB is down, and says which', async () => {
    await priv.halt();
    clock.ms += 5_000;
    const down = await request(quell.app).get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('not-ready');
    expect(down.body.checks.das.shared).toEqual({ ok: true, reached: 'database' });
    expect(down.body.checks.das.private.ok).toBe(false);
    expect(down.body.checks.das.private.error.httpStatus).toBeGreaterThanOrEqual(400);
  }, 30_000);
});
