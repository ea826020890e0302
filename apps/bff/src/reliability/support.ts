// The reliability suite's stack: a real das-local (in this process, with fault injection and a log of
// every request that reached it), random-prefixed MariaDB accounts and databases (qr_<hex>_), and the
// BFF built by createApp, listening on 127.0.0.1:0. Unlike test/harness.ts it lets a test choose the
// DAS client's timeout, give the BFF other credentials than das-local knows, and count requests.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import type mysql from 'mysql2/promise';
import pino from 'pino';
import type request from 'supertest';
import { createDasServer, FaultController, type DasServer } from '@quell/das-local/server';
import { createApp, type AppDeps, type QuellApp } from '../app.ts';
import { createFileUserDirectory } from '../auth/users-file.ts';
import type { InstanceConfig } from '../config.ts';
import { createDasFactory } from '../das/port.ts';
import { REDACT_PATHS } from '../logger.ts';
import { openSqliteStores } from '../stores/sqlite.ts';
import type { Stores } from '../stores/types.ts';
import { aliveIds, loginAs, MYSQL, openSession, provisionTestMysql, registerAndSeedAccounts, type Login, type Role } from '../test/harness.ts';

export { admin, aliveIds, MYSQL, eventually } from '../test/harness.ts';
export type { Role } from '../test/harness.ts';

export const DAS_INSTANCE_ID = 'da304cd5bbb944de828759bc7be3d3fein01';

/** One line das-local logged for a request that reached it (signature failures and 404s included). */
export interface DasLine {
  operation?: string;
  method?: string;
  path?: string;
  status?: number;
  error_code?: string;
  fault?: string;
  ak?: string;
}

export interface RelStackOptions {
  /** The DAS client's total deadline per call (ms). */
  dasTimeoutMs?: number;
  /** Credentials the BFF signs with, asked before every DAS call (default: the pair das-local knows). */
  bffCreds?: (real: { ak: string; sk: string }) => { ak: string; sk: string };
  /** Extra credentials das-local accepts (e.g. a canary pair). */
  creds?: { ak: string; sk: string };
  killOptions?: AppDeps['killOptions'];
  webDist?: string;
  /** Extra inventory entries (same DAS instance). */
  extraInstances?: (base: InstanceConfig) => InstanceConfig[];
  /** Accounts created per role; default one each. */
  logLevel?: string;
  /** SQLite directory (default in memory). */
  dataDir?: string;
}

export interface DbSession {
  conn: mysql.Connection;
  id: number;
}

export interface RelStack {
  prefix: string;
  accounts: { das: Login; app: Login; oth: Login; backup: Login };
  db1: string;
  db2: string;
  dbUserId: string;
  projectId: string;
  dasUrl: string;
  das: DasServer;
  faults: FaultController;
  quell: QuellApp;
  stores: Stores;
  url: string;
  passwords: Record<Role, string>;
  creds: { ak: string; sk: string };
  /** Every request das-local saw, in order. */
  dasLines: DasLine[];
  /** Everything the BFF logged (pino JSON lines). */
  logLines: string[];
  /** Requests das-local saw for this operation since `from` (an index into dasLines). */
  count(operation: string, from?: number): number;
  login(role: Role): Promise<{ agent: request.Agent; csrf: string }>;
  open(login: Login, database?: string): Promise<DbSession>;
  aliveIds(ids: number[]): Promise<number[]>;
  close(): Promise<void>;
}

export async function createRelStack(options: RelStackOptions = {}): Promise<RelStack> {
  const prefix = `qr_${randomBytes(4).toString('hex')}_`;
  const { accounts, db1, db2, drop } = await provisionTestMysql(prefix);

  const projectId = randomBytes(16).toString('hex');
  const creds = { ak: `AK${randomBytes(8).toString('hex').toUpperCase()}`, sk: randomBytes(20).toString('hex') };
  const faults = new FaultController();
  const dasLines: DasLine[] = [];
  const das = createDasServer({
    projectId,
    credentials: [creds, ...(options.creds ? [options.creds] : [])],
    instances: [{ instanceId: DAS_INSTANCE_ID, host: MYSQL.host, port: MYSQL.port }],
    registryPath: ':memory:',
    registryKey: randomBytes(16).toString('hex'),
    faults,
    log: (line) => dasLines.push(line as DasLine),
  });
  const { url: dasUrl } = await das.listen(0, '127.0.0.1');
  const { dbUserId, dir, usersFile, passwords } = await registerAndSeedAccounts({ dasUrl, projectId, creds, das: accounts.das, dirPrefix: 'quell-rel-' });

  const base: InstanceConfig = {
    id: 'main',
    name: 'main-db',
    environment: 'test',
    endpoint: dasUrl,
    projectId,
    instanceId: DAS_INSTANCE_ID,
    dbUserId,
    protectedUsers: [accounts.backup.user],
    protectedHosts: [],
    blastRadiusCap: 1000,
  };
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = pino({ level: options.logLevel ?? 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  const stores = openSqliteStores(options.dataDir ?? ':memory:');
  const bffCreds = () => (options.bffCreds ? options.bffCreds(creds) : creds);
  const quell = createApp({
    config: {
      instances: [base, ...(options.extraInstances?.(base) ?? [])],
      sessionSecret: randomBytes(32).toString('hex'),
      webDist: options.webDist ?? path.join(dir, 'no-dist'),
      cookieSecure: false,
      sessionIdleMinutes: 30,
      trustProxy: false,
    },
    das: createDasFactory(bffCreds, { timeoutMs: options.dasTimeoutMs ?? 10_000 }),
    stores,
    users: createFileUserDirectory(usersFile),
    logger,
    killOptions: { verifyDelayMs: 150, ...options.killOptions },
  });
  const server: Server = quell.app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const opened: DbSession[] = [];

  return {
    prefix,
    accounts,
    db1,
    db2,
    dbUserId,
    projectId,
    dasUrl,
    das,
    faults,
    quell,
    stores,
    url,
    passwords,
    creds,
    dasLines,
    logLines,
    count: (operation, from = 0) => dasLines.slice(from).filter((l) => l.operation === operation).length,
    login: (role) => loginAs(url, role, passwords[role]),
    async open(login, database) {
      const s = await openSession(login, database);
      opened.push(s);
      return s;
    },
    aliveIds,
    async close() {
      await quell.shutdown();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      for (const s of opened) s.conn.destroy();
      await drop();
      await das.close();
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SELECT COUNT(*) of live (not Killed) sessions among these ids, straight from MariaDB. */
export async function liveCount(ids: number[]): Promise<number> {
  return (await aliveIds(ids)).length;
}
