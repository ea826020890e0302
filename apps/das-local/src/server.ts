// createDasServer: Huawei Cloud DAS (session APIs, DAS-API.md §1.1–1.7; lock views, DAS-INCIDENT-API.md §2–§3)
// behind an API Gateway signature check.
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseQuery } from '@quell/das-client/signer';
import { APIG, DAS, DasError, GatewayError } from './errors.ts';
import { FaultController, OPERATIONS, type FaultKind, type Operation } from './faults.ts';
import { LockSourceUnavailable, type InnodbTrxScope, type MetadataLockFilter } from './locks.ts';
import { CredentialsRejected, MysqlBackend, type DbLogin, type ProcessFilter } from './mysql-backend.ts';
import { syntheticProcessPage } from './synthetic-processes.ts';
import { DbUserRegistry, type DbUser } from './registry.ts';
import { SignatureChecker } from './signature-check.ts';
import { isSqlLimitOperation, matchSqlLimitRoute } from './sql-limit/operations.ts';
import { startSqlLimitProxy, type SqlLimitProxy } from './sql-limit/proxy.ts';
import { handleSqlLimit, type SqlLimitContext } from './sql-limit/routes.ts';
import { SqlLimitInstance, type SqlLimitOptions } from './sql-limit/state.ts';

export { FaultController } from './faults.ts';

export interface DasServerDeps {
  /** 32 letters/digits; the only project this DAS answers for. */
  projectId: string;
  /** AK→SK map; entries with securityToken are temporary AKs that require X-Security-Token. */
  credentials: Array<{ ak: string; sk: string; securityToken?: string }>;
  /** Where each DAS instance's MySQL lives (no credentials: DAS uses the registered db user's). */
  instances: Array<{ instanceId: string; host: string; port: number; sqlLimit?: SqlLimitInstanceConfig }>;
  /** SQLite file for registered db users; ':memory:' allowed. */
  registryPath: string;
  /** Secret used to encrypt db-user passwords at rest (AES-256-GCM, key derived with scrypt). */
  registryKey: string;
  now?: () => Date;
  /** 5 consecutive signature failures lock an AK for 5 minutes (default false). */
  lockout?: boolean;
  /** Which transactions ListInnodbLocks lists (default 'locking'; see InnodbTrxScope). */
  innodbTrxScope?: InnodbTrxScope;
  /** undefined = fault injection unreachable. */
  faults?: FaultController;
  /** Also expose the unsigned HTTP fault-control surface under /__das-local/faults (needs `faults`). */
  faultsHttp?: boolean;
  log?: (line: Record<string, unknown>) => void;
  /** Bench only (DAS_LOCAL_BENCH_SYNTHETIC_PROCESSES): ListProcesses answers this many made-up threads instead of asking MariaDB. */
  syntheticProcesses?: number;
}

/** SQL limit emulation of one instance: matching options, job timing, and the enforcing proxy's listener. */
export interface SqlLimitInstanceConfig extends SqlLimitOptions {
  /** Started by listen(): clients connecting here are throttled by the instance's rules (port 0 = any free port). */
  proxy?: { host?: string; port: number };
}

export interface DasServer {
  server: http.Server;
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
  /** The SQL limit state of an instance (test toggles: failNextSwitchJob, inflight). */
  sqlLimit(instanceId: string): SqlLimitInstance | undefined;
  /** Where the instance's SQL limit proxy listens (after listen()), if it has one. */
  sqlLimitProxy(instanceId: string): { host: string; port: number } | undefined;
}

const MAX_BODY_BYTES = 1024 * 1024;
const ID_36 = /^[A-Za-z0-9-]{36}$/;
const MAX_PROCESS_ID = 2 ** 31 - 1;
const FAULTS_PATH = '/__das-local/faults';

