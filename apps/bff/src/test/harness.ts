// Test harness: a real das-local on the local MariaDB, random-prefixed MariaDB accounts and databases,
// a users file with one account per role, and the BFF listening on 127.0.0.1:0.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import request from 'supertest';
import { createDasServer, FaultController } from '@quell/das-local/server';
import { DasClient } from '@quell/das-client/client';
import { createApp, type AppDeps, type QuellApp } from '../app.ts';
import { upsertUser, createFileUserDirectory } from '../auth/users-file.ts';
import type { InstanceConfig } from '../config.ts';
import { createDasFactory } from '../das/port.ts';
import { openSqliteStores } from '../stores/sqlite.ts';
import type { Stores } from '../stores/types.ts';
import { pathOf, routes } from '@quell/contracts/routes';

/** The MariaDB the tests use (overridable like das-local's tests: QUELL_TEST_MYSQL_*). */
export const MYSQL = {
  host: process.env.QUELL_TEST_MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.QUELL_TEST_MYSQL_PORT ?? 3306),
  user: process.env.QUELL_TEST_MYSQL_USER ?? 'root',
  password: process.env.QUELL_TEST_MYSQL_PASSWORD ?? '',
};
export const PROJECT_ID = `${randomBytes(16).toString('hex')}`;
export const DAS_INSTANCE_ID = 'da304cd5bbb944de828759bc7be3d3fein01';

export type Role = 'viewer' | 'operator' | 'admin';
export interface Login {
  user: string;
  password: string;
}

export interface DbSession {
  conn: mysql.Connection;
  id: number;
}

export interface Harness {
  prefix: string;
  accounts: { das: Login; app: Login; oth: Login; backup: Login };
  db1: string;
  db2: string;
  dbUserId: string;
  dasUrl: string;
  faults: FaultController;
  quell: QuellApp;
  stores: Stores;
  url: string;
  instances: InstanceConfig[];
  passwords: Record<Role, string>;
  usersFile: string;
  creds: { ak: string; sk: string };
  clock: { offsetMs: number };
  /** A supertest agent logged in as `role`, and its CSRF token. */
  login(role: Role): Promise<{ agent: request.Agent; csrf: string }>;
  anon(): request.Agent;
  open(login: Login, database?: string): Promise<DbSession>;
  aliveIds(ids: number[]): Promise<number[]>;
  close(): Promise<void>;
}

export const admin = () => mysql.createConnection({ ...MYSQL });
const pw = () => randomBytes(12).toString('hex');

export async function aliveIds(ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const a = await admin();
  try {
    const [rows] = await a.query<mysql.RowDataPacket[]>(`SELECT ID FROM information_schema.PROCESSLIST WHERE ID IN (${ids.map(() => '?').join(',')}) AND COMMAND <> 'Killed'`, ids);
    return rows.map((r) => Number(r.ID)).sort((x, y) => x - y);
  } finally {
    await a.end();
  }
}

export interface HarnessOptions {
  killOptions?: AppDeps['killOptions'];
  /** Extra inventory entries (same DAS instance), merged after the default "main" one. */
  extraInstances?: (base: InstanceConfig) => InstanceConfig[];
  sessionIdleMinutes?: number;
  webDist?: string;
  logger?: AppDeps['logger'];
}

/** Logs in as the stack's `<role>-user` and returns the cookie-carrying agent and its CSRF token. */
export async function loginAs(url: string, role: Role, password: string): Promise<{ agent: request.Agent; csrf: string }> {
  const agent = request.agent(url);
  const res = await agent.post(pathOf(routes.login)).send({ username: `${role}-user`, password });
  if (res.status !== 200) throw new Error(`login as ${role} failed: ${res.status} ${res.text}`);
  return { agent, csrf: res.body.csrfToken as string };
}

/** A real MariaDB session of one of the test's accounts (killed sessions must not throw). */
export async function openSession(login: Login, database?: string): Promise<DbSession> {
  const conn = await mysql.createConnection({ ...MYSQL, user: login.user, password: login.password, ...(database ? { database } : {}) });
  conn.on('error', () => {});
  return { conn, id: conn.threadId };
}

/**
 * What every test stack needs once das-local listens: the DAS db user registered through the real
 * client, and a users file in a fresh temp dir with one `<role>-user` per role.
 */
export async function registerAndSeedAccounts(o: {
  dasUrl: string;
  projectId: string;
  creds: { ak: string; sk: string };
  das: Login;
  dirPrefix: string;
}): Promise<{ dbUserId: string; dir: string; usersFile: string; passwords: Record<Role, string> }> {
  const client = new DasClient({ endpoint: o.dasUrl, projectId: o.projectId, credentials: () => o.creds });
  const dbUserId = await client.registerDbUser(DAS_INSTANCE_ID, o.das.user, o.das.password);
  client.close();
  const dir = mkdtempSync(path.join(tmpdir(), o.dirPrefix));
  const usersFile = path.join(dir, 'users.json');
  const passwords: Record<Role, string> = { viewer: pw(), operator: pw(), admin: pw() };
  for (const role of ['viewer', 'operator', 'admin'] as const) await upsertUser(usersFile, `${role}-user`, passwords[role], role);
  return { dbUserId, dir, usersFile, passwords };
}

