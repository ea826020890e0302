// The app that fuzz-bff.test.ts fuzzes: createApp with an in-memory DAS port (no generated id can reach a
// real server), listening on 127.0.0.1:0. Every answer carries X-Fuzz-Das-Calls: how many DAS calls the
// request made, attributed through AsyncLocalStorage around createApp's handler (requests set X-Fuzz-Id).
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app.ts';
import { createFileUserDirectory, upsertUser } from '../src/auth/users-file.ts';
import type { InstanceConfig } from '../src/config.ts';
import type { DasPort } from '../src/das/port.ts';
import { openSqliteStores } from '../src/stores/sqlite.ts';
import { FakeDas } from './fake-das.ts';

const instance: InstanceConfig = {
  id: 'main',
  name: 'main-db',
  environment: 'test',
  endpoint: 'http://127.0.0.1:9',
  projectId: '0123456789abcdef0123456789abcdef',
  instanceId: 'da304cd5bbb944de828759bc7be3d3fein01',
  dbUserId: '2c250598-1e3c-4d31-bc19-be1d866247e6',
  protectedUsers: ['backup'],
  protectedHosts: [],
  blastRadiusCap: 5,
};


function countingDas(fake: FakeDas, als: AsyncLocalStorage<string>, counts: Map<string, number>, onUnattributed: () => void): DasPort {
  const rec = <T>(fn: () => Promise<T>) => {
    const id = als.getStore();
    if (!id) onUnattributed();
    else counts.set(id, (counts.get(id) ?? 0) + 1);
    return fn();
  };
  return {
    listProcesses: (p) => rec(() => fake.listProcesses(p)),
    listProcessPages: async function* (p) {
      const processes = await rec(() => fake.listProcesses(p));
      yield { offset: 0, processes, count: processes.length };
    },
    deleteProcess: (p) => rec(() => fake.deleteProcess(p)),
    registerDbUser: (i, u) => rec(() => fake.registerDbUser(i, u)),
    listDbUsers: () => rec(() => fake.listDbUsers()),
    deleteDbUser: (i, d) => rec(() => fake.deleteDbUser(i, d)),
    listInnodbLocks: () => rec(() => fake.listInnodbLocks()),
    listMetadataLocks: () => rec(() => fake.listMetadataLocks()),
    showSqlLimitSwitchStatus: () => rec(() => fake.showSqlLimitSwitchStatus()),
    changeSqlLimitSwitchStatus: (p) => rec(() => fake.changeSqlLimitSwitchStatus(p)),
    showSqlLimitJobInfo: (p) => rec(() => fake.showSqlLimitJobInfo(p)),
    createSqlLimitRules: (p) => rec(() => fake.createSqlLimitRules(p)),
    listSqlLimitRules: () => rec(() => fake.listSqlLimitRules()),
    deleteSqlLimitRules: (p) => rec(() => fake.deleteSqlLimitRules(p)),
    parseSqlLimitRules: (p) => rec(() => fake.parseSqlLimitRules(p)),
  };
}

export interface FuzzServer {
  port: number;
  unattributed(): number;
  close(): Promise<void>;
}

/** Starts the app with viewer-user, operator-user and admin-user, all with `password`. */
export async function startFuzzServer(password: string): Promise<FuzzServer> {
  const als = new AsyncLocalStorage<string>();
  const counts = new Map<string, number>();
  let unattributed = 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'quell-fuzz-'));
  const usersFile = path.join(dir, 'users.json');
  for (const role of ['viewer', 'operator', 'admin'] as const) await upsertUser(usersFile, `${role}-user`, password, role);
  const fake = new FakeDas();
  for (let i = 0; i < 8; i++) fake.add({ user: i % 2 ? 'app' : 'backup', database: 'shop' });
  const stores = openSqliteStores(':memory:');
  const quell = createApp({
    config: { instances: [instance, { ...instance, id: 'nouser', name: 'nouser-db', dbUserId: undefined }], sessionSecret: randomBytes(32).toString('hex'), webDist: path.join(dir, 'no-dist'), cookieSecure: false, sessionIdleMinutes: 30, trustProxy: false },
    das: () => countingDas(fake, als, counts, () => unattributed++),
    stores,
    users: createFileUserDirectory(usersFile),
    killOptions: { verifyDelayMs: 1, verifyAttempts: 1 },
  });
  const server = http.createServer((req, res) => {
    const id = String(req.headers['x-fuzz-id'] ?? '');
    const writeHead = res.writeHead;
    res.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
      if (!this.headersSent) this.setHeader('x-fuzz-das-calls', String(counts.get(id) ?? 0));
      counts.delete(id);
      return (writeHead as (...a: unknown[]) => http.ServerResponse).apply(this, args);
    } as typeof res.writeHead;
    als.run(id, () => quell.app(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    unattributed: () => unattributed,
    async close() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await quell.shutdown();
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
