// The BFF's one route table: method, path, inputs, outputs and role of every route. The BFF mounts its
// handlers from it, its OpenAPI document is a loop over it, and the web app takes paths and response
// schemas from it. No route path is written anywhere else: build one with `pathOf`.
import { z } from 'zod';
import { ApprovalListResponse, ApprovalParams, ApprovalRequest, ApproveRequest, DenyRequest } from './approvals.ts';
import { AuditCsvQuery, AuditListResponse, AuditQuery } from './audit.ts';
import { AuthProvidersResponse, LoginRequest, MeResponse, OidcCallbackQuery, SignOutResponse } from './auth.ts';
import { InstanceKey, type Role } from './common.ts';
import { DbUser, DbUserIdParam, DbUserListResponse, RegisterDbUserRequest } from './db-users.ts';
import { InstanceListResponse } from './instances.ts';
import { BlindKillRequest, BroadKillRequest, CommitRequest, IdempotencyKey, KillPreview, KillPreviewRequest, KillResult, RecheckParams, RecheckResult } from './kill.ts';
import { LocksQuery, LocksResponse } from './locks.ts';
import { NotificationStatusResponse } from './notifications.ts';
import { HealthResponse, ReadyResponse } from './ops.ts';
import { SessionColumnsResponse } from './session-columns.ts';
import { FilterSuggestionsResponse, SessionFilter, SessionListResponse } from './sessions.ts';
import {
  CreateThrottleRequest,
  KillAndThrottleRequest,
  KillAndThrottleResult,
  Throttle,
  ThrottleListResponse,
  ThrottlePatternRequest,
  ThrottlePatternResponse,
  ThrottlePreview,
  ThrottlePreviewRequest,
} from './throttles.ts';

export const CSRF_HEADER = 'X-CSRF-Token';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const SESSION_COOKIE = 'quell_session';
/** Sent by the browser on requests it makes without the operator (no input for a while): they do not keep a login alive. */
export const BACKGROUND_HEADER = 'X-Quell-Background';
/** Every JSON API route lives under this prefix (session, CSRF and no-store apply to it). */
export const API_PREFIX = '/api';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';
/** `anonymous`: no login needed; `any`: any logged-in user; otherwise the minimum role. */
export type RouteAccess = 'anonymous' | 'any' | Role;

/** One route. Header schemas are keyed by the lower-case header name (how Node hands them over). */
export interface RouteDef {
  readonly method: HttpMethod;
  /** Express-style template: `/api/instances/:instanceId/sessions`. */
  readonly path: string;
  readonly summary: string;
  readonly access: RouteAccess;
  readonly params?: z.ZodObject;
  /** Unknown query parameters are a 400; empty values mean "not given". */
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly headers?: z.ZodObject;
  /** What a success carries; `null` for an empty answer (204). */
  readonly response: z.ZodType | null;
  /** Set when the success is not JSON (the CSV export, the metrics text). */
  readonly contentType?: string;
  readonly status: number;
}

const route = <const R extends RouteDef>(r: R): R => r;

const InstanceParams = z.object({ instanceId: InstanceKey });
const PreviewParams = z.object({ previewId: z.uuid('must be a preview id') });
const DbUserParams = InstanceParams.extend({ dbUserId: DbUserIdParam });
const ThrottleParams = InstanceParams.extend({ throttleId: z.uuid('must be a throttle id') });
const IdempotencyHeaders = z.object({
  'idempotency-key': z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }).pipe(IdempotencyKey),
});

/** Shared by listing and registering: one path, two methods. */
const DB_USERS_PATH = '/api/instances/:instanceId/db-users';
/** Shared by listing and creating throttles. */
const THROTTLES_PATH = '/api/instances/:instanceId/throttles';

