// A Quell stack in this process: a real das-local (with fault injection and a log of every request that
// reached it) on the local MariaDB, a sandbox of random-prefixed accounts and databases, a users file
// with one `<role>-user` per role, and the BFF built by createApp, listening on 127.0.0.1:0.
import { pathOf, routes } from '@quell/contracts/routes';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import type { Role } from '@quell/contracts/common';
import { DasClient } from '@quell/das-client/client';
import { createDasServer, FaultController, type DasServer, type SqlLimitInstanceConfig } from '@quell/das-local/server';
import { createApp, type AppDeps, type QuellApp } from '@quell/bff/app';
import { createFileUserDirectory, upsertUser } from '@quell/bff/auth/users-file';
import type { InstanceConfig } from '@quell/bff/config';
import { createDasFactory } from '@quell/bff/das/port';
import { REDACT_PATHS } from '@quell/bff/logger';
import { openSqliteStores } from '@quell/bff/stores/sqlite';
import type { Stores } from '@quell/bff/stores/types';
import type { DbSession, Login } from './mariadb.ts';
import { createSandbox } from './sandbox.ts';

export type { Role };
export const DAS_INSTANCE_ID = 'da304cd5bbb944de828759bc7be3d3fein01';
const ROLES = ['viewer', 'operator', 'admin'] as const satisfies readonly Role[];

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

export interface StackOptions {
  /** The sandbox label (the accounts are `qt_<label>_<hex>_…`); default `bff`. */
  label?: string;
  /** The main instance's blast-radius cap (default 20). */
  blastRadiusCap?: number;
  /** Extra inventory entries (same DAS instance), after the default "main" one. */
  extraInstances?: (base: InstanceConfig) => InstanceConfig[];
  killOptions?: AppDeps['killOptions'];
  sessionIdleMinutes?: number;
  webDist?: string;
  /** The BFF's logger; default a pino at `logLevel` whose lines land in `logLines`. */
  logger?: AppDeps['logger'];
  /** Default `silent`. */
  logLevel?: string;
  /** The DAS client's total deadline per call (ms, default 10 000). */
  dasTimeoutMs?: number;
  /** Credentials the BFF signs with, asked before every DAS call (default: the pair das-local knows). */
  bffCreds?: (real: { ak: string; sk: string }) => { ak: string; sk: string };
  /** Another pair das-local accepts (e.g. a canary). */
  creds?: { ak: string; sk: string };
  /** SQLite directory (default in memory). */
  dataDir?: string;
  /** Sign-in with an identity provider (e.g. OidcSignIn on startTestIdp from ./oidc.ts), given the BFF's logger. */
  oidc?: (logger: NonNullable<AppDeps['logger']>) => NonNullable<AppDeps['oidc']>;
  /** The BFF's stores (default SQLite in `dataDir`); the stack closes them. */
  stores?: Stores;
  /** das-local's SQL limit emulation of the instance; `proxy: { port: 0 }` starts its enforcing proxy. */
  sqlLimit?: SqlLimitInstanceConfig;
  throttleOptions?: AppDeps['throttleOptions'];
  /** Incident notification destinations (e.g. a receiver from ./webhook-receiver.ts) and their delivery tuning. */
  notify?: AppDeps['notify'];
  deliveryOptions?: AppDeps['deliveryOptions'];
  /** Two-person rule tuning (request expiry, sweep interval, public URL). */
  approvalOptions?: AppDeps['approvalOptions'];
  /** Where the BFF hands incident events (default: discarded). */
  events?: AppDeps['events'];
}

export interface Stack {
  prefix: string;
  /** das: PROCESS + kill privilege (registered with DAS); app, oth: sessions to list and kill; backup: protected. */
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
  instances: InstanceConfig[];
  passwords: Record<Role, string>;
  usersFile: string;
  creds: { ak: string; sk: string };
  /** Moves the BFF's clock. */
  clock: { offsetMs: number };
  /** Every request das-local saw, in order. */
  dasLines: DasLine[];
  /** Where das-local's SQL limit proxy for the instance listens (with `sqlLimit.proxy`). */
  proxy: { host: string; port: number } | undefined;
  /** Another BFF on the same configuration and clock (a restart, or a second replica), not listening; the caller shuts it down. */
  newApp(stores: Stores): QuellApp;
  /** Everything the default logger wrote (pino JSON lines). */
  logLines: string[];
  /** Requests das-local saw for this operation since `from` (an index into dasLines). */
  count(operation: string, from?: number): number;
  /** A supertest agent logged in as `role`, and its CSRF token. */
  login(role: Role): Promise<{ agent: request.Agent; csrf: string }>;
  anon(): request.Agent;
  /** A session of one of the stack's accounts, closed by close(). */
  open(login: Login, database?: string): Promise<DbSession>;
  aliveIds(ids: number[]): Promise<number[]>;
  close(): Promise<void>;
}

