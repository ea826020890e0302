// scrypt password hashes (node:crypto): "scrypt$N$r$p$salt$hash", salt and hash base64url.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEYLEN = 64;
const DEFAULTS = { N: 16384, r: 8, p: 1 };

// One scrypt at a time: each holds 128·N·r bytes (16 MB at the defaults) in a libuv thread, so a burst
// of logins would otherwise add 16 MB per concurrent login to the process (and glibc keeps it).
let previous: Promise<unknown> = Promise.resolve();
function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  const run = previous.then(() => new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)))));
  previous = run.catch(() => undefined);
  return run;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { ...DEFAULTS, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${DEFAULTS.N}$${DEFAULTS.r}$${DEFAULTS.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Constant-time check; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  if (!Number.isInteger(N) || !Number.isInteger(R) || !Number.isInteger(P) || N < 2 || N > 2 ** 20 || R < 1 || R > 32 || P < 1 || P > 16) return false;
  const expected = Buffer.from(hashB64, 'base64url');
  if (expected.length < 16) return false;
  const key = await scrypt(password, Buffer.from(saltB64, 'base64url'), expected.length, { N, r: R, p: P, maxmem: 256 * 1024 * 1024 });
  return timingSafeEqual(key, expected);
}

/** A valid hash of a random password: verified against when the user does not exist, so timing does not tell. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}
