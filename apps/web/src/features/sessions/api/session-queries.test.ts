import { afterEach, describe, expect, it, vi } from 'vitest';
import { pathOf, routes } from '@quell/contracts/routes';
import { encodeSessionColumns } from '@quell/contracts/session-columns';
import type { Session, SessionListResponse } from '@quell/contracts/sessions';
import { type ApiError, isApiError } from '@/lib/api-client';
import { handleSessionList, json, stubHttp } from '@/testing/http';
import { sessionQueries } from './session-queries';

describe('sessionQueries', () => {
  it('builds keys from general to specific', () => {
    expect(sessionQueries.all()).toEqual(['sessions']);
    expect(sessionQueries.byInstance('prod-orders')).toEqual(['sessions', 'prod-orders']);
    expect(sessionQueries.list('prod-orders', { user: 'app' }).queryKey).toEqual(['sessions', 'prod-orders', 'list', { user: 'app' }]);
  });

  it('leaves empty filters out so equal lists share a cache entry', () => {
    expect(sessionQueries.list('i', { user: 'app', database: '' }).queryKey).toEqual(sessionQueries.list('i', { user: 'app' }).queryKey);
  });

  it('is prefixed by the instance key, so invalidating the instance refreshes every list', () => {
    const key = sessionQueries.list('i', { database: 'orders' }).queryKey;
    expect(key.slice(0, 2)).toEqual([...sessionQueries.byInstance('i')]);
  });

  it('does not fetch without a user or database', () => {
    expect(sessionQueries.list('i', {}).enabled).toBe(false);
    expect(sessionQueries.list('i', { database: 'orders' }).enabled).toBe(true);
  });
});

describe('the listing query', () => {
  const row = (id: number, over: Partial<Session> = {}): Session => ({ id, user: 'app', host: `h:${id}`, database: 'orders', command: 'Query', time: 3, state: '', sql: 'SELECT 1', trxExecutedTime: 0, ...over });
  const listing = (sessions: Session[]): SessionListResponse => ({ instanceId: 'prod-orders', sessions, count: sessions.length, fetchedAt: '2026-01-01T00:00:00Z' });
  const run = (filter: { user?: string; database?: string }) => {
    const q = sessionQueries.list('prod-orders', filter);
    return (q.queryFn as (ctx: { signal: AbortSignal }) => Promise<SessionListResponse>)({ signal: new AbortController().signal });
  };
  afterEach(() => vi.unstubAllGlobals());

  it('asks for the compact form with the server filters and gives the sessions exactly as listed', async () => {
    const sessions = [row(7), row(8, { user: 'etl', command: 'Sleep', sql: '', time: 0.5, trxExecutedTime: 4 }), row(9, { sql: 'SELECT "ü" \\ 2' })];
    const http = stubHttp(handleSessionList(pathOf(routes.sessionColumns, { instanceId: 'prod-orders' }), () => listing(sessions)));
    await expect(run({ user: 'app', database: 'orders' })).resolves.toEqual(listing(sessions));
    const [req] = http.calls('GET', pathOf(routes.sessionColumns, { instanceId: 'prod-orders' }));
    expect(Object.fromEntries(req!.url.searchParams)).toEqual({ user: 'app', database: 'orders' });
  });

  it('fails with BAD_RESPONSE naming the row and field of a malformed row', async () => {
    const body = encodeSessionColumns(listing([row(7), row(8)]));
    body.columns.user[1] = 42; // no such string
    stubHttp({ method: 'GET', path: pathOf(routes.sessionColumns, { instanceId: 'prod-orders' }), respond: () => json(200, body) });
    const error = await run({ user: 'app' }).catch((e: unknown) => e);
    expect(isApiError(error) && error.code).toBe('BAD_RESPONSE');
    expect((error as ApiError).details?.issues).toEqual([{ field: 'columns.user.1', message: 'expected an index into strings' }]);
  });

  it('fails with BAD_RESPONSE when the answer is the object form', async () => {
    stubHttp({ method: 'GET', path: pathOf(routes.sessionColumns, { instanceId: 'prod-orders' }), respond: () => json(200, listing([row(7)])) });
    const error = await run({ user: 'app' }).catch((e: unknown) => e);
    expect(isApiError(error) && error.code).toBe('BAD_RESPONSE');
    expect((error as ApiError).details?.issues?.[0]?.field).toBe('columns');
  });
});
