// The login decision: throttle gate, password check, and the answer a refused or failed attempt gets.
import { AppError } from '../errors.ts';
import { dummyHash, verifyPassword } from './password.ts';
import type { LoginThrottle } from './throttle.ts';
import type { StoredUser, UserDirectory } from './users-file.ts';

export interface LoginCheckDeps {
  users: UserDirectory;
  throttle: LoginThrottle;
  sleep?: (ms: number) => Promise<void>;
}

export type LoginCheck = { ok: true; user: StoredUser } | { ok: false; error: AppError; /** The account typed, when it exists (safe to log). */ knownUsername: string | undefined };

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Refuses (429, the real wait in Retry-After) only a client that has failed too often itself; a wrong
 * password is a 401 telling how many attempts are left before that client has to wait.
 */
export async function checkLogin(d: LoginCheckDeps, username: string, password: string, client: string): Promise<LoginCheck> {
  const gate = await d.throttle.check(username, client);
  if (gate.retryAfterSeconds > 0) {
    throw new AppError('RATE_LIMITED', 'too many failed logins from here: try again later', { retryAfterSeconds: gate.retryAfterSeconds, attemptsLeft: 0 }, { 'Retry-After': String(gate.retryAfterSeconds) });
  }
  if (gate.delayMs > 0) await (d.sleep ?? pause)(gate.delayMs);
  const user = await d.users.find(username);
  const ok = user && !user.disabled ? await verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await dummyHash()), false);
  if (ok && user) {
    await d.throttle.recordSuccess(username, client);
    return { ok: true, user };
  }
  const next = await d.throttle.recordFailure(username, client);
  return {
    ok: false,
    knownUsername: user?.username,
    error: new AppError('UNAUTHENTICATED', 'invalid username or password', { attemptsLeft: next.attemptsLeft, ...(next.retryAfterSeconds > 0 ? { retryAfterSeconds: next.retryAfterSeconds } : {}) }),
  };
}
