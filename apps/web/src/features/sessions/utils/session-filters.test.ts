import { describe, expect, it } from 'vitest';
import { DEFAULT_SORT, hasClientFilter, hasServerFilter, parseSessionFilters, parseSort, serializeSessionFilters } from './session-filters';

describe('URL filter state', () => {
  it('reads every filter and the sort from the query string', () => {
    const f = parseSessionFilters(new URLSearchParams('user=app_rw&database=orders&host=10.0.0.8&command=Query&minTime=30&q=select&sort=id'));
    expect(f).toEqual({ user: 'app_rw', database: 'orders', host: '10.0.0.8', command: 'Query', minTime: 30, q: 'select', sort: { id: 'id', desc: false } });
  });

  it('defaults to longest-running first and drops empty or bad values', () => {
    const f = parseSessionFilters(new URLSearchParams('user=&minTime=abc&sort=-nonsense'));
    expect(f).toEqual({ sort: DEFAULT_SORT });
    expect(DEFAULT_SORT).toEqual({ id: 'time', desc: true });
  });

  it('reads a descending sort', () => {
    expect(parseSort('-id')).toEqual({ id: 'id', desc: true });
    expect(parseSort('user')).toEqual({ id: 'user', desc: false });
  });

  it('round-trips, leaving defaults out of the link', () => {
    const qs = 'user=app&database=db&host=h&command=Sleep&minTime=5&q=x+y&sort=-id';
    const f = parseSessionFilters(new URLSearchParams(qs));
    expect(serializeSessionFilters(f).toString()).toBe(qs);
    expect(serializeSessionFilters({ user: 'a', sort: DEFAULT_SORT }).toString()).toBe('user=a');
  });

  it('knows whether the list can be fetched and whether client filters narrow it', () => {
    expect(hasServerFilter({})).toBe(false);
    expect(hasServerFilter({ database: 'orders' })).toBe(true);
    expect(hasClientFilter({ sort: DEFAULT_SORT })).toBe(false);
    expect(hasClientFilter({ sort: DEFAULT_SORT, minTime: 10 })).toBe(true);
    expect(hasClientFilter({ sort: DEFAULT_SORT, noDatabase: true })).toBe(true);
  });

  it('keeps "sessions without a database" in the link', () => {
    const f = parseSessionFilters(new URLSearchParams('user=app&nodb=1'));
    expect(f.noDatabase).toBe(true);
    expect(serializeSessionFilters(f).toString()).toBe('user=app&nodb=1');
    expect(parseSessionFilters(new URLSearchParams('user=app&nodb=0')).noDatabase).toBeUndefined();
  });
});
