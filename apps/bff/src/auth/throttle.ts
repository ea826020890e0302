// Login throttling. The failing client is the one that waits: failures are counted per (account, client)
// and per client, and only those counts refuse an attempt. Failures of an account from every client only
// slow attempts on it down, so that nobody can lock an operator out by failing from somewhere else.
// The policy is written once here; the counters live in memory (one replica) or in Redis (several).

/** What the login route must do before checking a password. */
export interface LoginGate {
  /** > 0: refuse the attempt and tell the client to come back in this many seconds. */
  retryAfterSeconds: number;
  /** Wrong passwords this client may still type for this account before it has to wait. */
  attemptsLeft: number;
  /** Hold the attempt this long first (the account is under attack from elsewhere). */
  delayMs: number;
}

export interface LoginThrottle {
  /** The gate for an attempt on `account` from `client`, before the password is checked. */
  check(account: string, client: string): Promise<LoginGate>;
  /** Counts a wrong password; answers the gate for this client's next attempt. */
  recordFailure(account: string, client: string): Promise<LoginGate>;
  /** A right password: this client's failures on this account are forgiven. */
  recordSuccess(account: string, client: string): Promise<void>;
}

export interface ThrottleLimits {
  windowMs: number;
  /** Wrong passwords for one account from one client before that client waits for the window to end. */
  perAccountClient: number;
  /** Wrong passwords from one client, any accounts, before it waits. */
  perClient: number;
  /** Wrong passwords for one account from all clients before attempts on it are slowed (never refused). */
  perAccount: number;
  /** How long an attempt on an account past `perAccount` is held. */
  slowdownMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { windowMs: 15 * 60_000, perAccountClient: 5, perClient: 20, perAccount: 20, slowdownMs: 1_000 };

/** A count in a fixed window: `ttlMs` is what is left of the window (0 when nothing was counted). */
export interface WindowCount {
  count: number;
  ttlMs: number;
}

/** Fixed-window failure counters keyed by opaque strings. */
export interface FailureCounters {
  read(keys: string[]): Promise<WindowCount[]>;
  /** Adds one to every key, starting a window of `windowMs` for a key counted for the first time. */
  increment(keys: string[], windowMs: number): Promise<WindowCount[]>;
  clear(key: string): Promise<void>;
}

const keysOf = (account: string, client: string) => {
  const a = account.toLowerCase();
  return [`ac:${a}\n${client}`, `c:${client}`, `a:${a}`];
};

export function createLoginThrottle(counters: FailureCounters, limits: ThrottleLimits = DEFAULT_THROTTLE): LoginThrottle {
  const gate = ([pair, client, account]: WindowCount[]): LoginGate => {
    const p = pair ?? { count: 0, ttlMs: 0 };
    const c = client ?? { count: 0, ttlMs: 0 };
    const a = account ?? { count: 0, ttlMs: 0 };
    const waitMs = Math.max(p.count >= limits.perAccountClient ? p.ttlMs : 0, c.count >= limits.perClient ? c.ttlMs : 0);
    return {
      retryAfterSeconds: waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : 0,
      attemptsLeft: Math.max(0, Math.min(limits.perAccountClient - p.count, limits.perClient - c.count)),
      delayMs: a.count >= limits.perAccount ? limits.slowdownMs : 0,
    };
  };
  return {
    async check(account, client) {
      return gate(await counters.read(keysOf(account, client)));
    },
    async recordFailure(account, client) {
      return gate(await counters.increment(keysOf(account, client), limits.windowMs));
    },
    async recordSuccess(account, client) {
      await counters.clear(keysOf(account, client)[0]!);
    },
  };
}

/** Counters of one process; expired windows are swept once the map grows, so it stays bounded by the traffic of one window. */
export function createMemoryCounters(now: () => number = Date.now): FailureCounters {
  const windows = new Map<string, { end: number; count: number }>();
  const current = (key: string, t: number) => {
    const w = windows.get(key);
    if (w && w.end > t) return w;
    if (w) windows.delete(key);
    return undefined;
  };
  const sweep = (t: number) => {
    if (windows.size < 10_000) return;
    for (const [k, w] of windows) if (w.end <= t) windows.delete(k);
  };
  return {
    async read(keys) {
      const t = now();
      return keys.map((k) => {
        const w = current(k, t);
        return w ? { count: w.count, ttlMs: w.end - t } : { count: 0, ttlMs: 0 };
      });
    },
    async increment(keys, windowMs) {
      const t = now();
      sweep(t);
      return keys.map((k) => {
        let w = current(k, t);
        if (!w) windows.set(k, (w = { end: t + windowMs, count: 0 }));
        w.count++;
        return { count: w.count, ttlMs: w.end - t };
      });
    },
    async clear(key) {
      windows.delete(key);
    },
  };
}

export function createMemoryThrottle(limits: ThrottleLimits = DEFAULT_THROTTLE, now: () => number = Date.now): LoginThrottle {
  return createLoginThrottle(createMemoryCounters(now), limits);
}
