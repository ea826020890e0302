// QUELL_DATABASE_URL / QUELL_REDIS_URL: validated at start without echoing them, each optional and
// independent, and /readyz names what backs each store.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { createFileUserDirectory } from '../auth/users-file.ts';
import type { DasFactory } from '../das/port.ts';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@quell/test-kit/services';
import { DependencyError, openConfiguredStores, type StoreConfig } from './configured.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'quell-configured-'));
const PASSWORD = `pw-${randomBytes(10).toString('hex')}`;
const inventory = path.join(dir, 'inventory.json');
writeFileSync(
  inventory,
  JSON.stringify({ instances: [{ id: 'main', name: 'main', environment: 'test', endpoint: 'http://127.0.0.1:9', projectId: '0123456789abcdef0123456789abcdef', instanceId: 'i-1' }] }),
);
const baseEnv = { QUELL_INVENTORY: inventory, QUELL_USERS_FILE: path.join(dir, 'users.json'), QUELL_AK: 'AK', QUELL_SK: 'SK', QUELL_SESSION_SECRET: 'x'.repeat(40) };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...baseEnv, ...env });
  } catch (err) {
    if (err instanceof ConfigError) {
      expect(err.message).not.toContain(PASSWORD);
      return err.problems;
    }
    throw err;
  }
  return [];
}

describe('configuration of the shared stores', () => {
  it('is optional: without the variables, SQLite and in-process', () => {
    const c = loadConfig(baseEnv);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.redisKeyPrefix).toBe('quell:');
    expect(c.replicaLeaseSeconds).toBe(60);
  });

  it('accepts postgres:// and redis:// URLs, directly or from *_FILE', () => {
    const file = path.join(dir, 'db-url');
    writeFileSync(file, `postgresql://quell:${PASSWORD}@db.internal:5432/quell\n`);
    const c = loadConfig({ ...baseEnv, QUELL_DATABASE_URL_FILE: file, QUELL_REDIS_URL: 'rediss://cache.internal:6380', QUELL_REDIS_KEY_PREFIX: 'q1:' });
    expect(c.databaseUrl).toBe(`postgresql://quell:${PASSWORD}@db.internal:5432/quell`);
    expect(c.redisUrl).toBe('rediss://cache.internal:6380');
    expect(c.redisKeyPrefix).toBe('q1:');
  });

  it('refuses bad URLs naming the variable, never printing the URL or its password', () => {
    expect(problems({ QUELL_DATABASE_URL: `mysql://root:${PASSWORD}@db/x` })).toEqual([expect.stringMatching(/^QUELL_DATABASE_URL: must start with postgres:\/\/ or postgresql:\/\//)]);
    expect(problems({ QUELL_DATABASE_URL: `postgres//root:${PASSWORD}@db` })).toEqual([expect.stringMatching(/^QUELL_DATABASE_URL: is not a valid URL/)]);
    expect(problems({ QUELL_REDIS_URL: `http://:${PASSWORD}@cache` })).toEqual([expect.stringMatching(/^QUELL_REDIS_URL: must start with redis:\/\/ or rediss:\/\//)]);
    expect(problems({ QUELL_REDIS_URL: 'x', QUELL_REDIS_URL_FILE: '/nonexistent' })).toEqual(['QUELL_REDIS_URL: set either QUELL_REDIS_URL or QUELL_REDIS_URL_FILE, not both']);
    expect(problems({ QUELL_REDIS_KEY_PREFIX: 'a b' })[0]).toMatch(/^QUELL_REDIS_KEY_PREFIX:/);
    expect(problems({ QUELL_REPLICA_LEASE_SECONDS: '1' })[0]).toMatch(/^QUELL_REPLICA_LEASE_SECONDS: must be at least 2/);
  });
});

describe('opening the configured stores', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  beforeAll(async () => {
    [db, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
  });
  afterAll(async () => {
    await db?.drop();
    await redis?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const cfg = (over: Partial<StoreConfig>): StoreConfig => ({ dataDir: path.join(dir, `data-${randomBytes(3).toString('hex')}`), redisKeyPrefix: redis.prefix, sessionIdleMinutes: 30, replicaLeaseSeconds: 60, ...over });

  it('an unreachable PostgreSQL or Redis is an error naming the variable, without the password', async () => {
    const pgErr = await openConfiguredStores(cfg({ databaseUrl: `postgres://quell:${PASSWORD}@127.0.0.1:1/quell` })).catch((e: unknown) => e);
    expect(pgErr).toBeInstanceOf(DependencyError);
    expect((pgErr as Error).message).toMatch(/^QUELL_DATABASE_URL: cannot use PostgreSQL/);
    expect((pgErr as Error).message).not.toContain(PASSWORD);
    const redisErr = await openConfiguredStores(cfg({ redisUrl: `redis://:${PASSWORD}@127.0.0.1:1` })).catch((e: unknown) => e);
    expect(redisErr).toBeInstanceOf(DependencyError);
    expect((redisErr as Error).message).toMatch(/^QUELL_REDIS_URL: cannot reach Redis/);
    expect((redisErr as Error).message).not.toContain(PASSWORD);
  });

  for (const [label, use] of [
    ['SQLite only', { pg: false, redis: false }],
    ['PostgreSQL only', { pg: true, redis: false }],
    ['Redis only', { pg: false, redis: true }],
    ['PostgreSQL and Redis', { pg: true, redis: true }],
  ] as const) {
    it(`${label}: /readyz names each store and checks it`, async () => {
      const { stores, throttle, kinds } = await openConfiguredStores(cfg({ ...(use.pg ? { databaseUrl: db.url } : {}), ...(use.redis ? { redisUrl: redis.url } : {}) }));
      expect(kinds).toEqual({ store: use.pg ? 'postgres' : 'sqlite', sessions: use.redis ? 'redis' : 'sqlite', rateLimits: use.redis ? 'redis' : 'memory' });
      expect(throttle !== undefined).toBe(use.redis);
      const quell = createApp({
        config: { instances: [], sessionSecret: 'y'.repeat(40), webDist: path.join(dir, 'none'), cookieSecure: false, sessionIdleMinutes: 30, trustProxy: false },
        das: (() => {
          throw new Error('no instance, so no DAS');
        }) as DasFactory,
        stores,
        users: createFileUserDirectory(path.join(dir, 'users.json')),
        ...(throttle ? { throttle } : {}),
      });
      try {
        const ready = await request(quell.app).get('/readyz');
        expect(ready.status).toBe(200);
        expect(ready.body.checks.store).toEqual({ ok: true, kind: kinds.store });
        expect(ready.body.checks.sessions).toEqual({ ok: true, kind: kinds.sessions, rateLimits: kinds.rateLimits });
        // a login session written through these stores is read back
        await stores.loginSessions.create({ idHash: `h-${label}`, username: 'u', csrfToken: 'c', createdAt: Date.now(), lastSeenAt: Date.now() });
        expect((await stores.loginSessions.get(`h-${label}`))?.username).toBe('u');
      } finally {
        await quell.shutdown();
        await stores.close();
      }
    });
  }
});
