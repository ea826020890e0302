import { beforeEach, describe, expect, it } from 'vitest';
import { act, renderHook } from '@testing-library/react';
import { useRefreshInterval } from './use-refresh-interval';

describe('useRefreshInterval', () => {
  beforeEach(() => localStorage.clear());

  it('refreshes every 5 s by default, and not while paused, suspended or off', () => {
    const { result, rerender } = renderHook(({ suspended }) => useRefreshInterval({ suspended }), { initialProps: { suspended: false } });
    expect(result.current.refetchInterval).toBe(5000);
    rerender({ suspended: true });
    expect(result.current.refetchInterval).toBe(false);
    expect(result.current.seconds).toBe(5);
    rerender({ suspended: false });
    act(() => result.current.togglePause());
    expect(result.current.refetchInterval).toBe(false);
    act(() => result.current.togglePause());
    act(() => result.current.setSeconds(0));
    expect(result.current.refetchInterval).toBe(false);
  });

  it('keeps the chosen interval in this browser, ignoring a stored value that is not one', () => {
    const first = renderHook(() => useRefreshInterval({ suspended: false }));
    act(() => first.result.current.setSeconds(30));
    expect(renderHook(() => useRefreshInterval({ suspended: false })).result.current.refetchInterval).toBe(30_000);
    localStorage.setItem('quell.refreshSeconds', '"soon"');
    expect(renderHook(() => useRefreshInterval({ suspended: false })).result.current.seconds).toBe(5);
  });
});
