import { describe, expect, it } from 'vitest';
import { allSelected, deselect, partitionSelection, selectAll, selectRange, toggleOne } from './selection';

const ids = (s: ReadonlySet<number>) => [...s].sort((a, b) => a - b);

describe('selection', () => {
  it('toggles one id', () => {
    const a = toggleOne(new Set(), 5);
    expect(ids(a)).toEqual([5]);
    expect(ids(toggleOne(a, 5))).toEqual([]);
  });

  it('selects a shift-click range in display order, either direction', () => {
    const order = [40, 10, 30, 20, 50];
    expect(ids(selectRange(new Set([40]), order, 40, 20, true))).toEqual([10, 20, 30, 40]);
    expect(ids(selectRange(new Set(), order, 50, 30, true))).toEqual([20, 30, 50]);
  });

  it('deselects a range when the clicked row is being deselected', () => {
    expect(ids(selectRange(new Set([10, 30, 20, 99]), order(), 10, 20, false))).toEqual([99]);
    function order() {
      return [10, 30, 20];
    }
  });

  it('falls back to a toggle when the anchor is not shown any more', () => {
    expect(ids(selectRange(new Set([1]), [2, 3], 1, 3, true))).toEqual([1, 3]);
  });

  it('selects all matching and keeps earlier picks', () => {
    const s = selectAll(new Set([99]), [1, 2, 3]);
    expect(ids(s)).toEqual([1, 2, 3, 99]);
    expect(allSelected(s, [1, 2, 3])).toBe(true);
    expect(allSelected(s, [1, 4])).toBe(false);
    expect(allSelected(s, [])).toBe(false);
    expect(ids(deselect(s, [1, 99]))).toEqual([2, 3]);
  });

  it('tells visible, hidden-by-filter and gone selections apart', () => {
    const p = partitionSelection(new Set([1, 2, 3, 4]), new Set([1, 2, 3]), new Set([1, 3]));
    expect(p).toEqual({ visible: [1, 3], hidden: [2], gone: [4] });
  });
});
