import { describe, expect, it } from 'vitest';
import { createMemoryThrottle, type ThrottleLimits } from './throttle.ts';

const limits: ThrottleLimits = { windowMs: 60_000, perAccountClient: 3, perClient: 5, perAccount: 4, slowdownMs: 500 };

describe('login throttle', () => {
  it('makes the failing client wait for what is left of its window, and only for that account', async () => {
    let t = 0;
    const th = createMemoryThrottle(limits, () => t);
    expect(await th.check('Alice', '10.0.0.1')).toEqual({ retryAfterSeconds: 0, attemptsLeft: 3, delayMs: 0 });
    expect((await th.recordFailure('Alice', '10.0.0.1')).attemptsLeft).toBe(2);
    t = 20_000;
    await th.recordFailure('alice', '10.0.0.1');
    const last = await th.recordFailure('ALICE', '10.0.0.1');
    expect(last).toMatchObject({ attemptsLeft: 0, retryAfterSeconds: 40 });
    t = 59_500;
    expect((await th.check('alice', '10.0.0.1')).retryAfterSeconds).toBe(1);
    expect((await th.check('alice', '10.0.0.2')).retryAfterSeconds).toBe(0);
    expect((await th.check('bob', '10.0.0.1')).retryAfterSeconds).toBe(0);
    t = 60_000;
    expect(await th.check('alice', '10.0.0.1')).toEqual({ retryAfterSeconds: 0, attemptsLeft: 3, delayMs: 0 });
  });

  it('never refuses a client without failures, however often the account failed elsewhere: it only slows it', async () => {
    const th = createMemoryThrottle(limits, () => 0);
    for (let i = 0; i < 50; i++) await th.recordFailure('alice', `192.0.2.${i}`);
    expect(await th.check('alice', '203.0.113.1')).toEqual({ retryAfterSeconds: 0, attemptsLeft: 3, delayMs: 500 });
  });

  it('makes a client wait after its failures across accounts; success forgives only that account from that client', async () => {
    let t = 0;
    const th = createMemoryThrottle(limits, () => t);
    for (let i = 0; i < 5; i++) await th.recordFailure(`user${i}`, '192.0.2.1');
    expect((await th.check('someone-else', '192.0.2.1')).retryAfterSeconds).toBe(60);
    expect((await th.check('someone-else', '192.0.2.2')).retryAfterSeconds).toBe(0);
    const th2 = createMemoryThrottle(limits, () => t);
    await th2.recordFailure('carol', '192.0.2.3');
    await th2.recordFailure('carol', '192.0.2.3');
    await th2.recordSuccess('carol', '192.0.2.3');
    expect((await th2.check('carol', '192.0.2.3')).attemptsLeft).toBe(3);
    t = 61_000;
    expect((await th.check('user0', '192.0.2.1')).retryAfterSeconds).toBe(0);
  });
});
