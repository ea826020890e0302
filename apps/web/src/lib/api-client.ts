import type { z } from 'zod';
import { ApiErrorBody, type ErrorCode, type FieldIssue, type UpstreamDetails } from '@quell/contracts/errors';
import { BACKGROUND_HEADER, CSRF_HEADER, pathOf, type PathParamNames, type RouteDef } from '@quell/contracts/routes';
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

type ParamsOption<R extends RouteDef> = [PathParamNames<R['path']>] extends [never] ? { params?: undefined } : { params: Record<PathParamNames<R['path']>, string> };
type QueryOption<R extends RouteDef> = R extends { query: infer Q extends z.ZodObject } ? { query?: { [K in keyof z.input<Q>]?: Query[string] } } : { query?: undefined };
type BodyOption<R extends RouteDef> = R extends { body: infer B extends z.ZodType } ? { body: z.input<B> } : { body?: undefined };

/** What a successful call of `R` resolves to: its response schema's output, nothing for a 204. */
export type ReplyOf<R extends RouteDef> = R['response'] extends z.ZodType ? z.output<R['response']> : undefined;

export type CallOptions<R extends RouteDef, T = ReplyOf<R>> = ParamsOption<R> &
  QueryOption<R> &
  BodyOption<R> & {
    headers?: Record<string, string>;
    signal?: AbortSignal;
    /**
     * Reads the answer in place of the table's response schema, and what it outputs is the call's result:
     * the compact session listing is checked in a plain loop and decoded into sessions.
     */
    schema?: z.ZodType<T>;
  };

/**
 * Calls one route of the contracts route table: its method and path, its response checked with its schema.
 * The result's type comes from the schema alone (`NoInfer`), never from where the caller puts it.
 */
export async function callApi<R extends RouteDef, T = ReplyOf<R>>(route: R, opts: CallOptions<R, T>): Promise<NoInfer<T>> {
  const o = opts as { params?: Record<string, string>; query?: Query; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; schema?: z.ZodType };
  const path = (pathOf as (r: RouteDef, params?: Record<string, string>) => string)(route, o.params);
  const headers: Record<string, string> = { Accept: 'application/json', ...o.headers };
  if (o.body !== undefined) headers['Content-Type'] = 'application/json';
  if (route.method !== 'GET' && csrfToken) headers[CSRF_HEADER] = csrfToken;
  if (operatorIsIdle()) headers[BACKGROUND_HEADER] = '1';
  let res: Response;
  try {
    res = await fetch(buildUrl(path, o.query), {
      method: route.method,
      headers,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
      credentials: 'same-origin',
      signal: o.signal,
    });
  } catch (e) {
    if (o.signal?.aborted) throw e;
    throw new ApiError({ status: 0, code: 'NETWORK', message: 'Quell could not reach its server. Check your connection and try again.' });
  }
  if (!res.ok) throw await errorFromResponse(res);
  const schema = o.schema ?? route.response;
  if (schema === null) return undefined as T;
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new ApiError({ status: res.status, code: 'BAD_RESPONSE', message: 'The server sent a response that is not JSON.', requestId: res.headers.get('x-request-id') });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ApiError({
      status: res.status,
      code: 'BAD_RESPONSE',
      message: 'The server sent a response this version of Quell does not understand.',
      requestId: res.headers.get('x-request-id'),
      details: { issues: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) },
    });
  }
  return parsed.data as T;
}

declare module '@tanstack/react-query' {
  interface Register {
    defaultError: ApiError;
  }
}
