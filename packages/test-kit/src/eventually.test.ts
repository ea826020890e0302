import { describe, expect, it } from 'vitest';
import { eventually } from './eventually.ts';

describe('eventually', () => {
  it('returns the first value that satisfies the check', async () => {
    let n = 0;
    expect(await eventually(async () => ++n, (v) => v === 3, 2000, 1)).toBe(3);
    expect(n).toBe(3);
  });

  it('returns the last value once the time is up', async () => {
    const started = Date.now();
    expect(await eventually(async () => 'no', (v) => v === 'yes', 120, 10)).toBe('no');
    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
  });
});