export interface TestMysql {
  accounts: { das: Login; app: Login; oth: Login; backup: Login };
  db1: string;
  db2: string;
  /** Ends every session of these accounts (they are ours), then drops the accounts and databases. */
  drop(): Promise<void>;
}

/**
 * A test's own MariaDB objects, all named `prefix…`: a DAS account (PROCESS + CONNECTION ADMIN, or
 * SUPER), two application accounts, a "backup" account to protect, and two databases.
 */
export async function provisionTestMysql(prefix: string): Promise<TestMysql> {
  const accounts = {
    das: { user: `${prefix}das`, password: pw() },
    app: { user: `${prefix}app`, password: pw() },
    oth: { user: `${prefix}oth`, password: pw() },
    backup: { user: `${prefix}bak`, password: pw() },
  };
  const db1 = `${prefix}db1`;
  const db2 = `${prefix}db2`;
  const a = await admin();
  try {
    for (const db of [db1, db2]) await a.query(`CREATE DATABASE \`${db}\``);
    for (const x of Object.values(accounts)) await a.query('CREATE USER ?@? IDENTIFIED BY ?', [x.user, '%', x.password]);
    for (const x of [accounts.app, accounts.oth, accounts.backup]) for (const db of [db1, db2]) await a.query(`GRANT ALL ON \`${db}\`.* TO ?@?`, [x.user, '%']);
    await a.query('GRANT PROCESS ON *.* TO ?@?', [accounts.das.user, '%']);
    try {
      await a.query('GRANT CONNECTION ADMIN ON *.* TO ?@?', [accounts.das.user, '%']);
    } catch {
      await a.query('GRANT SUPER ON *.* TO ?@?', [accounts.das.user, '%']);
    }
  } finally {
    await a.end();
  }
  return {
    accounts,
    db1,
    db2,
    async drop() {
      const c = await admin();
      try {
        const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT ID FROM information_schema.PROCESSLIST WHERE LEFT(USER, ?) = ?', [prefix.length, prefix]);
        for (const r of rows) await c.query(`KILL CONNECTION ${Number(r.ID)}`).catch(() => undefined);
        for (const x of Object.values(accounts)) await c.query('DROP USER IF EXISTS ?@?', [x.user, '%']);
        for (const db of [db1, db2]) await c.query(`DROP DATABASE IF EXISTS \`${db}\``);
      } finally {
        await c.end();
      }
    },
  };
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const prefix = `qt_bff_${randomBytes(4).toString('hex')}_`;
  const { accounts, db1, db2, drop } = await provisionTestMysql(prefix);

  const creds = { ak: `AK${randomBytes(8).toString('hex').toUpperCase()}`, sk: randomBytes(20).toString('hex') };
  const faults = new FaultController();
  const das = createDasServer({
    projectId: PROJECT_ID,
    credentials: [creds],
    instances: [{ instanceId: DAS_INSTANCE_ID, host: MYSQL.host, port: MYSQL.port }],
    registryPath: ':memory:',
    registryKey: randomBytes(16).toString('hex'),
    faults,
  });
  const { url: dasUrl } = await das.listen(0, '127.0.0.1');
  const { dbUserId, dir, usersFile, passwords } = await registerAndSeedAccounts({ dasUrl, projectId: PROJECT_ID, creds, das: accounts.das, dirPrefix: 'quell-bff-test-' });

  const base: InstanceConfig = {
    id: 'main',
    name: 'main-db',
    environment: 'test',
    endpoint: dasUrl,
    projectId: PROJECT_ID,
    instanceId: DAS_INSTANCE_ID,
    dbUserId,
    protectedUsers: [accounts.backup.user],
    protectedHosts: [],
    blastRadiusCap: 20,
  };
  const instances = [base, ...(options.extraInstances?.(base) ?? [])];
  const stores = openSqliteStores(':memory:');
  const clock = { offsetMs: 0 };
  const quell = createApp({
    config: {
      instances,
      sessionSecret: randomBytes(32).toString('hex'),
      webDist: options.webDist ?? path.join(dir, 'no-dist'),
      cookieSecure: false,
      sessionIdleMinutes: options.sessionIdleMinutes ?? 30,
      trustProxy: false,
    },
    das: createDasFactory(() => creds, { timeoutMs: 10_000 }),
    stores,
    users: createFileUserDirectory(usersFile),
    now: () => new Date(Date.now() + clock.offsetMs),
    killOptions: { verifyDelayMs: 150, ...options.killOptions },
    ...(options.logger ? { logger: options.logger } : {}),
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
    dasUrl,
    faults,
    quell,
    stores,
    url,
    instances,
    passwords,
    usersFile,
    creds,
    clock,
    anon: () => request.agent(url),
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
      for (const s of opened) s.conn.destroy();
      await drop();
      await das.close();
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until ok(value) or the deadline. */
export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
