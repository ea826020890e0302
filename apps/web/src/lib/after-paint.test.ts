import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { whenIdle } from './after-paint';

describe('whenIdle', () => {
  let idle: (() => void)[];
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout'] });
    idle = [];
    vi.stubGlobal('requestIdleCallback', (cb: () => void) => idle.push(cb));
    vi.stubGlobal('cancelIdleCallback', () => {});
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });
  const nextIdle = () => idle.shift()!();

  it('waits, past idle periods, for a pause in the typing, and no longer than its timeout', () => {
    const task = vi.fn();
    whenIdle(task, 1000);
    vi.advanceTimersByTime(10);
    document.dispatchEvent(new Event('input', { bubbles: true }));
    nextIdle();
    expect(task).not.toHaveBeenCalled();
    vi.advanceTimersByTime(200);
    nextIdle();
    expect(task).toHaveBeenCalledOnce();

    const late = vi.fn();
    whenIdle(late, 100);
    vi.advanceTimersByTime(100);
    document.dispatchEvent(new Event('keydown', { bubbles: true }));
    nextIdle();
    expect(late).toHaveBeenCalledOnce();
  });
});
