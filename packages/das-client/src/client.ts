// The typed DAS client: validates, builds, signs and sends each call (with deadlines, the retry
// policy of DAS-API.md §4 and clock-skew correction); turns answers into typed values or a DasApiError.
import type { z } from 'zod';
import { DasApiError, DasRequestError } from './errors.ts';
import { dasEndpointForRegion } from './regions.ts';
import { parseSdkDate, signParts, wirePath, wireQuery, type SigningCredentials } from './signer.ts';
import * as sqlLimit from './sql-limit.ts';
import { createFetchTransport, createNodeTransport, TransportError, type Transport, type TransportResponse } from './transport.ts';
import type {
  DasAttemptEvent,
  DasInnodbLocks,
  DasMetadataLocks,
  DasProcess,
  DbUserRecord,
  DeleteProcessParams,
  ListDbUsersFilter,
  ListInnodbLocksParams,
  ListMetadataLocksParams,
  ListingOptions,
  ListProcessesParams,
  ProcessPage,
} from './types.ts';
import { PROCESSES_PAGE_SIZE } from './types.ts';
import {
  CredentialsSchema,
  DbUserRefSchema,
  DeleteProcessParamsSchema,
  ErrorResponse,
  ListDbUsersResponse,
  ListDbUsersSchema,
  ListInnodbLocksParamsSchema,
  ListInnodbLocksResponse,
  ListMetadataLocksParamsSchema,
  ListMetadataLocksResponse,
  ListProcessesParamsSchema,
  ListProcessesResponse,
  ProjectId,
  RegisterDbUserResponse,
  RegisterDbUserSchema,
  ResultResponse,
  ShowDbUserResponse,
  toDasInnodbLocks,
  toDasMetadataLocks,
  toDasProcess,
  toDbUserRecord,
  UpdateDbUserSchema,
} from './wire.ts';

export { toDasProcess } from './wire.ts';

export interface DasClientOptions {
  /** e.g. https://das.ap-southeast-1.myhuaweicloud.com or http://127.0.0.1:8787; wins over `region`. */
  endpoint?: string;
  /** A region of the SDK table (DAS-API.md §1.9), e.g. ap-southeast-1; na-mexico-1 maps to la-south-2. */
  region?: string;
  projectId: string;
  /** Called before every attempt, so credentials (and STS tokens) can rotate without a restart. */
  credentials: () => SigningCredentials | Promise<SigningCredentials>;
  /** Send through this fetch instead of node:http (only the total deadline applies then). */
  fetch?: typeof fetch;
  /** Send through this transport (wins over `fetch`). */
  transport?: Transport;
  /** Wall clock used for X-Sdk-Date (before skew correction). */
  now?: () => Date;
  /**
   * Total deadline per call in ms, retries and backoff included (default 15 000). Each page of a
   * listing is one call.
   */
  timeoutMs?: number;
  /** Deadline for DNS + TCP + TLS of each attempt in ms (default 5 000). */
  connectTimeoutMs?: number;
  /** Attempts for reads (GET), 1..5, default 3. Writes are attempted once. */
  maxAttempts?: number;
  /** Exponential backoff: base and cap in ms (defaults 200 / 2 000), equal jitter. */
  backoff?: { baseMs?: number; capMs?: number };
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Injected for tests; [0, 1). */
  random?: () => number;
  /** Sent (and signed) as X-Language. */
  language?: 'en-us' | 'zh-cn';
  /** Sent unsigned as User-Agent. */
  userAgent?: string;
  /** Called after every HTTP attempt; carries no secrets. */
  onAttempt?: (event: DasAttemptEvent) => void;
}

/** 1 000 pages = 100 000 rows: far beyond any real processlist; stops a DAS that ignores `offset`. */
const MAX_PAGES = 1_000;
/** More pages at once than this would press DAS (and its throttling) for little gain. */
const MAX_PAGES_IN_FLIGHT = 8;
const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);
const THROTTLED_CODE = 'DAS.200002';
// Statuses that, without a DAS error code, come from the API gateway or a proxy in front of DAS.
const GATEWAY_STATUS = new Set([401, 403, 404, 413, 429, 502, 503, 504]);

