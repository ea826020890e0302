import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { whenIdle, whenIdleInPieces } from './after-paint';

let idle: ((deadline: IdleDeadline) => void)[];
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['performance', 'setTimeout'] });
  idle = [];
  vi.stubGlobal('requestIdleCallback', (cb: (deadline: IdleDeadline) => void) => idle.push(cb));
  vi.stubGlobal('cancelIdleCallback', () => {});
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});
/** Runs the idle callback waiting longest, with `ms` of idle time left. */
const nextIdle = (ms = 50) => idle.shift()!({ didTimeout: false, timeRemaining: () => ms });

describe('whenIdle', () => {
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

describe('whenIdleInPieces', () => {
  // the fake clock starts again at 0 in each test: start these well past the input of the tests before
  beforeEach(() => vi.advanceTimersByTime(10_000));

  /** Work of `steps` steps of 1 ms each (fake time), noting each step; returns the count of steps. */
  function* work(steps: number, done: number[]): Generator<void, number> {
    for (let i = 0; i < steps; i++) {
      vi.advanceTimersByTime(1);
      done.push(i);
      yield;
    }
    return steps;
  }

  it('runs a few milliseconds of the work per idle period, until it ends', () => {
    const steps: number[] = [];
    const result = vi.fn();
    whenIdleInPieces(work(10, steps), result);
    nextIdle();
    expect(steps).toEqual([0, 1, 2, 3]); // a piece of 4 ms, though 50 were idle
    nextIdle(2);
    expect(steps).toHaveLength(6); // an idle period with 2 ms left: a piece of 2
    nextIdle();
    nextIdle();
    expect(result).toHaveBeenCalledWith(10);
    expect(idle).toHaveLength(0);
  });

  it('waits for a pause in the typing between pieces, and stops when told', () => {
    const steps: number[] = [];
    const stop = whenIdleInPieces(work(10, steps));
    nextIdle();
    document.dispatchEvent(new Event('input', { bubbles: true }));
    nextIdle();
    expect(steps).toHaveLength(4);
    vi.advanceTimersByTime(200);
    nextIdle();
    expect(steps).toHaveLength(8);
    stop();
    for (const cb of idle.splice(0)) cb({ didTimeout: false, timeRemaining: () => 50 });
    expect(steps).toHaveLength(8);
  });
});
