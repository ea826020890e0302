import { describe, expect, it } from 'vitest';
import { createMemoryThrottle } from './throttle.ts';

describe('login throttle', () => {
  it('locks an account after its failures, whatever the client, until the window ends', async () => {
    let t = 0;
    const th = createMemoryThrottle({ windowMs: 60_000, perAccount: 3, perClient: 100 }, () => t);
    for (let i = 0; i < 3; i++) {
      expect(await th.retryAfter('Alice', `10.0.0.${i}`)).toBe(0);
      await th.recordFailure('Alice', `10.0.0.${i}`);
    }
    expect(await th.retryAfter('alice', '10.0.0.99')).toBe(60);
    expect(await th.retryAfter('bob', '10.0.0.99')).toBe(0);
    t = 59_500;
    expect(await th.retryAfter('alice', '10.0.0.99')).toBe(1);
    t = 60_000;
    expect(await th.retryAfter('alice', '10.0.0.99')).toBe(0);
  });

  it('locks a client after its failures across accounts; success clears only the account', async () => {
    let t = 0;
    const th = createMemoryThrottle({ windowMs: 60_000, perAccount: 100, perClient: 4 }, () => t);
    for (let i = 0; i < 4; i++) await th.recordFailure(`user${i}`, '192.0.2.1');
    expect(await th.retryAfter('someone-else', '192.0.2.1')).toBeGreaterThan(0);
    expect(await th.retryAfter('someone-else', '192.0.2.2')).toBe(0);
    await th.recordSuccess('user0', '192.0.2.1');
    expect(await th.retryAfter('user0', '192.0.2.1')).toBeGreaterThan(0);
    t = 61_000;
    expect(await th.retryAfter('user0', '192.0.2.1')).toBe(0);
  });
});
