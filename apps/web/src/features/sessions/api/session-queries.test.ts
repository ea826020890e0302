import { describe, expect, it } from 'vitest';
import { SessionListEnvelope, sessionQueries } from './session-queries';

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

describe('SessionListEnvelope', () => {
  const row = { id: 7, user: 'app', host: 'h:1', database: 'orders', command: 'Query', time: 3, state: '', sql: 'SELECT 1', trxExecutedTime: 0 };
  const body = (sessions: unknown) => ({ instanceId: 'i', sessions, count: 1, fetchedAt: '2026-01-01T00:00:00Z' });

  it('accepts rows that keep the contract', () => {
    const parsed = SessionListEnvelope.safeParse(body([row]));
    expect(parsed.success).toBe(true);
    expect(parsed.data?.sessions).toEqual([row]);
  });

  it('rejects a malformed row, naming it', () => {
    const bad = [row, { ...row, id: 1.5 }];
    const parsed = SessionListEnvelope.safeParse(body(bad));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['sessions', 1, 'id']);
    expect(SessionListEnvelope.safeParse(body([{ ...row, sql: null }])).success).toBe(false);
    expect(SessionListEnvelope.safeParse(body([{ ...row, time: '3' }])).success).toBe(false);
    expect(SessionListEnvelope.safeParse(body([null])).success).toBe(false);
    expect(SessionListEnvelope.safeParse(body('rows')).success).toBe(false);
    expect(SessionListEnvelope.safeParse({ ...body([row]), count: undefined }).success).toBe(false);
  });
});