type Query = Array<readonly [string, string]>;

interface Sent {
  status: number;
  text: string;
  requestId: string | undefined;
  attempts: number;
}

export class DasClient {
  readonly #endpoint: string;
  readonly #origin: string;
  readonly #host: string;
  readonly #basePath: string[];
  readonly #projectId: string;
  readonly #credentials: DasClientOptions['credentials'];
  readonly #transport: Transport;
  readonly #ownsTransport: { close(): void } | undefined;
  readonly #now: () => Date;
  readonly #timeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoffBaseMs: number;
  readonly #backoffCapMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #language: string | undefined;
  readonly #userAgent: string;
  readonly #onAttempt: ((event: DasAttemptEvent) => void) | undefined;
  #clockOffsetMs = 0;

  constructor(options: DasClientOptions) {
    this.#endpoint = resolveEndpoint(options);
    const endpointUrl = new URL(this.#endpoint);
    this.#origin = endpointUrl.origin;
    this.#host = endpointUrl.host;
    this.#basePath = endpointUrl.pathname.split('/').filter((s) => s !== '').map(decodeSegment);
    const projectId = ProjectId.safeParse(options.projectId);
    if (!projectId.success) throw new TypeError('DasClient: projectId must be 1-64 letters, digits, "-" or "_"');
    this.#projectId = projectId.data;
    if (typeof options.credentials !== 'function') throw new TypeError('DasClient: credentials must be a function returning { ak, sk, securityToken? }');
    this.#credentials = options.credentials;
    if (options.transport) {
      this.#transport = options.transport;
    } else if (options.fetch) {
      this.#transport = createFetchTransport(options.fetch);
    } else {
      const transport = createNodeTransport();
      this.#transport = transport;
      this.#ownsTransport = transport;
    }
    this.#now = options.now ?? (() => new Date());
    this.#timeoutMs = positive('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.#connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    const maxAttempts = options.maxAttempts ?? 3;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 5) throw new TypeError('DasClient: maxAttempts must be an integer in 1..5');
    this.#maxAttempts = maxAttempts;
    this.#backoffBaseMs = positive('backoff.baseMs', options.backoff?.baseMs ?? 200);
    this.#backoffCapMs = positive('backoff.capMs', options.backoff?.capMs ?? 2_000);
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#language = options.language;
    this.#userAgent = options.userAgent ?? 'quell-das-client';
    this.#onAttempt = options.onAttempt;
  }

  /** The endpoint calls go to (after region resolution), without a trailing slash. */
  get endpoint(): string {
    return this.#endpoint;
  }

  /** Server time minus local time in ms, as learnt from the last "signature expired" answer (0 until then). */
  get clockOffsetMs(): number {
    return this.#clockOffsetMs;
  }

  /** Closes idle keep-alive connections of the built-in transport. */
  close(): void {
    this.#ownsTransport?.close();
  }

  // ---- sessions --------------------------------------------------------------------------------

  /**
   * ListProcesses, page by page (limit 100), until `count` is reached or a page comes back short; or one
   * page of `limit`. Pages come in order (`options.order`, ascending by default). With `pagesInFlight` > 1,
   * once a page has told `count`, the next pages up to it are asked for ahead, that many at a time; the
   * pages are still taken in order. Ascending, they end where one at a time would end (an answer past
   * that end, or its failure, is ignored). Descending, every offset below the first page's `count` is
   * asked for once, and a short or empty page is not the end (sessions ended meanwhile).
   */
  async *listProcessPages(params: ListProcessesParams, options: ListingOptions = {}): AsyncGenerator<ProcessPage> {
    const operation = 'ListProcesses';
    const p = check(operation, ListProcessesParamsSchema, params);
    const pagesInFlight = options.pagesInFlight ?? 1;
    if (!Number.isInteger(pagesInFlight) || pagesInFlight < 1 || pagesInFlight > MAX_PAGES_IN_FLIGHT) {
      throw new TypeError(`DasClient: pagesInFlight must be an integer in 1..${MAX_PAGES_IN_FLIGHT}`);
    }
    const order = options.order ?? 'ascending';
    if (order !== 'ascending' && order !== 'descending') throw new TypeError('DasClient: order must be "ascending" or "descending"');
    const fetchPage = async (offset: number): Promise<{ processes: DasProcess[]; count: number | undefined }> => {
      const query: Query = [['db_user_id', p.dbUserId]];
      if (p.user !== undefined) query.push(['user', p.user]);
      if (p.database !== undefined) query.push(['database', p.database]);
      if (p.nodeId !== undefined) query.push(['node_id', p.nodeId]);
      query.push(['offset', String(offset)], ['limit', String(p.limit ?? PROCESSES_PAGE_SIZE)]);
      const sent = await this.#send(operation, 'GET', ['instances', p.instanceId, 'processes'], query);
      const page = parseBody(operation, ListProcessesResponse, sent);
      return { processes: (page.processes ?? []).map(toDasProcess), count: page.count ?? undefined };
    };
    if (p.limit !== undefined) {
      const page = await fetchPage(0);
      yield { offset: 0, processes: page.processes.slice(0, p.limit), count: page.count };
      return;
    }
    // Requests sent for the page being taken and the ones after it, in the order they are taken.
    const ahead: Array<{ offset: number; answer: ReturnType<typeof fetchPage> }> = [];
    const sendAhead = (offset: number): void => {
      const answer = fetchPage(offset);
      answer.catch(() => {}); // a page past the end may fail unheard; a page taken rethrows below
      ahead.push({ offset, answer });
    };
    let count: number | undefined;
    try {
      for (let offset = 0, pages = 0; ; pages++) {
        if (pages === MAX_PAGES) throw pagingRunaway(operation);
        if (ahead[0]?.offset !== offset) ahead.length = 0; // a page of another size than asked: what was sent ahead is off
        if (ahead.length === 0) sendAhead(offset);
        // Ahead only up to `count` and MAX_PAGES: one at a time would never ask for more.
        if (count !== undefined) {
          for (let next = offset + ahead.length * PROCESSES_PAGE_SIZE; ahead.length < pagesInFlight && next < count && pages + ahead.length < MAX_PAGES; next += PROCESSES_PAGE_SIZE) {
            sendAhead(next);
          }
        }
        const page = await ahead.shift()!.answer;
        yield { offset, processes: page.processes, count: page.count };
        offset += page.processes.length;
        if (page.processes.length === 0 || page.processes.length < PROCESSES_PAGE_SIZE) return;
        count = page.count;
        if (count !== undefined && offset >= count) return;
        if (order === 'descending' && pages === 0 && count !== undefined) break;
      }
      // Descending, after the first page: every other offset below `count`, the last one first.
      const offsets: number[] = [];
      for (let offset = Math.floor((count! - 1) / PROCESSES_PAGE_SIZE) * PROCESSES_PAGE_SIZE; offset >= PROCESSES_PAGE_SIZE; offset -= PROCESSES_PAGE_SIZE) offsets.push(offset);
      if (offsets.length >= MAX_PAGES) throw pagingRunaway(operation);
      for (let next = 0; next < offsets.length; ) {
        while (ahead.length < pagesInFlight && next + ahead.length < offsets.length) sendAhead(offsets[next + ahead.length]!);
        const taken = ahead.shift()!;
        yield { offset: taken.offset, ...(await taken.answer) };
        next++;
      }
    } finally {
      ahead.length = 0; // answers still coming are dropped (reads, so nothing is left half done)
    }
  }

  /** Every matching session, all pages, in the order they came (see listProcessPages for the options). */
  async listProcesses(params: ListProcessesParams, options: ListingOptions = {}): Promise<DasProcess[]> {
    const all: DasProcess[] = [];
    for await (const page of this.listProcessPages(params, options)) all.push(...page.processes);
    return all;
  }

  /**
   * DeleteProcess (the kill). Never retried automatically: a timeout or 5xx leaves the outcome
   * unknown, and DAS answers 200 with no body, so the request id is all it tells.
   */
  async deleteProcess(params: DeleteProcessParams): Promise<{ requestId: string | undefined }> {
    const operation = 'DeleteProcess';
    const p = check(operation, DeleteProcessParamsSchema, params);
    const payload: Record<string, unknown> = { db_user_id: p.dbUserId };
    if (p.processIds !== undefined) payload.process_ids = p.processIds.map(String);
    if (p.user !== undefined) payload.user = p.user;
    if (p.database !== undefined) payload.database = p.database;
    const sent = await this.#send(operation, 'DELETE', ['instances', p.instanceId, 'process'], [], JSON.stringify(payload));
    return { requestId: sent.requestId };
  }

  // ---- locks -----------------------------------------------------------------------------------

  /**
   * ListInnodbLocks: the transactions that hold or wait for row locks and who waits for whom,
   * instance-wide (DAS takes no filters and does not page). A read: retried like any other.
   */
  async listInnodbLocks(params: ListInnodbLocksParams): Promise<DasInnodbLocks> {
    const operation = 'ListInnodbLocks';
    const p = check(operation, ListInnodbLocksParamsSchema, params);
    const sent = await this.#send(operation, 'GET', ['instances', p.instanceId, 'innodb-locks'], [['db_user_id', p.dbUserId]]);
    return toDasInnodbLocks(parseBody(operation, ListInnodbLocksResponse, sent));
  }

  /** ListMetadataLocks: granted and pending metadata locks with the sessions they block and wait for (no paging). */
  async listMetadataLocks(params: ListMetadataLocksParams): Promise<DasMetadataLocks> {
    const operation = 'ListMetadataLocks';
    const p = check(operation, ListMetadataLocksParamsSchema, params);
    const query: Query = [['db_user_id', p.dbUserId]];
    if (p.threadId !== undefined) query.push(['thread_id', String(p.threadId)]);
    if (p.database !== undefined) query.push(['database', p.database]);
    if (p.table !== undefined) query.push(['table', p.table]);
    const sent = await this.#send(operation, 'GET', ['instances', p.instanceId, 'metadata-locks'], query);
    return toDasMetadataLocks(parseBody(operation, ListMetadataLocksResponse, sent));
  }

  // ---- DB users --------------------------------------------------------------------------------

  /** RegisterDbUser: DAS stores the MySQL account's password and answers its db_user_id. */
  async registerDbUser(instanceId: string, dbUsername: string, dbUserPassword: string): Promise<string> {
    const operation = 'RegisterDbUser';
    const p = check(operation, RegisterDbUserSchema, { instanceId, dbUsername, dbUserPassword });
    const body = JSON.stringify({ db_username: p.dbUsername, db_user_password: p.dbUserPassword, datastore_type: 'MySQL' });
    const sent = await this.#send(operation, 'POST', ['instances', p.instanceId, 'db-users'], [], body);
    return parseBody(operation, RegisterDbUserResponse, sent).db_user_id;
  }

  /** ListDbUsers, all pages; optionally filtered by id or name (DAS-side filters). */
  async listDbUsers(instanceId: string, filter?: ListDbUsersFilter): Promise<DbUserRecord[]> {
    const operation = 'ListDbUsers';
    const p = check(operation, ListDbUsersSchema, { instanceId, filter });
    const all: DbUserRecord[] = [];
    for (let offset = 0, pages = 0; ; pages++) {
      if (pages === MAX_PAGES) throw pagingRunaway(operation);
      const query: Query = [];
      if (p.filter?.dbUserId !== undefined) query.push(['db_user_id', p.filter.dbUserId]);
      if (p.filter?.dbUsername !== undefined) query.push(['db_username', p.filter.dbUsername]);
      query.push(['offset', String(offset)], ['limit', String(PROCESSES_PAGE_SIZE)]);
      const sent = await this.#send(operation, 'GET', ['instances', p.instanceId, 'db-users'], query);
      const page = parseBody(operation, ListDbUsersResponse, sent);
      const users = (page.db_users ?? []).map(toDbUserRecord);
      all.push(...users);
      offset += users.length;
      if (users.length === 0 || users.length < PROCESSES_PAGE_SIZE) return all;
      if (page.total !== null && page.total !== undefined && offset >= page.total) return all;
    }
  }

  /** ShowDbUser. */
  async showDbUser(instanceId: string, dbUserId: string): Promise<DbUserRecord> {
    const operation = 'ShowDbUser';
    const p = check(operation, DbUserRefSchema, { instanceId, dbUserId });
    const sent = await this.#send(operation, 'GET', ['instances', p.instanceId, 'db-users', p.dbUserId], []);
    return toDbUserRecord(parseBody(operation, ShowDbUserResponse, sent).db_user);
  }

  /** UpdateDbUser: replace the registered name and password. */
  async updateDbUser(instanceId: string, dbUserId: string, dbUsername: string, dbUserPassword: string): Promise<void> {
    const operation = 'UpdateDbUser';
    const p = check(operation, UpdateDbUserSchema, { instanceId, dbUserId, dbUsername, dbUserPassword });
    const body = JSON.stringify({ db_username: p.dbUsername, db_user_password: p.dbUserPassword });
    const sent = await this.#send(operation, 'PUT', ['instances', p.instanceId, 'db-users', p.dbUserId], [], body);
    parseOptionalBody(operation, ResultResponse, sent);
  }

  /** DeleteDbUser: removes the registration from DAS (not the MySQL account). */
  async deleteDbUser(instanceId: string, dbUserId: string): Promise<void> {
    const operation = 'DeleteDbUser';
    const p = check(operation, DbUserRefSchema, { instanceId, dbUserId });
    const sent = await this.#send(operation, 'DELETE', ['instances', p.instanceId, 'db-users', p.dbUserId], []);
    parseOptionalBody(operation, ResultResponse, sent);
  }

  // ---- SQL limit (DAS-INCIDENT-API.md §4; defined in sql-limit.ts) -----------------------------

  readonly #sqlLimit: sqlLimit.SqlLimitExchange = {
    send: (operation, method, segments, query, body) => this.#send(operation, method, segments, [...query], body),
    check,
    parse: parseBody,
  };

