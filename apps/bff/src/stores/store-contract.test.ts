// One behavioural suite, every implementation: SQLite and PostgreSQL data stores, SQLite and Redis
// login sessions, in-memory and Redis login throttles. Plus what only the PostgreSQL path has to do
// (migrations from two replicas at once, leases, waiting on another replica's idempotency key).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KillResult } from '@quell/contracts/kill';
import { createMemoryThrottle } from '../auth/throttle.ts';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@quell/test-kit/services';
import { migrate, MIGRATIONS, openPostgresStores } from './postgres.ts';
import { createRedisLoginSessionStore, createRedisThrottle } from './redis-sessions.ts';
import { openSqliteStores } from './sqlite.ts';
import { describeDataStoreContract, describeLoginSessionStoreContract, describeThrottleContract, intent } from './store-contract.ts';

// --- SQLite (a directory, so that a second open is a restart of the same database) ---
let sqliteDir = '';
const sqliteOpened: Array<{ close(): Promise<void> }> = [];
describeDataStoreContract('SQLite', {
  async setup() {
    sqliteDir = mkdtempSync(path.join(tmpdir(), 'quell-contract-'));
  },
  async open() {
    const s = openSqliteStores(sqliteDir);
    sqliteOpened.push(s);
    return s;
  },
  async teardown() {
    for (const s of sqliteOpened) await s.close();
    rmSync(sqliteDir, { recursive: true, force: true });
  },
});

// --- PostgreSQL (a database of its own) ---
let db: TestDatabase;
describeDataStoreContract('PostgreSQL', {
  async setup() {
    db = await createTestDatabase();
  },
  open: () => openPostgresStores(db.url, { idempotencyWaitMs: 300 }),
  async teardown() {
    await db.drop();
  },
});

// --- login sessions ---
let sessionDb: ReturnType<typeof openSqliteStores> | undefined;
describeLoginSessionStoreContract('SQLite', {
  async setup() {
    sessionDb = openSqliteStores(':memory:');
  },
  async open() {
    return sessionDb!.loginSessions;
  },
  async teardown() {
    await sessionDb?.close();
  },
});
let sessionRedis: TestRedis;
describeLoginSessionStoreContract('Redis', {
  async setup() {
    sessionRedis = await createTestRedis();
  },
  async open(idleMs) {
    return createRedisLoginSessionStore(sessionRedis.client, { prefix: sessionRedis.prefix, idleMs });
  },
  async teardown() {
    await sessionRedis.cleanup();
  },
});

// --- login throttles ---
describeThrottleContract('in memory (one replica)', {
  async setup() {},
  async open(limits) {
    const t = createMemoryThrottle(limits);
    return [t, t];
  },
  async teardown() {},
});
let throttleRedis: TestRedis;
let second: Redis | undefined;
describeThrottleContract('Redis (two replicas)', {
  async setup() {
    throttleRedis = await createTestRedis();
  },
  async open(limits) {
    second = throttleRedis.client.duplicate();
    return [createRedisThrottle(throttleRedis.client, { prefix: throttleRedis.prefix, limits }), createRedisThrottle(second, { prefix: throttleRedis.prefix, limits })];
  },
  async teardown() {
    await second?.quit();
    await throttleRedis.cleanup();
  },
});

