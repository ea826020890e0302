import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useRelistAfterKill } from './use-relist-after-kill';

type Listing = Parameters<typeof useRelistAfterKill>[0];
const at = (ms: number, over: Partial<Listing> = {}): Listing => ({ isFetching: false, dataUpdatedAt: ms, errorUpdatedAt: 0, ids: [101, 102], ...over });

describe('the listing after a broad kill', () => {
  it('counts a refetch that lands in the same millisecond as the kill', () => {
    const { result, rerender } = renderHook((l: Listing) => useRelistAfterKill(l), { initialProps: at(1_000) });
    expect(result.current.relisted).toBeUndefined();
    act(() => result.current.killed());
    expect(result.current.relisted).toEqual({ state: 'listing' });
    rerender(at(1_000, { isFetching: true }));
    expect(result.current.relisted).toEqual({ state: 'listing' });
    // the stamp of the listing before the kill never counts; any newer one does, however close
    rerender(at(1_001, { ids: [104] }));
    expect(result.current.relisted).toEqual({ state: 'listed', stillThere: [104] });
  });

  it('says the listing failed when the refetch after the kill failed, and forgets the kill on reset', () => {
    const { result, rerender } = renderHook((l: Listing) => useRelistAfterKill(l), { initialProps: at(1_000) });
    act(() => result.current.killed());
    rerender(at(1_000, { errorUpdatedAt: 1_001 }));
    expect(result.current.relisted).toEqual({ state: 'failed' });
    act(() => result.current.reset());
    expect(result.current.relisted).toBeUndefined();
  });
});
