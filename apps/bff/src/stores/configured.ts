// Chooses the stores from the configuration: SQLite + in-process by default; PostgreSQL
// (QUELL_DATABASE_URL) and/or Redis (QUELL_REDIS_URL) when several replicas share the state.
import type { Logger } from 'pino';
import type { AppConfig } from '../config.ts';
import type { LoginThrottle } from '../auth/throttle.ts';
import { openSqliteStores } from './sqlite.ts';
import type { StoreKinds, Stores } from './types.ts';

/** A dependency that could not be reached at start. The message names the variable, never its value. */
export class DependencyError extends Error {
  override readonly name = 'DependencyError';
}

export type StoreConfig = Pick<AppConfig, 'dataDir' | 'databaseUrl' | 'redisUrl' | 'redisKeyPrefix' | 'sessionIdleMinutes' | 'replicaLeaseSeconds'>;

export interface ConfiguredStores {
  stores: Stores;
  /** The shared throttle when Redis is configured (undefined: createApp's in-memory one). */
  throttle?: LoginThrottle;
  kinds: StoreKinds;
}

/** A short, secret-free reason from a driver error (its code, or its message with any URL removed). */
export function reasonOf(err: unknown, secretUrl: string): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  let msg = typeof e?.message === 'string' ? e.message : 'unknown error';
  if (secretUrl) msg = msg.split(secretUrl).join('(url)');
  try {
    const pw = decodeURIComponent(new URL(secretUrl).password);
    if (pw) msg = msg.split(pw).join('***');
  } catch {
    /* not a URL: nothing more to hide */
  }
  msg = msg.replace(/[a-z]+:\/\/\S+/gi, '(url)');
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

export async function openConfiguredStores(config: StoreConfig, logger?: Logger): Promise<ConfiguredStores> {
  const idleMs = config.sessionIdleMinutes * 60_000;
  const sqlite = !config.databaseUrl || !config.redisUrl ? openSqliteStores(config.dataDir) : undefined;
  const opened: Array<() => Promise<void>> = [];
  if (sqlite) opened.push(() => sqlite.close());
  try {
    let data: Pick<Stores, 'audit' | 'previews' | 'idempotency' | 'sqlThrottles' | 'outbox' | 'approvals' | 'checkWritable'> = sqlite!;
    if (config.databaseUrl) {
      const url = config.databaseUrl;
      // The PostgreSQL and Redis drivers load only when configured: the embedded default starts without them.
      const { openPostgresStores } = await import('./postgres.ts');
      const pg = await openPostgresStores(url, {
        leaseMs: config.replicaLeaseSeconds * 1000,
        onSweep: (count) => logger?.warn({ count }, 'audit rows left pending by a stopped replica are now unknown'),
        onBackgroundError: (err) => logger?.warn({ reason: reasonOf(err, url) }, 'PostgreSQL background task failed'),
      }).catch((err: unknown) => {
        throw new DependencyError(`QUELL_DATABASE_URL: cannot use PostgreSQL (${reasonOf(err, url)})`);
      });
      opened.push(() => pg.close());
      data = pg;
    }
    let loginSessions = sqlite?.loginSessions;
    let throttle: LoginThrottle | undefined;
    let checkSessions: (() => Promise<void>) | undefined;
    if (config.redisUrl) {
      const url = config.redisUrl;
      const { connectRedis, createRedisLoginSessionStore, createRedisThrottle } = await import('./redis-sessions.ts');
      const redis = await connectRedis(url, { onError: (err) => logger?.warn({ reason: reasonOf(err, url) }, 'Redis connection error') }).catch((err: unknown) => {
        throw new DependencyError(`QUELL_REDIS_URL: cannot reach Redis (${reasonOf(err, url)})`);
      });
      opened.push(async () => {
        await redis.quit().catch(() => redis.disconnect());
      });
      loginSessions = createRedisLoginSessionStore(redis, { prefix: config.redisKeyPrefix, idleMs });
      throttle = createRedisThrottle(redis, { prefix: config.redisKeyPrefix });
      checkSessions = async () => {
        if ((await redis.ping()) !== 'PONG') throw new Error('unexpected PING answer');
      };
    }
    if (sqlite && config.databaseUrl) checkSessions = () => sqlite.checkWritable();
    if (config.databaseUrl && !config.redisUrl) logger?.warn('QUELL_DATABASE_URL without QUELL_REDIS_URL: login sessions and rate limits stay per replica');
    if (config.redisUrl && !config.databaseUrl) logger?.warn('QUELL_REDIS_URL without QUELL_DATABASE_URL: audit, previews and idempotency keys stay per replica');
    const kinds: StoreKinds = { store: config.databaseUrl ? 'postgres' : 'sqlite', sessions: config.redisUrl ? 'redis' : 'sqlite', rateLimits: config.redisUrl ? 'redis' : 'memory' };
    const stores: Stores = {
      audit: data.audit,
      previews: data.previews,
      idempotency: data.idempotency,
      sqlThrottles: data.sqlThrottles,
      outbox: data.outbox,
      approvals: data.approvals,
      loginSessions: loginSessions!,
      checkWritable: () => data.checkWritable(),
      kinds,
      ...(checkSessions ? { checkSessions } : {}),
      async close() {
        for (const close of [...opened].reverse()) await close().catch(() => undefined);
      },
    };
    return { stores, kinds, ...(throttle ? { throttle } : {}) };
  } catch (err) {
    for (const close of [...opened].reverse()) await close().catch(() => undefined);
    throw err;
  }
}
