import { describe, expect, it } from 'vitest';
import type { Session } from '@quell/contracts/sessions';
import { carryFilterKeys, countGroups, filterListing, filterSessions, groupCounts, hostName, prepareFilterKeys } from './filter-sessions';

const s = (id: number, over: Partial<Session> = {}): Session => ({
  id,
  user: 'app',
  host: '10.0.0.8:5000',
  database: 'orders',
  command: 'Query',
  time: 10,
  state: '',
  sql: 'SELECT 1',
  trxExecutedTime: 0,
  ...over,
});

describe('filterSessions', () => {
  const rows = [
    s(1, { host: '10.0.0.8:1', command: 'Sleep', time: 5, sql: '' }),
    s(2, { host: '10.0.0.9:2', command: 'Query', time: 100, sql: 'SELECT * FROM Orders' }),
    s(3, { host: 'batch-host:3', command: 'Query', time: 30, sql: 'update stock set n=1' }),
  ];
  it('keeps everything without client filters', () => {
    expect(filterSessions(rows, {}).map((r) => r.id)).toEqual([1, 2, 3]);
  });
  it('filters on host substring, command, minimum time and SQL text, case-insensitively', () => {
    expect(filterSessions(rows, { host: '10.0.0' }).map((r) => r.id)).toEqual([1, 2]);
    expect(filterSessions(rows, { command: 'query' }).map((r) => r.id)).toEqual([2, 3]);
    expect(filterSessions(rows, { minTime: 30 }).map((r) => r.id)).toEqual([2, 3]);
    expect(filterSessions(rows, { q: 'from orders' }).map((r) => r.id)).toEqual([2]);
    expect(filterSessions(rows, { command: 'Query', minTime: 50 }).map((r) => r.id)).toEqual([2]);
  });
  it('keeps only the sessions without a database for the "(none)" database filter', () => {
    const mixed = [...rows, s(4, { database: '' })];
    expect(filterSessions(mixed, { noDatabase: true }).map((r) => r.id)).toEqual([4]);
  });
});

describe('filterListing', () => {
  const rows = [
    s(1, { sql: 'SELECT a FROM t WHERE x = 42' }),
    s(2, { sql: 'select b from t where y = 4' }),
    s(3, { sql: 'UPDATE t SET z = 1' }),
    s(4, { sql: '' }),
    s(5, { sql: 'SELECT 42' }),
  ];
  const ids = (r: { rows: readonly Session[] }) => r.rows.map((x) => x.id);

  it('gives, typing on from an earlier filtering, exactly what filtering from scratch gives', () => {
    let prev = filterListing(rows, {});
    for (const q of ['s', 'se', 'sel', 'select', 'select ', 'select 4', 'select 42']) {
      prev = filterListing(rows, { q }, prev);
      expect(ids(prev)).toEqual(ids(filterListing(rows, { q })));
    }
    expect(ids(prev)).toEqual([5]);
  });

  it('looks at every row again when the text gets shorter, another filter changes, or the listing is new', () => {
    const narrow = filterListing(rows, { q: '= 4' });
    expect(ids(narrow)).toEqual([1, 2]);
    expect(ids(filterListing(rows, { q: '=' }, narrow))).toEqual([1, 2, 3]);
    expect(ids(filterListing(rows, { q: '= 4', minTime: 1 }, narrow))).toEqual([1, 2]);
    const relisted = [...rows, s(6, { sql: 'x = 44' })];
    expect(ids(filterListing(relisted, { q: '= 44' }, narrow))).toEqual([6]);
  });

  it('hands back the listing itself without client filters', () => {
    expect(filterListing(rows, {}).rows).toBe(rows);
  });

  it('hands back the same rows when a longer text keeps every row the last one kept', () => {
    const wide = filterListing(rows, { q: '=' });
    expect(filterListing(rows, { q: '= ' }, wide).rows).toBe(wide.rows);
    const narrower = filterListing(rows, { q: '= 4' }, wide);
    expect(ids(narrower)).toEqual([1, 2]);
    expect(filterListing(rows, { q: '= 4', host: '10.0' }, narrower).rows).toBe(narrower.rows);
  });

  it('finds a text in each row of a statement that many rows run, whatever its case', () => {
    const stampede = Array.from({ length: 3000 }, (_, i) => s(i, { sql: i % 2 ? 'SELECT * FROM Orders' : 'select * from orders', host: `10.0.0.${i % 3}:1` }));
    expect(filterListing(stampede, { q: 'FROM ORDERS' }).rows).toHaveLength(3000);
    expect(ids(filterListing(stampede, { q: 'orders', host: '10.0.0.2' })).slice(0, 3)).toEqual([2, 5, 8]);
    expect(filterListing(stampede, { q: 'customers' }).rows).toHaveLength(0);
  });
});