// --- PostgreSQL only ---
describe('PostgreSQL replicas', () => {
  let d: TestDatabase;
  beforeAll(async () => {
    d = await createTestDatabase();
  });
  afterAll(async () => {
    await d?.drop();
  });

  it('migrations started by several replicas at once are applied exactly once', async () => {
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: d.url, max: 1 }));
    try {
      const applied = await Promise.all(pools.map((p) => migrate(p)));
      expect(applied.flat().sort()).toEqual(MIGRATIONS.map((m) => m.version).sort());
      const rows = await pools[0]!.query('SELECT version FROM quell_migrations ORDER BY version');
      expect(rows.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrate(pools[1]!)).toEqual([]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('the audit table refuses DELETE, TRUNCATE and edits of the intent', async () => {
    const s = await openPostgresStores(d.url);
    try {
      const id = randomUUID();
      await s.audit.appendIntent(intent(id));
      await expect(s.pool.query('DELETE FROM quell_audit WHERE id = $1', [id])).rejects.toThrow(/append-only/);
      await expect(s.pool.query('TRUNCATE quell_audit')).rejects.toThrow(/append-only/);
      await expect(s.pool.query(`UPDATE quell_audit SET reason = 'x' WHERE id = $1`, [id])).rejects.toThrow(/intent/);
      await s.audit.recordOutcome(id, { status: 'completed', finishedAt: new Date().toISOString(), outcomes: [], dasRequestIds: [] });
      await expect(s.pool.query(`UPDATE quell_audit SET status = 'failed' WHERE id = $1`, [id])).rejects.toThrow(/finished/);
      await expect(s.pool.query(`UPDATE quell_audit SET outcomes = '[]' WHERE id = $1`, [id])).rejects.toThrow(/finished/);
      // A row still rolling back may change its outcomes, and nothing else.
      const rolling = randomUUID();
      await s.audit.appendIntent(intent(rolling));
      await s.audit.recordOutcome(rolling, { status: 'completed', finishedAt: new Date().toISOString(), outcomes: [{ sessionId: 1, outcome: 'rolling-back' }], dasRequestIds: [] });
      await expect(s.pool.query(`UPDATE quell_audit SET status = 'failed' WHERE id = $1`, [rolling])).rejects.toThrow(/finished/);
      await expect(s.pool.query(`UPDATE quell_audit SET reason = 'x' WHERE id = $1`, [rolling])).rejects.toThrow(/intent/);
      await s.pool.query(`UPDATE quell_audit SET outcomes = '[{"sessionId":1,"outcome":"killed"}]' WHERE id = $1`, [rolling]);
      await expect(s.pool.query(`UPDATE quell_audit SET outcomes = '[]' WHERE id = $1`, [rolling])).rejects.toThrow(/finished/);
    } finally {
      await s.close();
    }
  });

  it("never marks a live replica's pending row unknown; a replica that stopped renewing its lease loses its pending rows to the sweep", async () => {
    const live = await openPostgresStores(d.url, { leaseMs: 60_000 });
    const dying = await openPostgresStores(d.url, { leaseMs: 1_000 });
    const swept: number[] = [];
    const sweeper = await openPostgresStores(d.url, { leaseMs: 1_000, onSweep: (n) => swept.push(n) });
    try {
      const liveRow = randomUUID();
      const deadRow = randomUUID();
      await live.audit.appendIntent(intent(liveRow));
      await dying.audit.appendIntent(intent(deadRow));
      // a replica starting now (the sweeper's markPendingUnknown) leaves both alone: both leases hold
      expect(await sweeper.audit.markPendingUnknown(new Date().toISOString())).toBe(0);
      // "crash": the dying replica's timers stop and its lease is never renewed nor given back
      const crashed = dying as unknown as { pool: pg.Pool };
      await crashed.pool.query('UPDATE quell_replicas SET expires_at = now() + interval \'1 second\' WHERE id = $1', [dying.replicaId]);
      (dying as unknown as { close(): Promise<void> }).close = async () => undefined;
      await dying.pool.end();
      const deadline = Date.now() + 10_000;
      while ((await sweeper.audit.get(deadRow))?.status === 'pending' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect((await sweeper.audit.get(deadRow))?.status).toBe('unknown');
      expect(swept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
      expect((await sweeper.audit.get(liveRow))?.status).toBe('pending');
      await live.audit.recordOutcome(liveRow, { status: 'completed', finishedAt: new Date().toISOString(), outcomes: [], dasRequestIds: [] });
    } finally {
      await live.close();
      await sweeper.close();
    }
  });

  it("a commit on another replica holding the same Idempotency-Key is waited for, and its result returned", async () => {
    const a = await openPostgresStores(d.url);
    const b = await openPostgresStores(d.url, { idempotencyWaitMs: 10_000 });
    try {
      const actor = `op-${randomUUID()}`;
      expect((await a.idempotency.claim(actor, 'k', 'h', new Date().toISOString())).state).toBe('claimed');
      const waiting = b.idempotency.claim(actor, 'k', 'h', new Date().toISOString());
      await new Promise((r) => setTimeout(r, 300));
      const res = { auditId: 'x', outcomes: [] } as unknown as KillResult;
      await a.idempotency.complete(actor, 'k', res);
      expect(await waiting).toEqual({ state: 'done', requestHash: 'h', result: res });
      // a claim released by its holder (refused before DAS) is taken over by the waiter
      expect((await a.idempotency.claim(actor, 'k2', 'h', new Date().toISOString())).state).toBe('claimed');
      const waiting2 = b.idempotency.claim(actor, 'k2', 'h', new Date().toISOString());
      await new Promise((r) => setTimeout(r, 300));
      await a.idempotency.release(actor, 'k2');
      expect((await waiting2).state).toBe('claimed');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
