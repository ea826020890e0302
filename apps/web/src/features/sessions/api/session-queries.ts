import { queryOptions } from '@tanstack/react-query';
import { z } from 'zod';
import type { Session } from '@quell/contracts/sessions';
import { routes } from '@quell/contracts/routes';
import { callApi } from '@/lib/api-client';

/** Only the server filters go into the key: client filters never cause a fetch. */
export interface SessionListFilter {
  user?: string | undefined;
  database?: string | undefined;
}

const notString = (field: string) => ({ field, message: 'expected a string' });
const notNumber = (field: string) => ({ field, message: 'expected a number' });

/**
 * The first way a listed row breaks the `Session` contract, or null when it keeps it. Each field is
 * read by name (not through a list of names): this runs for every one of up to 100 000 rows.
 */
function rowProblem(row: unknown): { field: string; message: string } | null {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return { field: '', message: 'expected an object' };
  const r = row as Record<string, unknown>;
  if (typeof r.id !== 'number' || !Number.isSafeInteger(r.id)) return { field: 'id', message: 'expected an integer' };
  if (typeof r.user !== 'string') return notString('user');
  if (typeof r.host !== 'string') return notString('host');
  if (typeof r.database !== 'string') return notString('database');
  if (typeof r.command !== 'string') return notString('command');
  if (typeof r.state !== 'string') return notString('state');
  if (typeof r.sql !== 'string') return notString('sql');
  if (typeof r.time !== 'number' || !Number.isFinite(r.time)) return notNumber('time');
  if (typeof r.trxExecutedTime !== 'number' || !Number.isFinite(r.trxExecutedTime)) return notNumber('trxExecutedTime');
  return null;
}

/**
 * The list response: zod checks the envelope, a plain loop checks the rows (a zod parse of 10 000
 * rows costs more than drawing them). A malformed row still fails the request with the client's
 * BAD_RESPONSE error, naming the row and field.
 */
export const SessionListEnvelope = routes.sessions.response.extend({
  sessions: z.custom<Session[]>((v) => Array.isArray(v), { message: 'expected an array' }),
}).superRefine((res, ctx) => {
  const rows = res.sessions;
  for (let i = 0; i < rows.length; i++) {
    const problem = rowProblem(rows[i]);
    if (problem) {
      ctx.addIssue({ code: 'custom', path: problem.field ? ['sessions', i, problem.field] : ['sessions', i], message: problem.message });
      return;
    }
  }
});

export const sessionQueries = {
  all: () => ['sessions'] as const,
  byInstance: (instanceId: string) => [...sessionQueries.all(), instanceId] as const,
  list: (instanceId: string, filter: SessionListFilter) => {
    const f: SessionListFilter = {};
    if (filter.user) f.user = filter.user;
    if (filter.database) f.database = filter.database;
    return queryOptions({
      queryKey: [...sessionQueries.byInstance(instanceId), 'list', f] as const,
      queryFn: ({ signal }) => callApi(routes.sessions, { params: { instanceId }, query: { user: f.user, database: f.database }, signal, schema: SessionListEnvelope }),
      enabled: Boolean(f.user || f.database),
      staleTime: 0,
    });
  },
  /**
   * Names for the user and database fields: read once per instance and kept a while, never per
   * keystroke (it costs the BFF an audit read and two DAS lock views). A kill invalidates it with the listing.
   */
  suggestions: (instanceId: string) =>
    queryOptions({
      queryKey: [...sessionQueries.byInstance(instanceId), 'suggestions'] as const,
      queryFn: ({ signal }) => callApi(routes.filterSuggestions, { params: { instanceId }, signal }),
      staleTime: 5 * 60_000,
      refetchOnWindowFocus: false,
      retry: false,
    }),
};