export const routes = {
  healthz: route({ method: 'GET', path: '/healthz', summary: 'Liveness: the process answers', access: 'anonymous', response: HealthResponse, status: 200 }),
  readyz: route({ method: 'GET', path: '/readyz', summary: 'Readiness: stores writable and every DAS instance reachable (503 when not)', access: 'anonymous', response: ReadyResponse, status: 200 }),
  metrics: route({ method: 'GET', path: '/metrics', summary: 'Prometheus metrics', access: 'anonymous', response: z.string(), contentType: 'text/plain; version=0.0.4; charset=utf-8', status: 200 }),
  openapi: route({ method: 'GET', path: '/api/openapi.json', summary: 'This document', access: 'anonymous', response: z.record(z.string(), z.unknown()), status: 200 }),

  login: route({ method: 'POST', path: '/api/auth/login', summary: 'Log in; sets the quell_session cookie', access: 'anonymous', body: LoginRequest, response: MeResponse, status: 200 }),
  logout: route({ method: 'POST', path: '/api/auth/logout', summary: 'Log out', access: 'any', response: null, status: 204 }),
  authProviders: route({ method: 'GET', path: '/api/auth/providers', summary: 'How one may sign in (identity provider, local accounts)', access: 'anonymous', response: AuthProvidersResponse, status: 200 }),
  oidcLogin: route({ method: 'GET', path: '/api/auth/oidc/login', summary: 'Sign in with the identity provider: redirects the browser to it', access: 'anonymous', response: null, status: 302 }),
  oidcCallback: route({
    method: 'GET',
    path: '/api/auth/oidc/callback',
    summary: 'Where the identity provider sends the browser back; sets the quell_session cookie and redirects',
    access: 'anonymous',
    query: OidcCallbackQuery,
    response: null,
    status: 303,
  }),
  signOut: route({ method: 'POST', path: '/api/auth/sign-out', summary: 'Log out, and where to end the identity-provider session too', access: 'any', response: SignOutResponse, status: 200 }),
  me: route({ method: 'GET', path: '/api/me', summary: 'Who am I, and my CSRF token', access: 'any', response: MeResponse, status: 200 }),

  instances: route({ method: 'GET', path: '/api/instances', summary: 'The inventory, without secrets', access: 'viewer', response: InstanceListResponse, status: 200 }),
  sessions: route({
    method: 'GET',
    path: '/api/instances/:instanceId/sessions',
    summary: 'All sessions matching user and/or database',
    access: 'viewer',
    params: InstanceParams,
    query: SessionFilter,
    response: SessionListResponse,
    status: 200,
  }),
  sessionColumns: route({
    method: 'GET',
    path: '/api/instances/:instanceId/sessions/columns',
    summary: 'The same sessions, compact: one array per field, the repeated strings sent once in `strings` and given by index',
    access: 'viewer',
    params: InstanceParams,
    query: SessionFilter,
    response: SessionColumnsResponse,
    status: 200,
  }),
  filterSuggestions: route({
    method: 'GET',
    path: '/api/instances/:instanceId/filter-suggestions',
    summary: 'User and database names to list by: those recent kills on this instance named, and those with an open transaction now',
    access: 'viewer',
    params: InstanceParams,
    response: FilterSuggestionsResponse,
    status: 200,
  }),
  locks: route({
    method: 'GET',
    path: '/api/instances/:instanceId/locks',
    summary: 'Who blocks whom: the lock graph (row and metadata locks) with root blockers, and the open transactions',
    access: 'viewer',
    params: InstanceParams,
    query: LocksQuery,
    response: LocksResponse,
    status: 200,
  }),

  killPreviews: route({
    method: 'POST',
    path: '/api/instances/:instanceId/kill-previews',
    summary: 'Freeze the targets of a kill',
    access: 'viewer',
    params: InstanceParams,
    body: KillPreviewRequest,
    response: KillPreview,
    status: 201,
  }),
  commitPreview: route({
    method: 'POST',
    path: '/api/kill-previews/:previewId/commit',
    summary: 'Kill the frozen targets that still match',
    access: 'operator',
    params: PreviewParams,
    body: CommitRequest,
    headers: IdempotencyHeaders,
    response: KillResult,
    status: 200,
  }),
  recheckKill: route({
    method: 'POST',
    path: '/api/kills/:auditId/recheck',
    summary: 'List the rolling-back sessions of a kill again and record the ones that are gone',
    access: 'viewer',
    params: RecheckParams,
    response: RecheckResult,
    status: 200,
  }),
  broadKills: route({
    method: 'POST',
    path: '/api/instances/:instanceId/broad-kills',
    summary: 'DAS filter kill, as-is (unverifiable)',
    access: 'admin',
    params: InstanceParams,
    body: BroadKillRequest,
    headers: IdempotencyHeaders,
    response: KillResult,
    status: 200,
  }),
  blindKills: route({
    method: 'POST',
    path: '/api/instances/:instanceId/blind-kills',
    summary: 'Kill ids without a listing (unverifiable)',
    access: 'admin',
    params: InstanceParams,
    body: BlindKillRequest,
    headers: IdempotencyHeaders,
    response: KillResult,
    status: 200,
  }),

  commitAndThrottle: route({
    method: 'POST',
    path: '/api/kill-previews/:previewId/commit-and-throttle',
    summary: 'Kill the frozen targets, then throttle their SQL (one confirmed step)',
    access: 'operator',
    params: PreviewParams,
    body: KillAndThrottleRequest,
    headers: IdempotencyHeaders,
    response: KillAndThrottleResult,
    status: 200,
  }),

  throttles: route({ method: 'GET', path: THROTTLES_PATH, summary: 'Active SQL throttles of the instance', access: 'viewer', params: InstanceParams, response: ThrottleListResponse, status: 200 }),
  createThrottle: route({
    method: 'POST',
    path: THROTTLES_PATH,
    summary: 'Throttle matching SQL until an expiry (turns the SQL limit switch on when needed)',
    access: 'operator',
    params: InstanceParams,
    body: CreateThrottleRequest,
    response: Throttle,
    status: 201,
  }),
  throttle: route({
    method: 'DELETE',
    path: '/api/instances/:instanceId/throttles/:throttleId',
    summary: 'Remove a throttle before its expiry',
    access: 'operator',
    params: ThrottleParams,
    response: null,
    status: 204,
  }),
  throttlePreviews: route({
    method: 'POST',
    path: '/api/instances/:instanceId/throttle-previews',
    summary: 'Which running sessions a throttle pattern matches now',
    access: 'viewer',
    params: InstanceParams,
    body: ThrottlePreviewRequest,
    response: ThrottlePreview,
    status: 200,
  }),
  throttlePatterns: route({
    method: 'POST',
    path: '/api/instances/:instanceId/throttle-patterns',
    summary: "DAS's suggested throttle pattern for a sample statement",
    access: 'viewer',
    params: InstanceParams,
    body: ThrottlePatternRequest,
    response: ThrottlePatternResponse,
    status: 200,
  }),

  approvals: route({ method: 'GET', path: '/api/approvals', summary: 'Approval requests waiting for a second engineer, soonest expiry first', access: 'viewer', response: ApprovalListResponse, status: 200 }),
  approval: route({
    method: 'GET',
    path: '/api/approvals/:approvalId',
    summary: 'One approval request with its frozen preview',
    access: 'viewer',
    params: ApprovalParams,
    response: ApprovalRequest,
    status: 200,
  }),
  approve: route({
    method: 'POST',
    path: '/api/approvals/:approvalId/approve',
    summary: 'Approve a request of another engineer (an admin their own, as break-glass): kills the frozen targets that still match',
    access: 'operator',
    params: ApprovalParams,
    body: ApproveRequest,
    headers: IdempotencyHeaders,
    response: KillResult,
    status: 200,
  }),
  deny: route({
    method: 'POST',
    path: '/api/approvals/:approvalId/deny',
    summary: 'Deny an approval request: nothing is killed',
    access: 'operator',
    params: ApprovalParams,
    body: DenyRequest,
    response: ApprovalRequest,
    status: 200,
  }),

  audit: route({ method: 'GET', path: '/api/audit', summary: 'The audit trail', access: 'viewer', query: AuditQuery, response: AuditListResponse, status: 200 }),
  auditCsv: route({
    method: 'GET',
    path: '/api/audit.csv',
    summary: 'The audit trail as CSV',
    access: 'viewer',
    query: AuditCsvQuery,
    response: z.string(),
    contentType: 'text/csv; charset=utf-8',
    status: 200,
  }),

  dbUsers: route({ method: 'GET', path: DB_USERS_PATH, summary: 'DAS db users of the instance', access: 'admin', params: InstanceParams, response: DbUserListResponse, status: 200 }),
  registerDbUser: route({
    method: 'POST',
    path: DB_USERS_PATH,
    summary: 'Register a MySQL account with DAS',
    access: 'admin',
    params: InstanceParams,
    body: RegisterDbUserRequest,
    response: DbUser,
    status: 201,
  }),
  dbUser: route({
    method: 'DELETE',
    path: '/api/instances/:instanceId/db-users/:dbUserId',
    summary: 'Remove a DAS db user registration',
    access: 'admin',
    params: DbUserParams,
    response: null,
    status: 204,
  }),

  notifications: route({
    method: 'GET',
    path: '/api/admin/notifications',
    summary: 'Notification destinations and the incident event deliveries not made yet',
    access: 'admin',
    response: NotificationStatusResponse,
    status: 200,
  }),
} as const satisfies Record<string, RouteDef>;

export type Routes = typeof routes;
export type RouteName = keyof Routes;

/** A state-changing route of a logged-in user needs the CSRF token from `/api/me`. */
export const needsCsrf = (r: Pick<RouteDef, 'method' | 'access'>): boolean => r.method !== 'GET' && r.access !== 'anonymous';

/** The names of the `:params` of a path template. */
export type PathParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

type PathArgs<R extends { path: string }> = [PathParamNames<R['path']>] extends [never] ? [] : [params: Record<PathParamNames<R['path']>, string>];

/** The concrete path of `route`, each parameter percent-encoded: `pathOf(routes.sessions, { instanceId })`. */
export function pathOf<R extends { path: string }>(r: R, ...args: PathArgs<R>): string {
  const params = (args[0] ?? {}) as Record<string, string>;
  return r.path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`pathOf(${r.path}): no value for :${name}`);
    return encodeURIComponent(value);
  });
}
