import { describe, expect, it } from 'vitest';
import { rowWindow } from './use-row-window';

const rows = (count: number, tall: { index: number; extra: number }[] = []) => ({ count, rowHeight: 10, tall });

describe('rowWindow', () => {
  it('draws the rows in view and the overscan, the rest as space above and below', () => {
    expect(rowWindow(rows(1000), 0, 50, 2)).toEqual({ start: 0, end: 7, padTop: 0, padBottom: 9920 });
    expect(rowWindow(rows(1000), 500, 50, 2)).toEqual({ start: 48, end: 57, padTop: 480, padBottom: 9420 });
    expect(rowWindow(rows(1000), 9990, 50, 2)).toEqual({ start: 997, end: 999, padTop: 9970, padBottom: 0 });
  });

  it('counts a taller row into everything below it', () => {
    // row 3 is 40 tall: rows 4 and on start 30 lower
    const layout = rows(100, [{ index: 3, extra: 30 }]);
    expect(rowWindow(layout, 0, 60, 0)).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 960 });
    expect(rowWindow(layout, 75, 10, 0)).toEqual({ start: 4, end: 5, padTop: 70, padBottom: 940 });
    expect(rowWindow(layout, 1025, 10, 1)).toEqual({ start: 98, end: 99, padTop: 1010, padBottom: 0 });
  });

  it('draws nothing without rows', () => {
    expect(rowWindow(rows(0), 0, 100, 5)).toEqual({ start: 0, end: -1, padTop: 0, padBottom: 0 });
  });
});
