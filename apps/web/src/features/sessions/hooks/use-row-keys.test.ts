import { describe, expect, it } from 'vitest';
import { assignRowKeys, NO_ROW_KEYS } from './use-row-keys';

const keysOf = (byId: ReadonlyMap<number, number>, ids: number[]) => ids.map((id) => byId.get(id));

describe('assignRowKeys', () => {
  it('keeps the key of a session still drawn, and hands the keys of rows no longer drawn to new sessions, in order', () => {
    const first = assignRowKeys(NO_ROW_KEYS, [10, 11, 12], new Set());
    expect(keysOf(first.byId, [10, 11, 12])).toEqual([0, 1, 2]);
    // scrolled by one row: 10 goes, 13 comes and takes its key; 11 and 12 keep theirs
    const scrolled = assignRowKeys(first, [11, 12, 13], new Set());
    expect(keysOf(scrolled.byId, [11, 12, 13])).toEqual([1, 2, 0]);
    // a new sort: every session new, the rows rewritten where they are
    const sorted = assignRowKeys(scrolled, [20, 21, 22], new Set());
    expect(keysOf(sorted.byId, [20, 21, 22])).toEqual([1, 2, 0]);
    expect(sorted.next).toBe(3);
  });

  it('never hands on the row of a pinned session (focus, selected text): a new key instead', () => {
    const first = assignRowKeys(NO_ROW_KEYS, [10, 11], new Set());
    const next = assignRowKeys(first, [20, 21], new Set([10]));
    expect(keysOf(next.byId, [20, 21])).toEqual([1, 2]);
    expect(new Set(next.byId.values()).size).toBe(2);
  });

  it('gives more rows new keys, never one already in use', () => {
    const first = assignRowKeys(NO_ROW_KEYS, [1, 2], new Set());
    const more = assignRowKeys(first, [2, 3, 4, 5], new Set());
    expect(keysOf(more.byId, [2, 3, 4, 5])).toEqual([1, 0, 2, 3]);
  });
});
