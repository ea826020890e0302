// Redis (ioredis 5) implementations of the login-session store and the login throttle, so that a
// login and a throttle hold across several BFF replicas.
//
// Keys (all under the configured prefix, default "quell:"):
//   <prefix>session:<idHash>       hash {username, csrfToken, createdAt, lastSeenAt}; TTL = idle expiry
//   <prefix>user-sessions:<user>   set of idHashes (so disabling a user ends all their sessions)
//   <prefix>throttle:<sha256>      failed logins in the current window of one throttle key (an account,
//                                  a client address, or the pair: see auth/throttle.ts); TTL = window
// The session id is already a keyed hash of the cookie (never the cookie itself); account names and
// client addresses are hashed too, so a password typed into the username field never lands in Redis.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Role } from '@quell/contracts/common';
import { createLoginThrottle, DEFAULT_THROTTLE, type FailureCounters, type LoginThrottle, type ThrottleLimits } from '../auth/throttle.ts';
import type { LoginSession, LoginSessionStore } from './types.ts';

export interface RedisConnectOptions {
  /** Called for connection errors after start (never with the URL). */
  onError?: (err: Error) => void;
  connectTimeoutMs?: number;
}

/** Connects and PINGs; throws if Redis cannot be reached (the caller names the variable). */
export async function connectRedis(url: string, options: RedisConnectOptions = {}): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
  });
  client.on('error', (err: Error) => options.onError?.(err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw err;
  }
  return client;
}

const TOUCH = `if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'lastSeenAt', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

const INCR_WINDOW = `local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

export interface RedisSessionStoreOptions {
  prefix: string;
  /** Idle expiry: a session not touched for this long disappears (Redis TTL). */
  idleMs: number;
  /** Hard limit of a session whatever its activity (the user index lives this long). Default 12 h. */
  absoluteMs?: number;
}

export function createRedisLoginSessionStore(redis: Redis, o: RedisSessionStoreOptions): LoginSessionStore {
  const sessionKey = (idHash: string) => `${o.prefix}session:${idHash}`;
  const userKey = (username: string) => `${o.prefix}user-sessions:${username}`;
  const absoluteMs = o.absoluteMs ?? 12 * 60 * 60_000;
  return {
    async create(s: LoginSession) {
      await redis
        .multi()
        .hset(sessionKey(s.idHash), {
          username: s.username,
          csrfToken: s.csrfToken,
          createdAt: String(s.createdAt),
          lastSeenAt: String(s.lastSeenAt),
          ...(s.role ? { role: s.role } : {}),
          ...(s.displayName ? { displayName: s.displayName } : {}),
        })
        .pexpire(sessionKey(s.idHash), o.idleMs)
        .sadd(userKey(s.username), s.idHash)
        .pexpire(userKey(s.username), absoluteMs + o.idleMs)
        .exec();
    },
    async get(idHash) {
      const h = await redis.hgetall(sessionKey(idHash));
      if (!h.username || !h.csrfToken) return undefined;
      return {
        idHash,
        username: h.username,
        csrfToken: h.csrfToken,
        createdAt: Number(h.createdAt),
        lastSeenAt: Number(h.lastSeenAt),
        ...(h.role ? { role: h.role as Role } : {}),
        ...(h.displayName ? { displayName: h.displayName } : {}),
      };
    },
    async touch(idHash, at) {
      await redis.eval(TOUCH, 1, sessionKey(idHash), String(at), String(o.idleMs));
    },
    async destroy(idHash) {
      const username = await redis.hget(sessionKey(idHash), 'username');
      const m = redis.multi().del(sessionKey(idHash));
      if (username) m.srem(userKey(username), idHash);
      await m.exec();
    },
    async destroyForUser(username) {
      const ids = await redis.smembers(userKey(username));
      await redis
        .multi()
        .del(...ids.map(sessionKey), userKey(username))
        .exec();
    },
    async purgeIdle() {
      // Redis expires idle sessions itself (TTL); nothing to sweep.
      return 0;
    },
  };
}

export interface RedisThrottleOptions {
  prefix: string;
  limits?: ThrottleLimits;
}

/** Fixed-window failure counters shared by every replica. */
export function createRedisCounters(redis: Redis, prefix: string): FailureCounters {
  const key = (k: string) => `${prefix}throttle:${createHash('sha256').update(k).digest('hex')}`;
  return {
    async read(keys) {
      return Promise.all(
        keys.map(async (k) => {
          const [count, pttl] = await Promise.all([redis.get(key(k)), redis.pttl(key(k))]);
          const n = Number(count ?? 0);
          return n > 0 && pttl > 0 ? { count: n, ttlMs: pttl } : { count: 0, ttlMs: 0 };
        }),
      );
    },
    async increment(keys, windowMs) {
      return Promise.all(
        keys.map(async (k) => {
          const [count, ttl] = (await redis.eval(INCR_WINDOW, 1, key(k), String(windowMs))) as [number, number];
          return { count: Number(count), ttlMs: Number(ttl) };
        }),
      );
    },
    async clear(k) {
      await redis.del(key(k));
    },
  };
}

/** The login throttle shared by every replica (the policy of auth/throttle.ts on Redis counters). */
export function createRedisThrottle(redis: Redis, o: RedisThrottleOptions): LoginThrottle {
  return createLoginThrottle(createRedisCounters(redis, o.prefix), o.limits ?? DEFAULT_THROTTLE);
}
