// The OpenAPI 3.1 document, generated from the zod contracts (z.toJSONSchema).
import { z } from 'zod';
import { AuditListResponse, AuditQuery } from '@quell/contracts/audit';
import { LoginRequest, MeResponse } from '@quell/contracts/auth';
import { DbUser, DbUserListResponse, RegisterDbUserRequest } from '@quell/contracts/db-users';
import { ApiErrorBody } from '@quell/contracts/errors';
import { InstanceListResponse } from '@quell/contracts/instances';
import { BlindKillRequest, BroadKillRequest, CommitRequest, KillPreview, KillPreviewRequest, KillResult } from '@quell/contracts/kill';
import { SessionListResponse } from '@quell/contracts/sessions';

function schema(s: z.ZodType, io: 'input' | 'output' = 'output'): unknown {
  const json = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

const json = (s: z.ZodType, io: 'input' | 'output' = 'output') => ({ content: { 'application/json': { schema: schema(s, io) } } });
const errorResponse = { description: 'error', ...json(ApiErrorBody) };

interface Op {
  summary: string;
  role: string;
  request?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  params?: string[];
  query?: Array<{ name: string; required?: boolean }>;
  headers?: string[];
}

export function buildOpenApi(): Record<string, unknown> {
  const ops: Record<string, Record<string, Op>> = {
    '/api/auth/login': { post: { summary: 'Log in; sets the quell_session cookie', role: 'anonymous', request: LoginRequest, response: MeResponse } },
    '/api/auth/logout': { post: { summary: 'Log out', role: 'any', status: 204, headers: ['X-CSRF-Token'] } },
    '/api/me': { get: { summary: 'Who am I, and my CSRF token', role: 'any', response: MeResponse } },
    '/api/instances': { get: { summary: 'The inventory, without secrets', role: 'viewer', response: InstanceListResponse } },
    '/api/instances/{instanceId}/sessions': {
      get: { summary: 'All sessions matching user and/or database', role: 'viewer', params: ['instanceId'], query: [{ name: 'user' }, { name: 'database' }], response: SessionListResponse },
    },
    '/api/instances/{instanceId}/kill-previews': {
      post: { summary: 'Freeze the targets of a kill', role: 'viewer', params: ['instanceId'], request: KillPreviewRequest, response: KillPreview, status: 201, headers: ['X-CSRF-Token'] },
    },
    '/api/kill-previews/{previewId}/commit': {
      post: { summary: 'Kill the frozen targets that still match', role: 'operator', params: ['previewId'], request: CommitRequest, response: KillResult, headers: ['X-CSRF-Token', 'Idempotency-Key'] },
    },
    '/api/instances/{instanceId}/broad-kills': {
      post: { summary: 'DAS filter kill, as-is (unverifiable)', role: 'admin', params: ['instanceId'], request: BroadKillRequest, response: KillResult, headers: ['X-CSRF-Token', 'Idempotency-Key'] },
    },
    '/api/instances/{instanceId}/blind-kills': {
      post: { summary: 'Kill ids without a listing (unverifiable)', role: 'admin', params: ['instanceId'], request: BlindKillRequest, response: KillResult, headers: ['X-CSRF-Token', 'Idempotency-Key'] },
    },
    '/api/audit': {
      get: { summary: 'The audit trail', role: 'viewer', query: Object.keys(AuditQuery.shape).map((name) => ({ name })), response: AuditListResponse },
    },
    '/api/audit.csv': { get: { summary: 'The audit trail as CSV', role: 'viewer', query: Object.keys(AuditQuery.shape).map((name) => ({ name })) } },
    '/api/instances/{instanceId}/db-users': {
      get: { summary: 'DAS db users of the instance', role: 'admin', params: ['instanceId'], response: DbUserListResponse },
      post: { summary: 'Register a MySQL account with DAS', role: 'admin', params: ['instanceId'], request: RegisterDbUserRequest, response: DbUser, status: 201, headers: ['X-CSRF-Token'] },
    },
    '/api/instances/{instanceId}/db-users/{dbUserId}': { delete: { summary: 'Remove a DAS db user registration', role: 'admin', params: ['instanceId', 'dbUserId'], status: 204, headers: ['X-CSRF-Token'] } },
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [p, methods] of Object.entries(ops)) {
    paths[p] = {};
    for (const [m, op] of Object.entries(methods)) {
      const parameters = [
        ...(op.params ?? []).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...(op.query ?? []).map((q) => ({ name: q.name, in: 'query', required: q.required ?? false, schema: { type: 'string' } })),
        ...(op.headers ?? []).map((name) => ({ name, in: 'header', required: true, schema: { type: 'string' } })),
      ];
      paths[p][m] = {
        summary: op.summary,
        'x-quell-role': op.role,
        ...(parameters.length ? { parameters } : {}),
        ...(op.request ? { requestBody: { required: true, ...json(op.request, 'input') } } : {}),
        responses: {
          [String(op.status ?? 200)]: { description: 'ok', ...(op.response ? json(op.response) : {}) },
          default: errorResponse,
        },
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Quell BFF', version: '1.0.0', description: 'Cookie session auth; state-changing routes need X-CSRF-Token from /api/me.' },
    paths,
  };
}
