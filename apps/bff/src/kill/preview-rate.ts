// Previews list sessions through DAS, whose quota operators share: a viewer (who can preview but never
// kill) creating them in a loop is slowed down. Operators and admins are not: an incident may need many.
// Counted per user in this process.
import { AppError } from '../errors.ts';

export const PREVIEW_RATE = { max: 30, windowMs: 60_000 } as const;

export class PreviewRate {
  readonly #now: () => Date;
  readonly #max: number;
  readonly #windowMs: number;
  /** Per user, the times of their previews within the window (oldest first). */
  readonly #recent = new Map<string, number[]>();

  constructor(now: () => Date, limit: { max: number; windowMs: number } = PREVIEW_RATE) {
    this.#now = now;
    this.#max = limit.max;
    this.#windowMs = limit.windowMs;
  }

  /** Counts one preview by `username`, or throws 429 RATE_LIMITED with Retry-After. */
  take(username: string): void {
    const now = this.#now().getTime();
    const since = now - this.#windowMs;
    const times = (this.#recent.get(username) ?? []).filter((t) => t > since);
    if (times.length >= this.#max) {
      this.#recent.set(username, times);
      const retryAfterS = Math.max(1, Math.ceil((times[0]! + this.#windowMs - now) / 1000));
      throw new AppError('RATE_LIMITED', `too many previews: at most ${this.#max} a minute; try again in ${retryAfterS} s`, undefined, { 'Retry-After': String(retryAfterS) });
    }
    times.push(now);
    this.#recent.set(username, times);
    // Users who stopped previewing are forgotten, so the map stays as small as the set of active users.
    if (this.#recent.size > 1000) for (const [u, ts] of this.#recent) if (ts.every((t) => t <= since)) this.#recent.delete(u);
  }
}
