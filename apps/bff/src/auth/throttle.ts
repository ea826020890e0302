// Login throttling per account and per client address: fixed windows in memory.
// Behind an interface so that several replicas can share a Redis implementation later.

export interface LoginThrottle {
  /** Seconds to wait before another attempt is allowed for this account or client; 0 if allowed. */
  retryAfter(account: string, client: string): Promise<number>;
  recordFailure(account: string, client: string): Promise<void>;
  recordSuccess(account: string, client: string): Promise<void>;
}

export interface ThrottleLimits {
  windowMs: number;
  perAccount: number;
  perClient: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { windowMs: 15 * 60_000, perAccount: 5, perClient: 20 };

export function createMemoryThrottle(limits: ThrottleLimits = DEFAULT_THROTTLE, now: () => number = Date.now): LoginThrottle {
  const buckets = new Map<string, { start: number; failures: number }>();
  const bucket = (key: string) => {
    const t = now();
    let b = buckets.get(key);
    if (!b || t - b.start >= limits.windowMs) {
      b = { start: t, failures: 0 };
      buckets.set(key, b);
    }
    return b;
  };
  const wait = (key: string, limit: number) => {
    const b = bucket(key);
    return b.failures >= limit ? Math.max(1, Math.ceil((b.start + limits.windowMs - now()) / 1000)) : 0;
  };
  const prune = () => {
    if (buckets.size < 10_000) return;
    const t = now();
    for (const [k, b] of buckets) if (t - b.start >= limits.windowMs) buckets.delete(k);
  };
  return {
    async retryAfter(account, client) {
      return Math.max(wait(`a:${account.toLowerCase()}`, limits.perAccount), wait(`c:${client}`, limits.perClient));
    },
    async recordFailure(account, client) {
      prune();
      bucket(`a:${account.toLowerCase()}`).failures++;
      bucket(`c:${client}`).failures++;
    },
    async recordSuccess(account) {
      buckets.delete(`a:${account.toLowerCase()}`);
    },
  };
}
