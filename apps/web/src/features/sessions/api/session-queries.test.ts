import { describe, expect, it } from 'vitest';
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