const secret = () => randomBytes(12).toString('hex');

/** Logs in as `<role>-user` and returns the cookie-carrying agent and its CSRF token. */
export async function loginAs(url: string, role: Role, password: string): Promise<{ agent: request.Agent; csrf: string }> {
  const agent = request.agent(url);
  const res = await agent.post(pathOf(routes.login)).send({ username: `${role}-user`, password });
  if (res.status !== 200) throw new Error(`login as ${role} failed: ${res.status} ${res.text}`);
  return { agent, csrf: res.body.csrfToken as string };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sandbox = await createSandbox({ label: options.label ?? 'bff', databases: ['db1', 'db2'] });
  const [db1, db2] = sandbox.databases as [string, string];
  const p = sandbox.prefix;
  const accounts = {
    das: await sandbox.account(`${p}das`, { databases: false, kill: true }),
    app: await sandbox.account(`${p}app`),
    oth: await sandbox.account(`${p}oth`),
    backup: await sandbox.account(`${p}bak`),
  };

  const projectId = randomBytes(16).toString('hex');
  const creds = { ak: `AK${randomBytes(8).toString('hex').toUpperCase()}`, sk: randomBytes(20).toString('hex') };
  const faults = new FaultController();
  const dasLines: DasLine[] = [];
  const das = createDasServer({
    projectId,
    credentials: [creds, ...(options.creds ? [options.creds] : [])],
    instances: [{ instanceId: DAS_INSTANCE_ID, host: sandbox.target.host, port: sandbox.target.port, ...(options.sqlLimit ? { sqlLimit: options.sqlLimit } : {}) }],
    registryPath: ':memory:',
    registryKey: randomBytes(16).toString('hex'),
    faults,
    log: (line) => dasLines.push(line as DasLine),
  });
  const { url: dasUrl } = await das.listen(0, '127.0.0.1');
  const client = new DasClient({ endpoint: dasUrl, projectId, credentials: () => creds });
  const dbUserId = await client.registerDbUser(DAS_INSTANCE_ID, accounts.das.user, accounts.das.password);
  client.close();

  const dir = mkdtempSync(path.join(tmpdir(), 'quell-stack-'));
  const usersFile = path.join(dir, 'users.json');
  const passwords: Record<Role, string> = { viewer: secret(), operator: secret(), admin: secret() };
  for (const role of ROLES) await upsertUser(usersFile, `${role}-user`, passwords[role], role);

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
    blastRadiusCap: options.blastRadiusCap ?? 20,
  };
  const instances = [base, ...(options.extraInstances?.(base) ?? [])];
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = options.logger ?? pino({ level: options.logLevel ?? 'silent', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  const stores = options.stores ?? openSqliteStores(options.dataDir ?? ':memory:');
  const clock = { offsetMs: 0 };
  const sessionSecret = randomBytes(32).toString('hex');
  const newApp = (appStores: Stores) =>
    createApp({
      config: {
        instances,
        sessionSecret,
        webDist: options.webDist ?? path.join(dir, 'no-dist'),
        cookieSecure: false,
        sessionIdleMinutes: options.sessionIdleMinutes ?? 30,
        trustProxy: false,
      },
      das: createDasFactory(() => (options.bffCreds ? options.bffCreds(creds) : creds), { timeoutMs: options.dasTimeoutMs ?? 10_000 }),
      stores: appStores,
      users: createFileUserDirectory(usersFile),
      now: () => new Date(Date.now() + clock.offsetMs),
      logger,
      killOptions: { verifyDelayMs: 150, ...options.killOptions },
      ...(options.throttleOptions ? { throttleOptions: options.throttleOptions } : {}),
      ...(options.notify ? { notify: options.notify } : {}),
      ...(options.deliveryOptions ? { deliveryOptions: options.deliveryOptions } : {}),
      ...(options.approvalOptions ? { approvalOptions: options.approvalOptions } : {}),
      ...(options.events ? { events: options.events } : {}),
      ...(options.oidc ? { oidc: options.oidc(logger) } : {}),
    });
  const quell = newApp(stores);
  const server: Server = quell.app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    prefix: p,
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
    instances,
    passwords,
    usersFile,
    creds,
    clock,
    dasLines,
    logLines,
    proxy: das.sqlLimitProxy(DAS_INSTANCE_ID),
    newApp,
    count: (operation, from = 0) => dasLines.slice(from).filter((l) => l.operation === operation).length,
    login: (role) => loginAs(url, role, passwords[role]),
    anon: () => request.agent(url),
    open: (login, database) => sandbox.open(login, { database: database ?? null }),
    aliveIds: (ids) => sandbox.alive(ids),
    async close() {
      await quell.shutdown();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
      await sandbox.drop();
      await das.close();
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
