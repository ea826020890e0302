import { describe, expect, it } from 'vitest';
import { renderHook } from '@testing-library/react';
import { useResetKey } from './use-reset-key';

describe('useResetKey', () => {
  it('keeps the last key while the rows stay the same, and takes the new one with new rows', () => {
    const wide = [1, 2, 3];
    const narrow = [1];
    const { result, rerender } = renderHook(({ key, rows }) => useResetKey(key, rows), { initialProps: { key: '=', rows: wide } });
    expect(result.current).toBe('=');
    rerender({ key: '= ', rows: wide }); // a space typed: every row kept
    expect(result.current).toBe('=');
    rerender({ key: '= 4', rows: narrow });
    expect(result.current).toBe('= 4');
    rerender({ key: '= 4', rows: [...narrow] }); // a refresh: new rows, the same filters
    expect(result.current).toBe('= 4');
  });
});
