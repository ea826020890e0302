import { vi } from 'vitest';
import type { z } from 'zod';
import type { ApiErrorBody, ErrorCode } from '@quell/contracts/errors';
import { ApprovalListResponse } from '@quell/contracts/approvals';
import { ERROR_STATUS } from '@quell/contracts/errors';
import { pathOf, routes } from '@quell/contracts/routes';
import { encodeSessionColumns } from '@quell/contracts/session-columns';
import { SessionListResponse } from '@quell/contracts/sessions';

export interface RecordedRequest {
  method: string;
  path: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

type Reply = Response | Promise<Response>;
interface Handler {
  method: string;
  /** Exact path, or a RegExp over the path. */
  path: string | RegExp;
  respond: (req: RecordedRequest) => Reply;
}

/**
 * A handler whose JSON body is checked against the contract schema, so a stub cannot drift from the
 * API the BFF really serves.
 */
export function handle<S extends z.ZodType>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string | RegExp,
  schema: S,
  body: (req: RecordedRequest) => z.input<S> | Promise<z.input<S>>,
  status = 200,
): Handler {
  return {
    method,
    path,
    respond: async (req) => {
      const value = await body(req);
      schema.parse(value);
      return json(status, value);
    },
  };
}

/**
 * The session listing as the web app reads it (`routes.sessionColumns`, the compact form), written by the
 * test as the object form: checked against the contract, then encoded as the BFF would send it.
 */
export function handleSessionList(path: string | RegExp, body: (req: RecordedRequest) => SessionListResponse | Promise<SessionListResponse>): Handler {
  return {
    method: 'GET',
    path,
    respond: async (req) => json(200, encodeSessionColumns(SessionListResponse.parse(await body(req)))),
  };
}

/** A handler answering with the contract error body. */
export function handleError(method: 'GET' | 'POST' | 'DELETE', path: string | RegExp, code: ErrorCode, message: string = code, details?: ApiErrorBody['error']['details']): Handler {
  const body: ApiErrorBody = { error: { code, message, requestId: `req-${code.toLowerCase()}`, ...(details ? { details } : {}) } };
  return { method, path, respond: () => json(ERROR_STATUS[code], body) };
}

/** A handler that never answers (for pending states). */
export function handlePending(method: 'GET' | 'POST' | 'DELETE', path: string | RegExp): Handler {
  return { method, path, respond: () => new Promise<Response>(() => {}) };
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/**
 * Replaces `fetch` at the HTTP boundary. Later `use()` handlers win over earlier ones; an unmatched
 * request fails the test loudly. `reset()` drops the default approvals stub too.
 */
export function stubHttp(...initial: Handler[]) {
  // The header's approvals badge polls on every screen: nothing waits unless a test says otherwise.
  let handlers: Handler[] = [handle('GET', pathOf(routes.approvals), ApprovalListResponse, () => ({ approvals: [] })), ...initial];
  const requests: RecordedRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://quell.test');
    const method = (init?.method ?? 'GET').toUpperCase();
    const rawBody = init?.body;
    const req: RecordedRequest = {
      method,
      path: url.pathname,
      url,
      headers: new Headers(init?.headers),
      body: typeof rawBody === 'string' ? JSON.parse(rawBody) : undefined,
    };
    requests.push(req);
    const handler = [...handlers].reverse().find((h) => h.method === method && (typeof h.path === 'string' ? h.path === url.pathname : h.path.test(url.pathname)));
    if (!handler) throw new Error(`No stub for ${method} ${url.pathname}`);
    return handler.respond(req);
  });
  vi.stubGlobal('fetch', fetchMock);
  return {
    requests,
    use(...more: Handler[]) {
      handlers = [...handlers, ...more];
    },
    reset(...next: Handler[]) {
      handlers = next;
    },
    calls(method: string, path: string | RegExp) {
      return requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
    },
  };
}