interface Route {
  operation: Operation;
  projectId: string;
  instanceId: string;
  dbUserId?: string;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Method + exact path → operation; undefined = APIG.0101. */
export function matchRoute(method: string, path: string): Route | undefined {
  const seg = path.split('/').map(decodeSegment);
  if (seg[0] !== '' || seg[1] !== 'v3' || seg[3] !== 'instances' || !seg[2] || !seg[4]) return undefined;
  const base = { projectId: seg[2], instanceId: seg[4] };
  const rest = seg.slice(5);
  if (rest.length === 1 && rest[0] === 'db-users') {
    if (method === 'POST') return { ...base, operation: 'RegisterDbUser' };
    if (method === 'GET') return { ...base, operation: 'ListDbUsers' };
  }
  if (rest.length === 2 && rest[0] === 'db-users' && rest[1]) {
    const op = ({ GET: 'ShowDbUser', PUT: 'UpdateDbUser', DELETE: 'DeleteDbUser' } as const)[method as 'GET' | 'PUT' | 'DELETE'];
    if (op) return { ...base, operation: op, dbUserId: rest[1] };
  }
  const sqlLimitOperation = matchSqlLimitRoute(method, rest);
  if (sqlLimitOperation) return { ...base, operation: sqlLimitOperation };
  if (rest.length === 1 && rest[0] === 'processes' && method === 'GET') return { ...base, operation: 'ListProcesses' };
  if (rest.length === 1 && rest[0] === 'process' && method === 'DELETE') return { ...base, operation: 'DeleteProcess' };
  if (rest.length === 1 && rest[0] === 'innodb-locks' && method === 'GET') return { ...base, operation: 'ListInnodbLocks' };
  if (rest.length === 1 && rest[0] === 'metadata-locks' && method === 'GET') return { ...base, operation: 'ListMetadataLocks' };
  return undefined;
}

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function firstQuery(pairs: Array<[string, string]>, name: string): string | undefined {
  return pairs.find(([k]) => k === name)?.[1];
}

export function parseOffset(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\d{1,9}$/.test(value)) throw DAS.invalidOffset();
  return Number(value);
}

export function parseLimit(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,4}$/.test(value)) throw DAS.invalidLimit();
  const n = Number(value);
  if (n < 1 || n > 100) throw DAS.invalidLimit();
  return n;
}

export function jsonObject(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw DAS.invalidParameter('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw DAS.invalidParameter('The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

function requiredString(body: Record<string, unknown>, field: string, max: number): string {
  const v = body[field];
  if (typeof v !== 'string' || v.length === 0) throw DAS.invalidParameter(`${field} is required.`);
  if (v.length > max) throw DAS.invalidParameter(`${field} is too long.`);
  return v;
}

/** A MySQL account name: no control characters and nothing outside the BMP (MySQL could not hold it; the login would fail oddly). */
function accountName(value: string): string {
  if (/[\u0000-\u001f\u007f]|[\ud800-\udfff]/.test(value)) throw DAS.invalidParameter('db_username holds characters a MySQL account name cannot hold.');
  return value;
}

/** An optional string filter: absent, null or '' = not given; anything but a string is invalid. */
function optionalFilter(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw DAS.invalidParameter(`${field} must be a string.`);
  if (value.length > 256) throw DAS.invalidParameter(`${field} is too long.`);
  // MySQL names are utf8mb3: a character outside the BMP cannot be compared with them (the server errors out).
  if (/[\ud800-\udfff]/.test(value)) throw DAS.invalidParameter(`${field} holds characters a MySQL name cannot hold.`);
  return value;
}

/** A session id filter: absent or '' = not given; otherwise decimal digits in [0, 2^31-1]. */
function optionalThreadId(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,10}$/.test(value) || Number(value) > MAX_PROCESS_ID) throw DAS.invalidParameter('thread_id must be an integer in [0, 2147483647].');
  return String(Number(value));
}

function requiredDbUserId(query: Array<[string, string]>): string {
  const dbUserId = firstQuery(query, 'db_user_id');
  if (dbUserId === undefined || dbUserId === '') throw DAS.invalidParameter('db_user_id is required.');
  return dbUserId;
}

