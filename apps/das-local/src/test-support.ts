// Shared by the test files: MariaDB accounts with a random prefix, real sessions, and requests
// signed by the official Huawei Cloud Node SDK signer.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import mysql from 'mysql2/promise';

export const MYSQL = {
  host: process.env.QUELL_TEST_MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.QUELL_TEST_MYSQL_PORT ?? 3306),
  user: process.env.QUELL_TEST_MYSQL_USER ?? 'root',
  password: process.env.QUELL_TEST_MYSQL_PASSWORD ?? '',
};

export const PROJECT_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const INSTANCE_ID = 'da304cd5bbb944de828759bc7be3d3fein01';

export function randomPrefix(): string {
  return `qt${randomBytes(4).toString('hex')}_`;
}

export function adminConnection() {
  return mysql.createConnection({ ...MYSQL, multipleStatements: false });
}

export interface TestAccounts {
  prefix: string;
  /** The account registered with DAS: PROCESS + CONNECTION ADMIN (or SUPER). */
  das: { user: string; password: string };
  /** Accounts whose sessions get listed and killed. */
  app: { user: string; password: string };
  other: { user: string; password: string };
  /** An account with no PROCESS privilege. */
  weak: { user: string; password: string };
  /** PROCESS only: sees every session, can kill only its own. */
  viewer: { user: string; password: string };
  db1: string;
  db2: string;
  drop(): Promise<void>;
}

/** Creates random-prefixed accounts and databases; drop() removes exactly those. */
export async function createTestAccounts(): Promise<TestAccounts> {
  const prefix = randomPrefix();
  const pw = () => randomBytes(12).toString('hex');
  const acc = {
    das: { user: `${prefix}das`, password: pw() },
    app: { user: `${prefix}app`, password: pw() },
    other: { user: `${prefix}oth`, password: pw() },
    weak: { user: `${prefix}weak`, password: pw() },
    viewer: { user: `${prefix}view`, password: pw() },
  };
  const db1 = `${prefix}db1`;
  const db2 = `${prefix}db2`;
  const admin = await adminConnection();
  try {
    for (const db of [db1, db2]) await admin.query(`CREATE DATABASE \`${db}\``);
    for (const a of Object.values(acc)) {
      await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [a.user, '%', a.password]);
    }
    for (const a of [acc.app, acc.other]) {
      for (const db of [db1, db2]) await admin.query(`GRANT ALL ON \`${db}\`.* TO ?@?`, [a.user, '%']);
    }
    await admin.query('GRANT PROCESS ON *.* TO ?@?', [acc.das.user, '%']);
    await admin.query('GRANT PROCESS ON *.* TO ?@?', [acc.viewer.user, '%']);
    try {
      await admin.query('GRANT CONNECTION ADMIN ON *.* TO ?@?', [acc.das.user, '%']);
    } catch {
      await admin.query('GRANT SUPER ON *.* TO ?@?', [acc.das.user, '%']);
    }
    await admin.query(`CREATE TABLE \`${db1}\`.t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB`);
    await admin.query(`INSERT INTO \`${db1}\`.t VALUES (1, 0), (2, 0)`);
  } finally {
    await admin.end();
  }
  return {
    prefix,
    ...acc,
    db1,
    db2,
    async drop() {
      const a = await adminConnection();
      try {
        for (const x of Object.values(acc)) await a.query('DROP USER IF EXISTS ?@?', [x.user, '%']);
        for (const db of [db1, db2]) await a.query(`DROP DATABASE IF EXISTS \`${db}\``);
      } finally {
        await a.end();
      }
    },
  };
}

export interface Session {
  conn: mysql.Connection;
  id: number;
}

/** A real session; errors after a kill are swallowed. */
export async function openSession(login: { user: string; password: string }, database?: string): Promise<Session> {
  const conn = await mysql.createConnection({ host: MYSQL.host, port: MYSQL.port, user: login.user, password: login.password, ...(database ? { database } : {}) });
  conn.on('error', () => {});
  return { conn, id: conn.threadId };
}

/** Closes these test sessions; any still alive server-side (e.g. mid-SLEEP) are killed: they are ours. */
export async function closeSessions(sessions: Session[]): Promise<void> {
  for (const s of sessions) s.conn.destroy();
  const alive = await aliveIds(sessions.map((s) => s.id));
  if (alive.length === 0) return;
  const admin = await adminConnection();
  try {
    for (const id of alive) await admin.query(`KILL CONNECTION ${id}`).catch(() => undefined);
  } finally {
    await admin.end();
  }
}

