import type { z } from 'zod';
import { ApiErrorBody, type ErrorCode, type FieldIssue, type UpstreamDetails } from '@quell/contracts/errors';
import { BACKGROUND_HEADER, CSRF_HEADER } from '@quell/contracts/routes';
import { operatorIsIdle } from './operator-activity';

/** Codes the browser adds to the BFF's own: the request never got an answer, or the answer broke the contract. */
export type ClientErrorCode = 'NETWORK' | 'BAD_RESPONSE';
export type ApiErrorCode = ErrorCode | ClientErrorCode;

export interface ApiErrorDetails {
  issues?: FieldIssue[];
  upstream?: UpstreamDetails;
  [key: string]: unknown;
}

/** The one error type of the web app: every failed request becomes one of these. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly requestId: string | null;
  readonly details: ApiErrorDetails | undefined;

  constructor(init: { status: number; code: ApiErrorCode; message: string; requestId?: string | null; details?: ApiErrorDetails | undefined }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId ?? null;
    this.details = init.details;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Builds an ApiError from a non-OK response, whatever its body looks like. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const headerRequestId = res.headers.get('x-request-id');
  const text = await res.text().catch(() => '');
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const parsed = ApiErrorBody.safeParse(json);
  if (parsed.success) {
    const { code, message, requestId, details } = parsed.data.error;
    return new ApiError({ status: res.status, code, message, requestId, details });
  }
  return new ApiError({
    status: res.status,
    code: res.status === 401 ? 'UNAUTHENTICATED' : res.status === 403 ? 'FORBIDDEN' : res.status === 404 ? 'NOT_FOUND' : 'BAD_RESPONSE',
    message: `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''} without a readable error.`,
    requestId: headerRequestId,
  });
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function buildUrl(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

let csrfToken: string | null = null;
/** The CSRF token from `GET /api/me`; sent on every POST and DELETE. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}
export function getCsrfToken(): string | null {
  return csrfToken;
}

interface RequestOptions<S extends z.ZodType> {
  schema: S;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

async function request<S extends z.ZodType>(method: 'GET' | 'POST' | 'DELETE', path: string, opts: RequestOptions<S>): Promise<z.infer<S>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers[CSRF_HEADER] = csrfToken;
  if (operatorIsIdle()) headers[BACKGROUND_HEADER] = '1';
  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    throw new ApiError({ status: 0, code: 'NETWORK', message: 'Quell could not reach its server. Check your connection and try again.' });
  }
  if (!res.ok) throw await errorFromResponse(res);
  if (res.status === 204) return opts.schema.parse(undefined);
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new ApiError({ status: res.status, code: 'BAD_RESPONSE', message: 'The server sent a response that is not JSON.', requestId: res.headers.get('x-request-id') });
  }
  const parsed = opts.schema.safeParse(json);
  if (!parsed.success) {
    throw new ApiError({
      status: res.status,
      code: 'BAD_RESPONSE',
      message: 'The server sent a response this version of Quell does not understand.',
      requestId: res.headers.get('x-request-id'),
      details: { issues: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) },
    });
  }
  return parsed.data;
}

export const api = {
  get: <S extends z.ZodType>(path: string, opts: Omit<RequestOptions<S>, 'body'>) => request('GET', path, opts),
  post: <S extends z.ZodType>(path: string, opts: RequestOptions<S>) => request('POST', path, opts),
  delete: <S extends z.ZodType>(path: string, opts: RequestOptions<S>) => request('DELETE', path, opts),
};

declare module '@tanstack/react-query' {
  interface Register {
    defaultError: ApiError;
  }
}