  showSqlLimitSwitchStatus(params: { instanceId: string }): Promise<sqlLimit.SqlLimitSwitchStatus> {
    return sqlLimit.showSwitchStatus(this.#sqlLimit, params);
  }

  changeSqlLimitSwitchStatus(params: { instanceId: string; status: 'ON' | 'OFF' }): Promise<{ jobId: string; requestId: string | undefined }> {
    return sqlLimit.changeSwitchStatus(this.#sqlLimit, params);
  }

  showSqlLimitJobInfo(params: { instanceId: string; jobId: string }): Promise<sqlLimit.SqlLimitJob> {
    return sqlLimit.showJobInfo(this.#sqlLimit, params);
  }

  createSqlLimitRules(params: { instanceId: string; rules: sqlLimit.SqlLimitRuleInput[] }): Promise<{ requestId: string | undefined }> {
    return sqlLimit.createRules(this.#sqlLimit, params);
  }

  listSqlLimitRules(params: { instanceId: string }): Promise<sqlLimit.SqlLimitRule[]> {
    return sqlLimit.listRules(this.#sqlLimit, params);
  }

  deleteSqlLimitRules(params: { instanceId: string; ruleIds: string[] }): Promise<{ requestId: string | undefined }> {
    return sqlLimit.deleteRules(this.#sqlLimit, params);
  }

  parseSqlLimitRules(params: sqlLimit.ParseSqlLimitParams): Promise<string> {
    return sqlLimit.parseRule(this.#sqlLimit, params);
  }

  // ---- the exchange ----------------------------------------------------------------------------


  async #resolveCredentials(operation: string): Promise<SigningCredentials> {
    const parsed = CredentialsSchema.safeParse(await this.#credentials());
    if (!parsed.success) {
      throw new DasRequestError(
        operation,
        parsed.error.issues.map((i) => ({ path: ['credentials', ...i.path.map(String)].join('.'), message: i.message })),
      );
    }
    const { ak, sk, securityToken } = parsed.data;
    return securityToken === undefined ? { ak, sk } : { ak, sk, securityToken };
  }

  /**
   * One call: attempts, each freshly signed with freshly fetched credentials.
   * - Reads (GET) are retried on 429, 502/503/504, DAS.200002, network errors and connect
   *   timeouts, at most `maxAttempts` attempts in all, with equal-jitter exponential backoff (or a
   *   longer Retry-After), all inside the total deadline.
   * - Writes, the kill included, are sent once.
   * - A 401 is never retried (five failed signatures lock the AK for five minutes) — except once
   *   when the gateway says the signature expired: that means our clock is off, the gateway refused
   *   the request before DAS saw it, so re-signing with the server's time is safe even for the kill.
   *   The offset is learnt from the answer's Date header and kept for later calls.
   */
  async #send(operation: string, method: string, segments: string[], query: Query, body?: string): Promise<Sent> {
    const pathSegments = [...this.#basePath, 'v3', this.#projectId, ...segments];
    const qs = wireQuery(query);
    const url = new URL(`${this.#origin}${wirePath(pathSegments)}${qs ? `?${qs}` : ''}`);
    const isRead = method === 'GET';
    const deadline = performance.now() + this.#timeoutMs;
    const baseHeaders: Record<string, string> = { 'Content-Type': 'application/json', 'X-Project-Id': this.#projectId };
    if (this.#language) baseHeaders['X-Language'] = this.#language;
    let attempt = 0;
    let transientFailures = 0;
    let resigned = false;
    let lastError: DasApiError | undefined;

    for (;;) {
      const remaining = Math.floor(deadline - performance.now());
      if (remaining <= 0) {
        throw (
          lastError?.withAttempts(attempt) ??
          new DasApiError({ operation, httpStatus: 0, kind: 'timeout', timeoutPhase: 'total', retryable: isRead, attempts: attempt, message: `${operation}: no answer within ${this.#timeoutMs} ms` })
        );
      }
      attempt++;
      const credentials = await this.#resolveCredentials(operation);
      const signedAt = new Date(this.#now().getTime() + this.#clockOffsetMs);
      const headers = signParts(
        { method, host: this.#host, pathSegments, query, headers: baseHeaders, ...(body === undefined ? {} : { body }) },
        credentials,
        signedAt,
      );
      headers.Accept = 'application/json';
      headers['User-Agent'] = this.#userAgent; // unsigned, like the official Node SDK
      // The AK too: the gateway echoes it in "Get secretKey failed, ak:…" and callers show DAS messages to people.
      const secrets = [credentials.sk, credentials.securityToken, headers.Authorization, credentials.ak];

      const started = performance.now();
      let response: TransportResponse | undefined;
      let error: DasApiError;
      try {
        response = await this.#transport({
          method,
          url,
          headers,
          ...(body === undefined ? {} : { body }),
          connectTimeoutMs: Math.min(this.#connectTimeoutMs, remaining),
          totalTimeoutMs: remaining,
          // Writes go over a fresh connection so that "sent" is never a stale pooled socket's guess.
          reuseConnection: isRead,
        });
      } catch (err) {
        error = transportError(operation, err, isRead, attempt, this.#timeoutMs, this.#connectTimeoutMs);
      }
      const durationMs = Math.round(performance.now() - started);

      if (response && response.status >= 200 && response.status < 300) {
        const requestId = response.headers.get('x-request-id') ?? undefined;
        this.#emit({ operation, method, attempt, httpStatus: response.status, outcome: 'ok', ...(requestId ? { requestId } : {}), durationMs, next: 'none' });
        return { status: response.status, text: response.text, requestId, attempts: attempt };
      }
      if (response) error = httpError(operation, response, isRead, attempt, secrets);
      error = error!;

      let next: DasAttemptEvent['next'] = 'none';
      let delayMs = 0;
      if (response?.status === 401 && !resigned && /expired/i.test(error.errorMsg ?? '')) {
        const offset = this.#offsetFrom(response, error.errorMsg ?? '');
        if (offset !== undefined) {
          this.#clockOffsetMs = offset;
          resigned = true;
          next = 'resign';
        }
      } else if (isRead && isTransient(error) && transientFailures + 1 < this.#maxAttempts) {
        delayMs = this.#backoffDelay(transientFailures + 1, response);
        if (performance.now() + delayMs < deadline) next = 'retry';
      }
      this.#emit({
        operation,
        method,
        attempt,
        httpStatus: error.httpStatus,
        outcome: 'error',
        kind: error.kind,
        ...(error.errorCode ? { errorCode: error.errorCode } : {}),
        ...(error.requestId ? { requestId: error.requestId } : {}),
        durationMs,
        next,
      });
      if (next === 'none') throw error;
      lastError = error;
      if (next === 'retry') {
        transientFailures++;
        await this.#sleep(delayMs);
      }
    }
  }

  #offsetFrom(response: TransportResponse, errorMsg: string): number | undefined {
    const localNow = this.#now().getTime();
    const dateHeader = response.headers.get('date');
    let server = dateHeader ? Date.parse(dateHeader) : Number.NaN;
    if (!Number.isFinite(server)) {
      // Fallback: the APIG message names the server time ("…,server time:20230527T020608Z").
      const m = /server time:\s*(\d{8}T\d{6}Z)/i.exec(errorMsg);
      server = (m && parseSdkDate(m[1]!)?.getTime()) ?? Number.NaN;
    }
    return Number.isFinite(server) ? server - localNow : undefined;
  }

  #backoffDelay(retry: number, response: TransportResponse | undefined): number {
    const ceiling = Math.min(this.#backoffCapMs, this.#backoffBaseMs * 2 ** (retry - 1));
    let delay = ceiling / 2 + this.#random() * (ceiling / 2);
    const retryAfter = response?.headers.get('retry-after')?.trim();
    if (retryAfter && /^\d{1,4}$/.test(retryAfter)) delay = Math.max(delay, Number(retryAfter) * 1000);
    return Math.round(delay);
  }

  #emit(event: DasAttemptEvent): void {
    try {
      this.#onAttempt?.(event);
    } catch {
      /* an observer must not break the call */
    }
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`DasClient: ${name} must be a positive number of milliseconds`);
  return value;
}

function resolveEndpoint(options: DasClientOptions): string {
  if (options.endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch {
      throw new TypeError('DasClient: endpoint must be an absolute http(s) URL');
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || url.username || url.password) {
      throw new TypeError('DasClient: endpoint must be an http(s) URL without query, fragment or user info');
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  }
  if (options.region !== undefined) {
    const endpoint = dasEndpointForRegion(options.region);
    if (!endpoint) throw new TypeError(`DasClient: region "${options.region}" is not in the DAS endpoint table; pass endpoint explicitly`);
    return endpoint;
  }
  throw new TypeError('DasClient: give endpoint or region');
}

function check<T>(operation: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new DasRequestError(
      operation,
      result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }
  return result.data;
}

function pagingRunaway(operation: string): DasApiError {
  return new DasApiError({
    operation,
    httpStatus: 200,
    kind: 'invalid-response',
    retryable: false,
    message: `${operation}: more than ${MAX_PAGES} full pages; DAS paging does not seem to advance`,
  });
}

function invalidResponse(operation: string, sent: Sent, what: string): DasApiError {
  return new DasApiError({
    operation,
    httpStatus: sent.status,
    requestId: sent.requestId,
    kind: 'invalid-response',
    retryable: false,
    attempts: sent.attempts,
    message: `${operation}: ${what}`,
  });
}

function parseBody<T>(operation: string, schema: z.ZodType<T>, sent: Sent): T {
  let json: unknown;
  try {
    json = JSON.parse(sent.text);
  } catch {
    throw invalidResponse(operation, sent, 'DAS answered with a body that is not JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const where = result.error.issues.slice(0, 3).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw invalidResponse(operation, sent, `unexpected response shape (${where.join('; ')})`);
  }
  return result.data;
}

function parseOptionalBody<T>(operation: string, schema: z.ZodType<T>, sent: Sent): T | undefined {
  return sent.text.trim() === '' ? undefined : parseBody(operation, schema, sent);
}

function isTransient(error: DasApiError): boolean {
  if (error.kind === 'network' || error.kind === 'timeout') return true;
  return TRANSIENT_STATUS.has(error.httpStatus) || error.errorCode === THROTTLED_CODE;
}

function redact(text: string | undefined, secrets: ReadonlyArray<string | undefined>): string | undefined {
  if (text === undefined) return undefined;
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  return out;
}

function httpError(operation: string, response: TransportResponse, isRead: boolean, attempt: number, secrets: ReadonlyArray<string | undefined>): DasApiError {
  let parsed: z.infer<typeof ErrorResponse> = {};
  try {
    const result = ErrorResponse.safeParse(JSON.parse(response.text));
    if (result.success) parsed = result.data;
  } catch {
    /* not JSON (an HTML page from a proxy): the status alone speaks */
  }
  const errorCode = redact(parsed.error_code ?? parsed.error?.code ?? parsed.code, secrets);
  const errorMsg = redact(parsed.error_msg ?? parsed.error?.message ?? parsed.message, secrets);
  const requestId = response.headers.get('x-request-id') ?? parsed.request_id;
  const status = response.status;
  const kind = errorCode
    ? /^APIGW?\./i.test(errorCode)
      ? 'gateway'
      : 'das'
    : GATEWAY_STATUS.has(status)
      ? 'gateway'
      : 'das';
  const throttled = status === 429 || errorCode === THROTTLED_CODE;
  // A refused (throttled) write did nothing and may be repeated; a 5xx on a write has an unknown outcome.
  const retryable = isRead ? throttled || TRANSIENT_STATUS.has(status) : throttled;
  return new DasApiError({ operation, httpStatus: status, errorCode, errorMsg, requestId: requestId ?? undefined, kind, retryable, attempts: attempt });
}

function transportError(operation: string, err: unknown, isRead: boolean, attempt: number, timeoutMs: number, connectTimeoutMs: number): DasApiError {
  if (err instanceof TransportError) {
    if (err.reason === 'connect-timeout') {
      return new DasApiError({
        operation,
        httpStatus: 0,
        kind: 'timeout',
        timeoutPhase: 'connect',
        retryable: true,
        attempts: attempt,
        message: `${operation}: could not connect to DAS within ${connectTimeoutMs} ms`,
      });
    }
    if (err.reason === 'timeout') {
      return new DasApiError({
        operation,
        httpStatus: 0,
        kind: 'timeout',
        timeoutPhase: 'total',
        retryable: isRead || !err.sent,
        attempts: attempt,
        message: `${operation}: DAS did not answer within ${timeoutMs} ms`,
      });
    }
    return new DasApiError({
      operation,
      httpStatus: 0,
      kind: 'network',
      networkCode: err.code,
      retryable: isRead || !err.sent,
      attempts: attempt,
      message: `${operation}: could not reach DAS (${err.code ?? 'network error'})`,
    });
  }
  // An injected transport threw something else: report it without copying its message or object.
  return new DasApiError({ operation, httpStatus: 0, kind: 'network', retryable: isRead, attempts: attempt, message: `${operation}: the transport failed` });
}