/** Which of these thread ids still exist, seen by a separate admin connection. */
export async function aliveIds(ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const admin = await adminConnection();
  try {
    const [rows] = await admin.query<mysql.RowDataPacket[]>(
      `SELECT ID FROM information_schema.PROCESSLIST WHERE ID IN (${ids.map(() => '?').join(',')}) AND COMMAND <> 'Killed' ORDER BY ID`,
      ids,
    );
    return rows.map((r) => Number(r.ID));
  } finally {
    await admin.end();
  }
}

/** Polls until the predicate holds (killed threads leave PROCESSLIST shortly after KILL). */
export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- the official signer ----

interface AkskSigner {
  sign(
    request: { method: string; endpoint: string; queryParams: Record<string, unknown>; headers: Record<string, string>; data?: unknown },
    credential: { getAk(): string; getSk(): string },
  ): Record<string, string>;
}
const { AKSKSigner } = createRequire(import.meta.url)('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner') as { AKSKSigner: AkskSigner };

export interface OfficialRequest {
  method: string;
  path: string;
  query?: Array<[string, string]>;
  /** JSON body (sent as JSON.stringify(body), which is what the SDK hashes). */
  body?: unknown;
  headers?: Record<string, string>;
  ak: string;
  sk: string;
  securityToken?: string;
}

function encode(v: string): string {
  return encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Signs like the official Node SDK (content-type, x-project-id, x-security-token, host, x-sdk-date). */
export function officialSign(baseUrl: string, r: OfficialRequest): { path: string; headers: Record<string, string>; body: string | undefined } {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'X-Project-Id': PROJECT_ID, ...(r.headers ?? {}) };
  if (r.securityToken) headers['X-Security-Token'] = r.securityToken;
  const queryParams: Record<string, unknown> = {};
  for (const [k, v] of r.query ?? []) queryParams[k] = v;
  const signed = AKSKSigner.sign(
    { method: r.method, endpoint: `${url.origin}${r.path}`, queryParams, headers, ...(r.body === undefined ? {} : { data: r.body }) },
    { getAk: () => r.ak, getSk: () => r.sk },
  );
  const qs = (r.query ?? []).map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  return { path: qs ? `${r.path}?${qs}` : r.path, headers: signed, body: r.body === undefined ? undefined : JSON.stringify(r.body) };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** Sends exactly these bytes (node:http, so nothing is added but Content-Length). */
export function rawRequest(baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Signs with the official signer and sends. */
export async function call(baseUrl: string, r: OfficialRequest): Promise<RawResponse> {
  const s = officialSign(baseUrl, r);
  return rawRequest(baseUrl, r.method, s.path, s.headers, s.body);
}

// ---- a private MariaDB server (its own datadir and port), for restarts and fresh-install defaults ----

export interface PrivateMariadb {
  host: string;
  port: number;
  /** root over TCP, no password. */
  admin(): Promise<mysql.Connection>;
  /** Stops the server cleanly and starts it again on the same datadir and port (thread ids restart low). */
  restart(): Promise<void>;
  /** Stops the server and keeps its datadir (restart() starts it again). */
  halt(): Promise<void>;
  /** Stops the server and removes its datadir. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Runs mariadb-install-db into a temporary directory and starts mariadbd there on a free port.
 * `freshDefaults` keeps what a plain install creates (the anonymous ''@localhost accounts and the
 * test database); otherwise the install skips them.
 */
export async function startPrivateMariadb(opts: { freshDefaults?: boolean } = {}): Promise<PrivateMariadb> {
  const dir = mkdtempSync(join(tmpdir(), 'quell-mariadb-'));
  const datadir = join(dir, 'data');
  await new Promise<void>((resolve, reject) => {
    execFile(
      'mariadb-install-db',
      ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--auth-root-authentication-method=normal', ...(opts.freshDefaults ? [] : ['--skip-test-db'])],
      (err) => (err ? reject(err) : resolve()),
    );
  });
  const port = await freePort();
  const host = '127.0.0.1';
  const connect = () => mysql.createConnection({ host, port, user: 'root', password: '', connectTimeout: 2000 });
  let proc: ChildProcess | undefined;
  const start = async () => {
    const mariadbd = ['/usr/sbin/mariadbd', '/usr/bin/mariadbd'].find((p) => existsSync(p)) ?? 'mariadbd';
    proc = spawn(
      mariadbd,
      ['--no-defaults', `--datadir=${datadir}`, '--user=root', `--port=${port}`, `--bind-address=${host}`, `--socket=${join(dir, 'sock')}`, '--skip-log-bin', `--log-error=${join(dir, 'error.log')}`, '--innodb-buffer-pool-size=16M'],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const c = await connect();
        await c.end();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const halt = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  };
  await start();
  return {
    host,
    port,
    admin: connect,
    async restart() {
      await halt();
      await start();
    },
    halt,
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
