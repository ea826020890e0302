import { describe, expect, it } from 'vitest';
import { FaultController } from './faults.ts';

describe('FaultController', () => {
  it('is a no-op until a fault is added', () => {
    const f = new FaultController();
    expect(f.take('ListProcesses')).toEqual({ latencyMs: 0, killNoop: false });
    expect(f.clockOffsetMs).toBe(0);
  });

  it('scopes faults to operations and counts them down', () => {
    const f = new FaultController();
    f.throttle({ operations: ['DeleteProcess'], times: 2 });
    expect(f.take('ListProcesses').terminal).toBeUndefined();
    expect(f.take('DeleteProcess').terminal).toBe('throttle');
    expect(f.take('DeleteProcess').terminal).toBe('throttle');
    expect(f.take('DeleteProcess').terminal).toBeUndefined();
    expect(f.list()).toEqual([]);
  });

  it('adds latencies, applies one terminal fault per request (first added wins), keeps the others', () => {
    const f = new FaultController();
    f.addLatency(100);
    f.addLatency(50, { operations: ['ListDbUsers'] });
    const reset = f.resetConnection({ times: 1 });
    f.failWith500();
    expect(f.take('ListDbUsers')).toEqual({ latencyMs: 150, terminal: 'reset', killNoop: false });
    expect(f.take('ListDbUsers')).toEqual({ latencyMs: 150, terminal: 'error500', killNoop: false });
    expect(f.list().map((x) => x.kind)).toEqual(['latency', 'latency', 'error500']);
    expect(f.remove(reset)).toBe(false);
    f.clear();
    expect(f.take('ListDbUsers')).toEqual({ latencyMs: 0, killNoop: false });
  });

  it('"kill did nothing" only ever applies to DeleteProcess', () => {
    const f = new FaultController();
    f.add('killNoop', { times: 1 });
    expect(f.take('ListProcesses').killNoop).toBe(false);
    expect(f.take('DeleteProcess').killNoop).toBe(true);
    expect(f.take('DeleteProcess').killNoop).toBe(false);
  });

  it('validates its inputs and resets the clock offset on clear', () => {
    const f = new FaultController();
    expect(() => f.add('latency')).toThrow(RangeError);
    expect(() => f.throttle({ times: 0 })).toThrow(RangeError);
    expect(() => f.throttle({ operations: ['Nope' as never] })).toThrow(RangeError);
    expect(() => f.setClockOffset(Number.NaN)).toThrow(RangeError);
    f.setClockOffset(-60_000);
    expect(f.clockOffsetMs).toBe(-60_000);
    f.clear();
    expect(f.clockOffsetMs).toBe(0);
  });
});
