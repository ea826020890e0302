import { isApiError } from '@/lib/api-client';
import { formatWait, plural } from '@/lib/format';

/** What the BFF tells a refused sign-in: how many wrong passwords are left, or how long to wait. */
export interface LoginRefusal {
  /** The sign-in was not throttled: the password or the username was wrong. */
  wrongPassword: boolean;
  attemptsLeft: number | null;
  retryAfterSeconds: number | null;
}

const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

/** Null for anything that is not a refused sign-in (a network error, a 500…). */
export function readLoginRefusal(error: unknown): LoginRefusal | null {
  if (!isApiError(error) || (error.status !== 401 && error.status !== 429)) return null;
  return {
    wrongPassword: error.status === 401,
    attemptsLeft: count(error.details?.attemptsLeft),
    retryAfterSeconds: count(error.details?.retryAfterSeconds),
  };
}

/** The sentence under the sign-in form: the wait the server asked for, or the attempts left before one. */
export function loginRefusalText(refusal: LoginRefusal): string {
  const wrong = refusal.wrongPassword ? 'Wrong username or password. ' : '';
  if (refusal.retryAfterSeconds !== null && refusal.retryAfterSeconds > 0) {
    return `${wrong}Too many failed sign-ins: wait ${formatWait(refusal.retryAfterSeconds)}, then try again.`;
  }
  if (!refusal.wrongPassword) return 'Too many failed sign-ins: wait a moment, then try again.';
  if (refusal.attemptsLeft === null) return 'Wrong username or password.';
  if (refusal.attemptsLeft === 0) return 'Wrong username or password. The next wrong password makes Quell ask you to wait.';
  return `Wrong username or password. ${plural(refusal.attemptsLeft, 'attempt')} left before Quell makes you wait.`;
}

/** The live line under that sentence while the wait runs. */
export function waitLeftText(secondsLeft: number): string {
  return secondsLeft > 0 ? `Time left: ${formatWait(secondsLeft)}.` : 'The wait is over: you can try again now.';
}
