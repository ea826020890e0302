import { describe, expect, it } from 'vitest';
import { sortingFns, type Row } from '@tanstack/react-table';
import type { Session } from '@quell/contracts/sessions';
import type { Sort } from './session-filters';
import { sortOrder } from './sort-sessions';

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
const ids = (rows: readonly Session[]) => rows.map((r) => r.id);
const sortSessions = (rows: readonly Session[], sort: Sort) => Array.from(sortOrder(rows, sort), (i) => rows[i]!);

describe('sortOrder', () => {
  it('sorts numbers both ways, ties in the listed order', () => {
    const rows = [s(1, { time: 5 }), s(2, { time: 30 }), s(3, { time: 5 }), s(4, { time: 100 })];
    expect(ids(sortSessions(rows, { id: 'time', desc: true }))).toEqual([4, 2, 1, 3]);
    expect(ids(sortSessions(rows, { id: 'time', desc: false }))).toEqual([1, 3, 2, 4]);
  });

  it('sorts text naturally and without regard to case', () => {
    const rows = [s(1, { database: 'db10' }), s(2, { database: 'DB9' }), s(3, { database: 'alpha' }), s(4, { database: '' }), s(5, { database: 'db9' })];
    expect(ids(sortSessions(rows, { id: 'database', desc: false }))).toEqual([4, 3, 2, 5, 1]);
    expect(ids(sortSessions(rows, { id: 'database', desc: true }))).toEqual([1, 2, 5, 3, 4]);
  });

  it('puts text before a number at the same place, as the table always has', () => {
    const rows = [s(1, { host: '10.0.0.1' }), s(2, { host: 'web' })];
    expect(ids(sortSessions(rows, { id: 'host', desc: false }))).toEqual([2, 1]);
  });

  it('orders text exactly as the alphanumeric sort of TanStack Table did', () => {
    const words = ['', 'a', 'A1', 'a10', 'a9', 'b', '10.0.0.8:51234', '10.0.0.10:1', 'db_2', 'db_10', 'Sleep', 'x y', '[::1]:3306', 'SELECT 1', 'select 2'];
    const rows = words.map((w, i) => s(i, { sql: w }));
    const cmp = (a: Session, b: Session) =>
      sortingFns.alphanumeric({ getValue: () => a.sql } as unknown as Row<Session>, { getValue: () => b.sql } as unknown as Row<Session>, 'sql') || a.id - b.id;
    expect(ids(sortSessions(rows, { id: 'sql', desc: false }))).toEqual(ids([...rows].sort(cmp)));
  });

  it('orders longer words, numbers with leading zeros and long numbers like the alphanumeric sort', () => {
    const words = ['a010', 'a10', 'a2', 'a02b', 'a2b', 'ab', 'a', 'a1234567890', 'a999', 'a9x', 'a 9', 'a-9', 'x00', 'x0', 'x'];
    const rows = words.map((w, i) => s(i, { state: w }));
    const cmp = (a: Session, b: Session) =>
      sortingFns.alphanumeric({ getValue: () => a.state } as unknown as Row<Session>, { getValue: () => b.state } as unknown as Row<Session>, 'state') || a.id - b.id;
    expect(ids(sortSessions(rows, { id: 'state', desc: false }))).toEqual(ids([...rows].sort(cmp)));
  });

  it('sorts many repeated texts (case apart, equal in the sort) both ways, ties in the listed order', () => {
    const words = ['Sleep', 'sleep', 'Query', 'db10', 'DB9', 'db9', '', 'Binlog Dump', 'a 9'];
    const rows = Array.from({ length: 3000 }, (_, i) => s(i, { command: words[(i * 7) % words.length]! }));
    const cmp = (a: Session, b: Session) =>
      sortingFns.alphanumeric({ getValue: () => a.command } as unknown as Row<Session>, { getValue: () => b.command } as unknown as Row<Session>, 'command');
    expect(ids(sortSessions(rows, { id: 'command', desc: false }))).toEqual(ids([...rows].sort((a, b) => cmp(a, b) || a.id - b.id)));
    expect(ids(sortSessions(rows, { id: 'command', desc: true }))).toEqual(ids([...rows].sort((a, b) => cmp(b, a) || a.id - b.id)));
  });

  it('sorts many numbers, ties in the listed order, as a comparison sort does (IDs as listed, too)', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => s(100 + i, { time: (i * 7919) % 997, trxExecutedTime: i % 7 === 0 ? 2 ** 32 - 1 - i : i * 70_001 }));
    for (const key of ['time', 'trxExecutedTime', 'id'] as const) {
      for (const desc of [false, true]) {
        const byCompare = [...rows].sort((a, b) => (desc ? b[key] - a[key] : a[key] - b[key]) || a.id - b.id);
        expect(ids(sortSessions(rows, { id: key, desc }))).toEqual(ids(byCompare));
      }
    }
  });

  it('sorts numbers that do not fit 32 bits (fractions, negatives, very large) the same way', () => {
    const rows = [s(1, { time: 2.5 }), s(2, { time: -1 }), s(3, { time: 2.5 }), s(4, { time: 3e12 }), s(5, { time: 0 })];
    expect(ids(sortSessions(rows, { id: 'time', desc: true }))).toEqual([4, 1, 3, 5, 2]);
    expect(ids(sortSessions(rows, { id: 'time', desc: false }))).toEqual([2, 5, 1, 3, 4]);
  });

  it('leaves its input alone', () => {
    const rows = [s(2), s(1)];
    sortSessions(rows, { id: 'id', desc: false });
    expect(ids(rows)).toEqual([2, 1]);
  });
});
