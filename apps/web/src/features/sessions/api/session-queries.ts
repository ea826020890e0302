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

const STRING_FIELDS = ['user', 'host', 'database', 'command', 'state', 'sql'] as const;
const NUMBER_FIELDS = ['time', 'trxExecutedTime'] as const;

/** The first way a listed row breaks the `Session` contract, or null when it keeps it. */
function rowProblem(row: unknown): { field: string; message: string } | null {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return { field: '', message: 'expected an object' };
  const r = row as Record<string, unknown>;
  if (typeof r.id !== 'number' || !Number.isSafeInteger(r.id)) return { field: 'id', message: 'expected an integer' };
  for (const f of STRING_FIELDS) if (typeof r[f] !== 'string') return { field: f, message: 'expected a string' };
  for (const f of NUMBER_FIELDS) if (typeof r[f] !== 'number' || !Number.isFinite(r[f])) return { field: f, message: 'expected a number' };
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