describe('groupCounts', () => {
  it('counts per field, largest first, hosts without their port', () => {
    const g = groupCounts([s(1, { host: 'a:1', command: 'Sleep' }), s(2, { host: 'a:2' }), s(3, { host: 'b:3', user: 'etl' })]);
    expect(g.host).toEqual([
      { value: 'a', count: 2 },
      { value: 'b', count: 1 },
    ]);
    expect(g.command).toEqual([
      { value: 'Query', count: 2 },
      { value: 'Sleep', count: 1 },
    ]);
    expect(g.user[0]).toEqual({ value: 'app', count: 2 });
  });

  it('counted in pieces, gives the counts of the whole listing', () => {
    const listing = Array.from({ length: 5000 }, (_, i) => s(i, { host: `10.0.0.${i % 7}:${i}`, user: i % 3 ? 'app' : 'etl' }));
    const counting = countGroups(listing);
    let pieces = 1;
    let step = counting.next();
    for (; !step.done; step = counting.next()) pieces++;
    expect(pieces).toBeGreaterThan(2);
    expect(step.value).toEqual(groupCounts(listing));
    expect(step.value.user).toEqual([
      { value: 'app', count: 3333 },
      { value: 'etl', count: 1667 },
    ]);
  });
});

describe('hostName', () => {
  it.each([
    ['10.0.0.8:51234', '10.0.0.8'],
    ['localhost', 'localhost'],
    ['[::1]:3306', '[::1]'],
    ['::1', '::1'],
  ])('%s → %s', (input, expected) => expect(hostName(input)).toBe(expected));
});

describe('carryFilterKeys', () => {
  it('a sorted copy filters by its own rows, with keys taken from the listing made before or after', () => {
    const listing = [s(1, { sql: 'SELECT a' }), s(2, { sql: 'UPDATE b' }), s(3, { sql: 'select c', host: 'X:1' })];
    const order = [2, 0, 1];
    const sortedBefore = order.map((i) => listing[i]!);
    carryFilterKeys(listing, order, sortedBefore);
    expect(filterListing(sortedBefore, { q: 'select' }).rows.map((r) => r.id)).toEqual([3, 1]);
    expect(filterListing(sortedBefore, { host: 'x' }).rows.map((r) => r.id)).toEqual([3]);
    const other = [...listing];
    for (const _piece of prepareFilterKeys(other));
    const sortedAfter = order.map((i) => other[i]!);
    carryFilterKeys(other, order, sortedAfter);
    expect(filterListing(sortedAfter, { q: 'update' }).rows.map((r) => r.id)).toEqual([2]);
  });

  it('a filtering in the middle of making the keys in pieces makes the rest itself, for the listing and a sorted copy', () => {
    const listing = Array.from({ length: 5000 }, (_, i) => s(i, { sql: i % 1000 === 999 ? 'UPDATE Orders' : 'SELECT 1' }));
    const order = listing.map((_, i) => listing.length - 1 - i);
    const sorted = order.map((i) => listing[i]!);
    carryFilterKeys(listing, order, sorted);
    const making = prepareFilterKeys(sorted);
    expect(making.next().done).toBe(false); // the copy's first rows have their keys (its own: the listing has none yet), the others not yet
    expect(filterListing(sorted, { q: 'update orders' }).rows.map((r) => r.id)).toEqual([4999, 3999, 2999, 1999, 999]);
    expect(filterListing(listing, { q: 'update' }).rows.map((r) => r.id)).toEqual([999, 1999, 2999, 3999, 4999]);
    expect(making.next().done).toBe(true); // nothing left to make
  });
});
