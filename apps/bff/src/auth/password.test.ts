import { beforeEach, describe, expect, it, vi } from 'vitest';

// Counts the scrypt calls in flight at once; each answers after a short delay, the last one fails.
const calls = vi.hoisted(() => ({ inFlight: 0, most: 0, failNext: false }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    scrypt: (password: string, salt: Buffer, keylen: number, opts: object, cb: (err: Error | null, key: Buffer) => void) => {
      calls.inFlight += 1;
      calls.most = Math.max(calls.most, calls.inFlight);
      const fail = calls.failNext;
      calls.failNext = false;
      setTimeout(() => {
        calls.inFlight -= 1;
        if (fail) cb(new Error('scrypt failed'), Buffer.alloc(0));
        else real.scrypt(password, salt, keylen, opts, cb);
      }, 5);
    },
  };
});

const { hashPassword, verifyPassword } = await import('./password.ts');

describe('password hashing', () => {
  beforeEach(() => {
    calls.most = 0;
  });

  it('runs one scrypt at a time, however many logins arrive together', async () => {
    const hashes = await Promise.all(['a-long-password-1', 'a-long-password-2', 'a-long-password-3', 'a-long-password-4'].map((p) => hashPassword(p)));
    const checks = await Promise.all(hashes.map((h, i) => verifyPassword(`a-long-password-${i + 1}`, h)));
    expect(checks).toEqual([true, true, true, true]);
    expect(calls.most).toBe(1);
  });

  it('keeps going after a failed scrypt', async () => {
    calls.failNext = true;
    const failed = hashPassword('a-long-password');
    const next = hashPassword('another-long-password');
    await expect(failed).rejects.toThrow('scrypt failed');
    await expect(next).resolves.toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(calls.most).toBe(1);
  });
});
