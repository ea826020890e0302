// The typed DAS client: builds, signs and sends each call; turns answers into typed values or a DasApiError.
import { z } from 'zod';
import { DasApiError } from './errors.ts';
import { encodeRfc3986, signRequest, type SigningCredentials } from './signer.ts';
import type { DasProcess, DbUserRecord, DeleteProcessParams, ListProcessesParams } from './types.ts';

export interface DasClientOptions {
  /** e.g. https://das.ap-southeast-1.myhuaweicloud.com or http://127.0.0.1:8787 */
  endpoint: string;
  projectId: string;
  /** Called for every request, so credentials can rotate without a restart. */
  credentials: () => SigningCredentials | Promise<SigningCredentials>;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Whole-request deadline in ms. */
  timeoutMs?: number;
}

const ProcessWire = z.object({
  id: z.string(),
  user: z.string().nullish(),
  host: z.string().nullish(),
  database: z.string().nullish(),
  command: z.string().nullish(),
  time: z.string().nullish(),
  state: z.string().nullish(),
  sql: z.string().nullish(),
  trx_executed_time: z.string().nullish(),
});
const ListProcessesWire = z.object({ processes: z.array(ProcessWire), count: z.number() });
const RegisterWire = z.object({ db_user_id: z.string() });
const ListDbUsersWire = z.object({ total: z.number(), db_users: z.array(z.object({ db_user_id: z.string(), db_username: z.string() })) });
const ErrorWire = z.object({ error_code: z.string().optional(), error_msg: z.string().optional() }).passthrough();

const PAGE_LIMIT = 100;

function toNumber(value: string | null | undefined): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}

export function toDasProcess(p: z.infer<typeof ProcessWire>): DasProcess {
  return {
    id: Number(p.id),
    user: p.user ?? '',
    host: p.host ?? '',
    database: p.database ?? '',
    command: p.command ?? '',
    time: toNumber(p.time),
    state: p.state ?? '',
    sql: p.sql ?? '',
    trxExecutedTime: toNumber(p.trx_executed_time),
  };
}

export class DasClient {
  readonly #opts: Required<Omit<DasClientOptions, 'credentials'>> & Pick<DasClientOptions, 'credentials'>;

  constructor(options: DasClientOptions) {
    this.#opts = {
      fetch: globalThis.fetch,
      now: () => new Date(),
      timeoutMs: 30_000,
      ...options,
      endpoint: options.endpoint.replace(/\/+$/, ''),
    };
  }

  async *listProcessPages(params: ListProcessesParams): AsyncGenerator<DasProcess[]> {
    for (let offset = 0; ; ) {
      const body = await this.#call('ListProcesses', 'GET', `instances/${params.instanceId}/processes`, [
        ['db_user_id', params.dbUserId],
        ...(params.user !== undefined ? [['user', params.user] as const] : []),
        ...(params.database !== undefined ? [['database', params.database] as const] : []),
        ...(params.nodeId !== undefined ? [['node_id', params.nodeId] as const] : []),
        ['offset', String(offset)],
        ['limit', String(PAGE_LIMIT)],
      ]);
      const page = parse('ListProcesses', ListProcessesWire, body);
      const processes = page.processes.map(toDasProcess);
      yield processes;
      offset += processes.length;
      if (processes.length < PAGE_LIMIT || offset >= page.count) return;
    }
  }

  /** Every matching session, all pages. */
  async listProcesses(params: ListProcessesParams): Promise<DasProcess[]> {
    const all: DasProcess[] = [];
    for await (const page of this.listProcessPages(params)) all.push(...page);
    return all;
  }

  /** DeleteProcess: DAS answers 200 with no body; the returned request id is all it tells. */
  async deleteProcess(params: DeleteProcessParams): Promise<{ requestId: string | undefined }> {
    const payload: Record<string, unknown> = { db_user_id: params.dbUserId };
    if (params.processIds) payload.process_ids = params.processIds.map(String);
    if (params.user !== undefined) payload.user = params.user;
    if (params.database !== undefined) payload.database = params.database;
    const { requestId } = await this.#send('DeleteProcess', 'DELETE', `instances/${params.instanceId}/process`, [], JSON.stringify(payload));
    return { requestId };
  }

  async registerDbUser(instanceId: string, dbUsername: string, dbUserPassword: string): Promise<string> {
    const body = await this.#call(
      'RegisterDbUser',
      'POST',
      `instances/${instanceId}/db-users`,
      [],
      JSON.stringify({ db_username: dbUsername, db_user_password: dbUserPassword, datastore_type: 'MySQL' }),
    );
    return parse('RegisterDbUser', RegisterWire, body).db_user_id;
  }

  async listDbUsers(instanceId: string): Promise<DbUserRecord[]> {
    const body = await this.#call('ListDbUsers', 'GET', `instances/${instanceId}/db-users`, [['offset', '0'], ['limit', '100']]);
    return parse('ListDbUsers', ListDbUsersWire, body).db_users.map((u) => ({ dbUserId: u.db_user_id, dbUsername: u.db_username }));
  }

  async deleteDbUser(instanceId: string, dbUserId: string): Promise<void> {
    await this.#call('DeleteDbUser', 'DELETE', `instances/${instanceId}/db-users/${encodeRfc3986(dbUserId)}`, []);
  }

  async #call(operation: string, method: string, path: string, query: Array<readonly [string, string]>, body?: string): Promise<unknown> {
    const { text } = await this.#send(operation, method, path, query, body);
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      throw new DasApiError({ operation, httpStatus: 200, kind: 'invalid-response', retryable: false, message: `${operation}: DAS answered with invalid JSON` });
    }
  }

  async #send(operation: string, method: string, path: string, query: Array<readonly [string, string]>, body?: string) {
    const qs = query.map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`).join('&');
    const url = new URL(`${this.#opts.endpoint}/v3/${encodeRfc3986(this.#opts.projectId)}/${path}${qs ? `?${qs}` : ''}`);
    const credentials = await this.#opts.credentials();
    const headers = signRequest(
      { method, url, headers: { 'Content-Type': 'application/json', 'X-Project-Id': this.#opts.projectId }, ...(body === undefined ? {} : { body }) },
      credentials,
      this.#opts.now(),
    );
    let response: Response;
    try {
      response = await this.#opts.fetch(url, { method, headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(this.#opts.timeoutMs) });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new DasApiError({
        operation,
        httpStatus: 0,
        kind: timedOut ? 'timeout' : 'network',
        retryable: true,
        message: timedOut ? `${operation}: DAS did not answer within ${this.#opts.timeoutMs} ms` : `${operation}: could not reach DAS (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : 'network error'})`,
      });
    }
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const text = await response.text();
    if (!response.ok) {
      let parsed: z.infer<typeof ErrorWire> = {};
      try {
        parsed = ErrorWire.parse(JSON.parse(text));
      } catch {
        /* non-JSON error body: status alone */
      }
      const code = parsed.error_code;
      throw new DasApiError({
        operation,
        httpStatus: response.status,
        errorCode: code,
        errorMsg: parsed.error_msg,
        requestId,
        kind: code && /^APIG/.test(code) ? 'gateway' : 'das',
        retryable: response.status === 429 || response.status >= 502 || code === 'DAS.200002',
      });
    }
    return { text, requestId };
  }
}

function parse<T>(operation: string, schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new DasApiError({ operation, httpStatus: 200, kind: 'invalid-response', retryable: false, message: `${operation}: unexpected response shape` });
  }
  return result.data;
}