export function createDasServer(deps: DasServerDeps): DasServer {
  const registry = new DbUserRegistry(deps.registryPath, deps.registryKey);
  const backend = new MysqlBackend();
  const checker = new SignatureChecker({ credentials: deps.credentials, lockout: deps.lockout ?? false });
  const instances = new Map(deps.instances.map((i) => [i.instanceId, i]));
  const faults = deps.faults;
  const log = deps.log ?? (() => {});
  const now = () => new Date((deps.now?.() ?? new Date()).getTime() + (faults?.clockOffsetMs ?? 0));

  function login(user: DbUser): DbLogin {
    const inst = instances.get(user.instanceId);
    if (!inst) throw DAS.invalidInstanceId();
    return { host: inst.host, port: inst.port, user: user.dbUsername, password: registry.password(user.dbUserId) };
  }

  async function checkCredentials(instanceId: string, user: string, password: string): Promise<void> {
    const inst = instances.get(instanceId);
    if (!inst) throw DAS.invalidInstanceId();
    await backend.checkCredentials({ host: inst.host, port: inst.port, user, password });
  }

  function registeredUser(instanceId: string, dbUserId: string | undefined, missing: () => DasError): DbUser {
    if (dbUserId === undefined || !ID_36.test(dbUserId)) throw DAS.invalidDbUserId();
    const user = registry.get(instanceId, dbUserId);
    if (!user) throw missing();
    return user;
  }

  const sqlLimitStates = new Map(deps.instances.map((i) => [i.instanceId, new SqlLimitInstance(i.sqlLimit, () => now().getTime())]));
  const sqlLimitProxies = new Map<string, SqlLimitProxy>();
  const sqlLimit: SqlLimitContext = {
    state: (instanceId) => sqlLimitStates.get(instanceId)!,
    // DAS ends them with its own account; das-local uses the instance's first registered db user.
    // The rules stand either way: a failure here is logged, not turned into a failed create.
    async endMatchingSessions(instanceId, governs) {
      const dbUser = registry.list(instanceId)[0];
      if (!dbUser) return 0;
      try {
        const rows = await backend.listProcesses(dbUser.dbUserId, login(dbUser), {});
        const ids = rows.filter((r) => r.command === 'Query' && governs(r.sql, { user: r.user, database: r.database })).map((r) => r.id);
        if (ids.length === 0) return 0;
        return (await backend.killProcesses(dbUser.dbUserId, login(dbUser), { processIds: ids })).killed.length;
      } catch (err) {
        log({ ts: new Date().toISOString(), sql_limit: 'could not end the sessions a new rule governs', error: err instanceof Error ? err.name : 'unknown error' });
        return 0;
      }
    },
  };

  async function dispatch(route: Route, query: Array<[string, string]>, body: Buffer, killNoop: boolean): Promise<Reply> {
    const { instanceId } = route;
    if (isSqlLimitOperation(route.operation)) {
      const reply = await handleSqlLimit(route.operation, instanceId, query, body, sqlLimit);
      return new Reply(reply.status, reply.body);
    }
    switch (route.operation) {
      case 'RegisterDbUser': {
        const b = jsonObject(body);
        const dbUsername = accountName(requiredString(b, 'db_username', 80));
        const password = requiredString(b, 'db_user_password', 256);
        const type = b.datastore_type;
        if (type === undefined || type === null || type === '') throw DAS.invalidParameter('datastore_type is required.');
        if (typeof type !== 'string' || type.toLowerCase() !== 'mysql') throw DAS.invalidDatastoreType();
        if (registry.findByUsername(instanceId, dbUsername)) throw DAS.invalidParameter('The database user is already registered.');
        await checkCredentials(instanceId, dbUsername, password);
        return new Reply(200, { db_user_id: registry.add(instanceId, dbUsername, password).dbUserId });
      }
      case 'ListDbUsers': {
        const offset = parseOffset(firstQuery(query, 'offset'));
        const limit = parseLimit(firstQuery(query, 'limit'), 100);
        const byId = firstQuery(query, 'db_user_id') || undefined;
        const byName = firstQuery(query, 'db_username') || undefined;
        const all = registry
          .list(instanceId)
          .filter((u) => (byId === undefined || u.dbUserId === byId) && (byName === undefined || u.dbUsername === byName));
        return new Reply(200, {
          total: all.length,
          db_users: all.slice(offset, offset + limit).map((u) => ({ db_user_id: u.dbUserId, db_username: u.dbUsername })),
        });
      }
      case 'ShowDbUser': {
        const user = registeredUser(instanceId, route.dbUserId, DAS.dbUserNotFound);
        return new Reply(200, { db_user: { db_user_id: user.dbUserId, db_username: user.dbUsername } });
      }
      case 'UpdateDbUser': {
        const user = registeredUser(instanceId, route.dbUserId, DAS.dbUserNotFound);
        const b = jsonObject(body);
        const dbUsername = accountName(requiredString(b, 'db_username', 80));
        const password = requiredString(b, 'db_user_password', 256);
        const other = registry.findByUsername(instanceId, dbUsername);
        if (other && other.dbUserId !== user.dbUserId) throw DAS.invalidParameter('The database user is already registered.');
        await checkCredentials(instanceId, dbUsername, password);
        registry.update(user.dbUserId, dbUsername, password);
        await backend.forget(user.dbUserId);
        return new Reply(200, { result: 'OK' });
      }
      case 'DeleteDbUser': {
        const user = registeredUser(instanceId, route.dbUserId, DAS.dbUserNotFound);
        registry.remove(user.dbUserId);
        await backend.forget(user.dbUserId);
        return new Reply(200, { result: 'OK' });
      }
      case 'ListProcesses': {
        const dbUserId = firstQuery(query, 'db_user_id');
        if (dbUserId === undefined || dbUserId === '') throw DAS.invalidParameter('db_user_id is required.');
        const filter: ProcessFilter = {};
        const user = optionalFilter(firstQuery(query, 'user'), 'user');
        const database = optionalFilter(firstQuery(query, 'database'), 'database');
        if (user === undefined && database === undefined) throw DAS.invalidParameter('At least one of user and database is required.');
        if (user !== undefined) filter.user = user;
        if (database !== undefined) filter.database = database;
        const offset = parseOffset(firstQuery(query, 'offset'));
        const limit = parseLimit(firstQuery(query, 'limit'), 100);
        const dbUser = registeredUser(instanceId, dbUserId, DAS.invalidDbUserId);
        const { rows, count } =
          deps.syntheticProcesses === undefined
            ? await backend.listProcessesPage(dbUser.dbUserId, login(dbUser), filter, { offset, limit })
            : syntheticProcessPage(deps.syntheticProcesses, filter, { offset, limit });
        return new Reply(200, { processes: rows, count });
      }
      case 'ListInnodbLocks': {
        const dbUser = registeredUser(instanceId, requiredDbUserId(query), DAS.invalidDbUserId);
        return new Reply(200, await backend.innodbLocks(dbUser.dbUserId, login(dbUser), deps.innodbTrxScope ?? 'locking'));
      }
      case 'ListMetadataLocks': {
        const dbUserId = requiredDbUserId(query);
        const filter: MetadataLockFilter = {};
        const threadId = optionalThreadId(firstQuery(query, 'thread_id'));
        const database = optionalFilter(firstQuery(query, 'database'), 'database');
        const table = optionalFilter(firstQuery(query, 'table'), 'table');
        if (threadId !== undefined) filter.threadId = threadId;
        if (database !== undefined) filter.database = database;
        if (table !== undefined) filter.table = table;
        const dbUser = registeredUser(instanceId, dbUserId, DAS.invalidDbUserId);
        return new Reply(200, await backend.metadataLocks(dbUser.dbUserId, login(dbUser), filter));
      }
      case 'DeleteProcess': {
        const b = jsonObject(body);
        const dbUserId = b.db_user_id;
        if (dbUserId === undefined || dbUserId === null || dbUserId === '') throw DAS.invalidParameter('db_user_id is required.');
        if (typeof dbUserId !== 'string') throw DAS.invalidDbUserId();
        const filter: ProcessFilter = {};
        if (b.process_ids !== undefined && b.process_ids !== null) {
          const ids = b.process_ids;
          if (!Array.isArray(ids) || ids.length === 0) throw DAS.invalidParameter('process_ids must be a non-empty array of strings.');
          for (const id of ids) {
            if (typeof id !== 'string' || !/^\d{1,10}$/.test(id) || Number(id) > MAX_PROCESS_ID) {
              throw DAS.invalidParameter('Each process id must be a string holding an integer in [0, 2147483647].');
            }
          }
          filter.processIds = ids.map((id: string) => String(Number(id)));
        }
        const user = optionalFilter(b.user, 'user');
        const database = optionalFilter(b.database, 'database');
        if (user !== undefined) filter.user = user;
        if (database !== undefined) filter.database = database;
        if (filter.processIds === undefined && user === undefined && database === undefined) {
          throw DAS.invalidParameter('At least one of process_ids, user and database is required.');
        }
        const dbUser = registeredUser(instanceId, dbUserId, DAS.invalidDbUserId);
        if (killNoop) return new Reply(200, undefined);
        const { denied } = await backend.killProcesses(dbUser.dbUserId, login(dbUser), filter);
        if (denied.length > 0) throw DAS.internal(`The database user is not allowed to kill ${denied.length} of the matching sessions.`);
        return new Reply(200, undefined);
      }
    }
  }

  function send(req: IncomingMessage, res: ServerResponse, requestId: string, status: number, body: unknown): void {
    res.statusCode = status;
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('Date', now().toUTCString());
    if (body === undefined) {
      res.setHeader('Content-Length', '0');
      res.end();
    } else {
      const text = JSON.stringify(body);
      res.setHeader('Content-Type', 'application/json;charset=UTF-8');
      res.setHeader('Content-Length', String(Buffer.byteLength(text)));
      res.end(req.method === 'HEAD' ? undefined : text);
    }
  }

  async function handleFaultControl(req: IncomingMessage, path: string, body: Buffer): Promise<Reply> {
    if (!faults) throw APIG.notFound();
    if (path === FAULTS_PATH && req.method === 'GET') return new Reply(200, { faults: faults.list(), clock_offset_ms: faults.clockOffsetMs });
    if (path === FAULTS_PATH && req.method === 'DELETE') {
      faults.clear();
      return new Reply(200, { result: 'OK' });
    }
    if (path === FAULTS_PATH && req.method === 'POST') {
      const b = jsonObject(body);
      const kinds: FaultKind[] = ['latency', 'error500', 'throttle', 'reset', 'killNoop'];
      if (!kinds.includes(b.kind as FaultKind)) throw DAS.invalidParameter(`kind must be one of ${kinds.join(', ')}.`);
      const ops = b.operations;
      if (ops !== undefined && (!Array.isArray(ops) || !ops.every((o) => (OPERATIONS as readonly unknown[]).includes(o)))) {
        throw DAS.invalidParameter(`operations must be a subset of ${OPERATIONS.join(', ')}.`);
      }
      try {
        const id = faults.add(b.kind as FaultKind, {
          ...(ops !== undefined ? { operations: ops as Operation[] } : {}),
          ...(b.times !== undefined ? { times: b.times as number } : {}),
          ...(b.latency_ms !== undefined ? { latencyMs: b.latency_ms as number } : {}),
        });
        return new Reply(200, { id });
      } catch (err) {
        throw DAS.invalidParameter((err as Error).message);
      }
    }
    if (path === `${FAULTS_PATH}/clock` && req.method === 'PUT') {
      const b = jsonObject(body);
      if (typeof b.offset_ms !== 'number' || !Number.isFinite(b.offset_ms)) throw DAS.invalidParameter('offset_ms must be a number.');
      faults.setClockOffset(b.offset_ms);
      return new Reply(200, { result: 'OK' });
    }
    if (path.startsWith(`${FAULTS_PATH}/`) && req.method === 'DELETE') {
      const removed = faults.remove(decodeSegment(path.slice(FAULTS_PATH.length + 1)));
      if (!removed) throw DAS.invalidParameter('No such fault.');
      return new Reply(200, { result: 'OK' });
    }
    throw APIG.notFound();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const requestId = randomBytes(16).toString('hex');
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q === -1 ? '' : rawUrl.slice(q + 1);
    const line: Record<string, unknown> = { request_id: requestId, method: req.method, path: rawPath };
    let status = 500;
    try {
      const body = await readBody(req);
      if (body === 'too-large') throw APIG.tooLarge();
      if (faults && deps.faultsHttp && (rawPath === FAULTS_PATH || rawPath.startsWith(`${FAULTS_PATH}/`))) {
        const reply = await handleFaultControl(req, rawPath, body);
        status = reply.status;
        send(req, res, requestId, reply.status, reply.body);
        return;
      }
      const route = matchRoute(req.method ?? '', rawPath);
      if (!route) throw APIG.notFound();
      line.operation = route.operation;
      line.ak = checker.verify(req, rawPath, rawQuery, body, now());
      const plan = faults?.take(route.operation);
      if (plan && plan.latencyMs > 0) await new Promise((r) => setTimeout(r, plan.latencyMs));
      if (plan?.terminal === 'reset') {
        line.fault = 'reset';
        status = 0;
        req.socket.destroy();
        return;
      }
      if (plan?.terminal === 'error500') throw DAS.internal();
      if (plan?.terminal === 'throttle') throw DAS.frequentRequests();
      if (route.projectId !== deps.projectId) throw DAS.invalidProjectId();
      if (!instances.has(route.instanceId)) throw DAS.invalidInstanceId();
      const reply = await dispatch(route, parseQuery(rawQuery), body, plan?.killNoop ?? false);
      status = reply.status;
      send(req, res, requestId, reply.status, reply.body);
    } catch (err) {
      let e: DasError | GatewayError;
      if (err instanceof DasError || err instanceof GatewayError) e = err;
      else if (err instanceof CredentialsRejected) e = DAS.authenticationFailed();
      else if (err instanceof LockSourceUnavailable) e = DAS.internal(err.message);
      else {
        line.internal_error = err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error';
        e = DAS.internal(
          typeof err === 'object' && err !== null && 'code' in err && (err.code === 'ECONNREFUSED' || err.code === 'ETIMEDOUT')
            ? 'Failed to connect to the database instance.'
            : 'Internal server error.',
        );
      }
      status = e.status;
      line.error_code = e.code;
      if (!res.headersSent && !res.destroyed) {
        send(req, res, requestId, e.status, e instanceof GatewayError ? { error_code: e.code, error_msg: e.message, request_id: requestId } : { error_code: e.code, error_msg: e.message });
      }
    } finally {
      log({ ts: new Date().toISOString(), ...line, status, duration_ms: Date.now() - started });
    }
  }

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });

  return {
    server,
    async listen(port = 0, host = '127.0.0.1') {
      const address = await new Promise<{ url: string; port: number }>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address() as AddressInfo;
          const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          resolve({ url: `http://${shownHost}:${addr.port}`, port: addr.port });
        });
      });
      for (const inst of deps.instances) {
        if (!inst.sqlLimit?.proxy || sqlLimitProxies.has(inst.instanceId)) continue;
        const proxy = await startSqlLimitProxy({
          upstream: { host: inst.host, port: inst.port },
          state: sqlLimitStates.get(inst.instanceId)!,
          port: inst.sqlLimit.proxy.port,
          ...(inst.sqlLimit.proxy.host ? { host: inst.sqlLimit.proxy.host } : {}),
          log,
        });
        sqlLimitProxies.set(inst.instanceId, proxy);
      }
      return address;
    },
    sqlLimit: (instanceId) => sqlLimitStates.get(instanceId),
    sqlLimitProxy(instanceId) {
      const proxy = sqlLimitProxies.get(instanceId);
      return proxy && { host: proxy.host, port: proxy.port };
    },
    async close() {
      await Promise.all([...sqlLimitProxies.values()].map((p) => p.close()));
      sqlLimitProxies.clear();
      if (server.listening) {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
      await backend.close();
      registry.close();
    },
  };
}
