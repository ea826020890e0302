// Several replicas: two BFF processes (configured only through the environment) share one PostgreSQL
// database and one Redis key prefix, in front of a real das-local on MariaDB. A login, a preview, an approval, an
// idempotency key and a login throttle hold across both; a replica killed with SIGKILL in the middle
// of a burst of commits loses no audit row.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@quell/test-kit/eventually';
import type { DbSession } from '@quell/test-kit/mariadb';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@quell/test-kit/services';
import { startStack, type Role, type Stack } from '@quell/test-kit/stack';
import { startWebhookReceiver, type WebhookReceiver } from '@quell/test-kit/webhook-receiver';
import { Webhook } from 'standardwebhooks';
import { startReplica, startReplicaExpectingFailure, type ReplicaProcess } from '../test/replica-process.ts';
import { pathOf, routes } from '@quell/contracts/routes';
import { MIGRATIONS } from './stores/postgres.ts';

let h: Stack;
let db: TestDatabase;
let redis: TestRedis;
let dir: string;
let env: Record<string, string>;
let A: ReplicaProcess;
let B: ReplicaProcess;
const started: ReplicaProcess[] = [];
// Trust auth ignores it, so it may sit in the URL: it must never be printed by a replica.
const DB_PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const SESSION_SECRET = randomBytes(32).toString('hex');
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
let hook: WebhookReceiver;

beforeAll(async () => {
  [h, db, redis, hook] = await Promise.all([
    startStack({ extraInstances: (base) => [{ ...base, id: 'prod', name: 'prod-db', environment: 'prod', blastRadiusCap: 1 }] }),
    createTestDatabase(),
    createTestRedis(),
    startWebhookReceiver(),
  ]);
  dir = mkdtempSync(path.join(tmpdir(), 'quell-replicas-'));
  const inventory = path.join(dir, 'inventory.json');
  writeFileSync(inventory, JSON.stringify({ instances: h.instances }));
  const url = new URL(db.url);
  url.password = DB_PASSWORD;
  env = {
    QUELL_INVENTORY: inventory,
    QUELL_AK: h.creds.ak,
    QUELL_SK: h.creds.sk,
    QUELL_SESSION_SECRET: SESSION_SECRET,
    QUELL_USERS_FILE: h.usersFile,
    QUELL_WEB_DIST: path.join(dir, 'no-dist'),
    QUELL_DATABASE_URL: url.toString(),
    QUELL_REDIS_URL: redis.url,
    QUELL_REDIS_KEY_PREFIX: redis.prefix,
    QUELL_REPLICA_LEASE_SECONDS: '2',
    QUELL_TRUST_PROXY: 'loopback',
    QUELL_LOG_LEVEL: 'warn',
    QUELL_NOTIFY_DESTINATIONS: 'siem',
    QUELL_NOTIFY_SIEM_TYPE: 'webhook',
    QUELL_NOTIFY_SIEM_URL: hook.url,
    QUELL_NOTIFY_SIEM_SECRET: WEBHOOK_SECRET,
  };
  // Both start at once: their migrations race, and the advisory lock settles it.
  [A, B] = await Promise.all([startReplica({ ...env, QUELL_DATA_DIR: path.join(dir, 'a') }), startReplica({ ...env, QUELL_DATA_DIR: path.join(dir, 'b') })]);
  started.push(A, B);
}, 120_000);

afterAll(async () => {
  for (const r of started) await r.stop('SIGKILL');
  const hookPath = new URL(hook.url).pathname;
  const leaks = started.filter((r) => r.output().includes(DB_PASSWORD) || r.output().includes(hookPath) || r.output().includes(WEBHOOK_SECRET));
  await hook?.close();
  await h?.close();
  await db?.drop();
  await redis?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
  expect(leaks).toHaveLength(0);
}, 60_000);

interface Client {
  cookie: string;
  csrf: string;
}
async function call(base: string, method: string, p: string, opts: { client?: Client; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.client) {
    headers.cookie = opts.client.cookie;
    if (method !== 'GET') headers['x-csrf-token'] = opts.client.csrf;
  }
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${p}`, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body, text };
}
async function login(base: string, role: Role, clientIp?: string): Promise<Client> {
  const r = await call(base, 'POST', pathOf(routes.login), { body: { username: `${role}-user`, password: h.passwords[role] }, ...(clientIp ? { headers: { 'x-forwarded-for': clientIp } } : {}) });
  if (r.status !== 200) throw new Error(`login as ${role} failed: ${r.status} ${r.text}`);
  const set = r.headers.get('set-cookie') ?? '';
  return { cookie: set.split(';')[0]!, csrf: r.body.csrfToken };
}
const ids = (xs: Array<{ id: number }>) => xs.map((x) => x.id).sort((a, b) => a - b);

async function openSessions(n: number): Promise<DbSession[]> {
  const out: DbSession[] = [];
  for (let i = 0; i < n; i++) out.push(await h.open(h.accounts.app, h.db1));
  return out;
}
async function previewOn(base: string, c: Client, sessions: DbSession[]) {
  const p = await call(base, 'POST', pathOf(routes.killPreviews, { instanceId: 'main' }), { client: c, body: { user: h.accounts.app.user, database: h.db1, sessionIds: sessions.map((s) => s.id) } });
  expect(p.status).toBe(201);
  expect(ids(p.body.targets)).toEqual(ids(sessions));
  return p.body.previewId as string;
}
function commitOn(base: string, c: Client, previewId: string, key: string, reason = 'several replicas test') {
  return call(base, 'POST', pathOf(routes.commitPreview, { previewId }), { client: c, body: { reason }, headers: { 'idempotency-key': key } });
}

describe('two replicas sharing PostgreSQL and Redis', () => {
  it('both report PostgreSQL, Redis and DAS ready', async () => {
    for (const r of [A, B]) {
      const ready = await call(r.url, 'GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({
        status: 'ready',
        checkedAt: expect.any(String),
        checks: { store: { ok: true, kind: 'postgres' }, sessions: { ok: true, kind: 'redis', rateLimits: 'redis' }, das: { main: { ok: true, reached: 'database' }, prod: { ok: true, reached: 'database' } } },
      });
      expect(ready.text).not.toContain(DB_PASSWORD);
    }
    // one migration run, although both replicas started at once
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const m = await c.query('SELECT version FROM quell_migrations');
      expect(m.rows.map((r) => r.version).sort()).toEqual(MIGRATIONS.map((x) => x.version).sort());
      const leases = await c.query('SELECT count(*)::int AS n FROM quell_replicas WHERE expires_at > now()');
      expect(leases.rows[0].n).toBe(2);
    } finally {
      await c.end();
    }
  });

  it('an operator logged in through A is recognised by B, with an idle-expiring session in Redis; logging out on B ends it on A within a second', async () => {
    const op = await login(A.url, 'operator');
    const me = await call(B.url, 'GET', pathOf(routes.me), { client: op });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ username: 'operator-user', role: 'operator', csrfToken: op.csrf });
    const keys = (await redis.keys()).filter((k) => k.startsWith(`${redis.prefix}session:`));
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const k of keys) {
      const ttl = await redis.client.pttl(k);
      expect(ttl).toBeGreaterThan(25 * 60_000);
      expect(ttl).toBeLessThanOrEqual(30 * 60_000);
    }
    // the cookie value itself is not stored anywhere in Redis
    const cookieValue = decodeURIComponent(op.cookie.split('=')[1]!);
    for (const k of await redis.keys()) expect(k).not.toContain(cookieValue);
    expect((await call(A.url, 'GET', pathOf(routes.me), { client: op })).status).toBe(200); // now in A's one-second cache
    expect((await call(B.url, 'POST', pathOf(routes.logout), { client: op })).status).toBe(204);
    expect((await call(B.url, 'GET', pathOf(routes.me), { client: op })).status).toBe(401);
    // A serves a session it read less than a second ago from its cache: the logout reaches it within that second.
    expect((await eventually(() => call(A.url, 'GET', pathOf(routes.me), { client: op }), (r) => r.status === 401, 3_000)).status).toBe(401);
  });

  it('a preview created on A commits on B, and both see the audit row', async () => {
    const op = await login(A.url, 'operator');
    const s = await openSessions(2);
    const previewId = await previewOn(A.url, op, s);
    const c = await commitOn(B.url, op, previewId, randomUUID());
    expect(c.status).toBe(200);
    expect(c.body.summary).toEqual({ killed: 2 });
    expect(await eventually(() => h.aliveIds(s.map((x) => x.id)), (v) => v.length === 0)).toEqual([]);
    for (const r of [A, B]) {
      const audit = await call(r.url, 'GET', `${pathOf(routes.audit)}?limit=500`, { client: op });
      const row = audit.body.entries.find((e: { id: string }) => e.id === c.body.auditId);
      expect(row).toMatchObject({ status: 'completed', previewId, actor: 'operator-user' });
    }
  });

  it('the same Idempotency-Key sent to A and B at once kills once; both get the first result', async () => {
    const op = await login(B.url, 'operator');
    const s = await openSessions(3);
    const previewId = await previewOn(B.url, op, s);
    const key = `both-${randomUUID()}`;
    const [a, b] = await Promise.all([commitOn(A.url, op, previewId, key), commitOn(B.url, op, previewId, key)]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.auditId).toBe(a.body.auditId);
    expect(b.body).toEqual(a.body);
    expect([a.headers.get('idempotent-replayed'), b.headers.get('idempotent-replayed')].filter((x) => x === 'true')).toHaveLength(1);
    expect(a.body.summary).toEqual({ killed: 3 });
    const audit = await call(A.url, 'GET', `${pathOf(routes.audit)}?limit=500`, { client: op });
    const rows = audit.body.entries.filter((e: { idempotencyKey: string | null; previewId: string | null }) => e.idempotencyKey === key || e.previewId === previewId);
    expect(rows).toHaveLength(1);
    // a later retry on either replica replays it
    const again = await commitOn(A.url, op, previewId, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.auditId).toBe(a.body.auditId);
  });

  it('the incident events of kills committed on A and on B are delivered once each, signed, by whichever replica holds them', async () => {
    const op = await login(A.url, 'operator');
    const auditIds: string[] = [];
    for (const [n, base] of [A.url, B.url, A.url, B.url].entries()) {
      const s = await openSessions(1);
      const c = await commitOn(base, op, await previewOn(base, op, s), randomUUID(), `events from two replicas ${n}`);
      expect(c.status).toBe(200);
      auditIds.push(c.body.auditId);
    }
    const ofOurs = async () =>
      hook.received.map((r) => new Webhook(WEBHOOK_SECRET).verify(r.body, r.headers) as { id: string; auditId?: string; type: string }).filter((e) => auditIds.includes(e.auditId ?? ''));
    const got = await eventually(ofOurs, (events) => new Set(events.map((e) => e.auditId)).size === auditIds.length, 20_000);
    expect(got.every((e) => e.type === 'kill.committed')).toBe(true);
    // Each outbox row is marked delivered by its holder; then none is left to send again.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const rows = await eventually(
        async () => (await c.query<{ status: string }>(`SELECT status FROM quell_outbox WHERE event::jsonb ->> 'auditId' = ANY($1)`, [auditIds])).rows,
        (r) => r.length === auditIds.length && r.every((x) => x.status === 'delivered'),
        10_000,
      );
      expect(rows.map((r) => r.status)).toEqual(auditIds.map(() => 'delivered'));
    } finally {
      await c.end();
    }
    const ours = await ofOurs();
    expect(ours.length).toBe(auditIds.length);
    expect(new Set(ours.map((e) => e.id)).size).toBe(auditIds.length);
  });

  it('two approvals of one request on A and B at once: one wins, one commit', async () => {
    const op = await login(A.url, 'operator');
    const admin = await login(B.url, 'admin');
    const s = await openSessions(2);
    const p = await call(A.url, 'POST', pathOf(routes.killPreviews, { instanceId: 'prod' }), { client: op, body: { user: h.accounts.app.user, database: h.db1, sessionIds: s.map((x) => x.id) } });
    const asked = await call(A.url, 'POST', pathOf(routes.commitPreview, { previewId: p.body.previewId }), {
      client: op,
      body: { reason: 'two on prod', confirmInstanceName: 'prod-db' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(asked.status).toBe(428);
    const approvalId = asked.body.error.details.approvalId as string;
    const approveOn = (base: string) => call(base, 'POST', pathOf(routes.approve, { approvalId }), { client: admin, body: {}, headers: { 'idempotency-key': randomUUID() } });
    const answers = await Promise.all([approveOn(A.url), approveOn(B.url)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(answers.find((r) => r.status === 200)?.body.summary).toEqual({ killed: 2 });
    expect(await eventually(() => h.aliveIds(s.map((x) => x.id)), (v) => v.length === 0)).toEqual([]);
    const audit = await call(B.url, 'GET', `${pathOf(routes.audit)}?limit=500&instanceId=prod`, { client: admin });
    const rows = audit.body.entries.filter((e: { approval?: { requestId: string } | null }) => e.approval?.requestId === approvalId);
    expect(rows.map((r: { status: string; actor: string }) => [r.status, r.actor])).toEqual([['completed', 'admin-user']]);
  });

  it('login throttling counts failures on both replicas: per (account, client) and per client address', async () => {
    const client = `10.77.${Math.floor(Math.random() * 250)}.1`;
    const wrong = (base: string, username: string, ip = client) =>
      call(base, 'POST', pathOf(routes.login), { body: { username, password: 'not-the-password' }, headers: { 'x-forwarded-for': ip } });
    // 5 failures of one account from one client (default limit), alternating replicas
    for (let n = 0; n < 5; n++) expect((await wrong(n % 2 ? A.url : B.url, 'viewer-user')).status).toBe(401);
    for (const r of [A, B]) {
      const right = await call(r.url, 'POST', pathOf(routes.login), { body: { username: 'viewer-user', password: h.passwords.viewer }, headers: { 'x-forwarded-for': client } });
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // the account is not locked for anybody else
    await login(A.url, 'viewer', '10.78.0.1');
    // 20 failures per client address (default limit) across accounts and replicas: 5 above, 15 more here
    for (let n = 0; n < 15; n++) expect((await wrong(n % 2 ? A.url : B.url, `nobody-${n}`)).status).toBe(401);
    for (const r of [A, B]) {
      const blocked = await call(r.url, 'POST', pathOf(routes.login), { body: { username: 'admin-user', password: h.passwords.admin }, headers: { 'x-forwarded-for': client } });
      expect(blocked.status).toBe(429);
    }
    // another client address is not affected
    await login(B.url, 'admin', '10.79.0.1');
  });

  it('a replica killed (SIGKILL) in the middle of a burst of commits loses no audit row', async () => {
    const C = await startReplica({ ...env, QUELL_DATA_DIR: path.join(dir, 'c') });
    started.push(C);
    const op = await login(B.url, 'operator');
    const burst = 10;
    const work: Array<{ previewId: string; key: string; session: DbSession }> = [];
    for (let i = 0; i < burst; i++) {
      const [session] = await openSessions(1);
      work.push({ previewId: await previewOn(B.url, op, [session!]), key: `burst-${randomUUID()}`, session: session! });
    }
    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    try {
      const keys = work.map((w) => w.key);
      const rowsFor = async () =>
        (await watcher.query<{ id: string; status: string; idempotency_key: string; target: string }>('SELECT id, status, idempotency_key, target FROM quell_audit WHERE idempotency_key = ANY($1)', [keys])).rows;
      // The first 6 commits leave 30 ms apart (several in flight at once); C is SIGKILLed the moment a
      // second one is answered, and the remaining commits are sent anyway: some are answered, some are
      // cut off in flight (intent written, outcome not), and at least 4 never reach a live replica.
      type Answer = { ok: true; status: number; body: any } | { ok: false };
      let answeredSoFar = 0;
      let killedAt: Promise<Array<{ id: string; status: string; idempotency_key: string; target: string }>> | undefined;
      const kill = () => {
        if (killedAt) return;
        C.child.kill('SIGKILL');
        killedAt = rowsFor();
      };
      const answers: Array<Promise<Answer>> = [];
      const send = (w: (typeof work)[number]) =>
        answers.push(
          commitOn(C.url, op, w.previewId, w.key).then(
            (r): Answer => {
              if (++answeredSoFar >= 2) kill();
              return { ok: true, status: r.status, body: r.body };
            },
            (): Answer => ({ ok: false }),
          ),
        );
      for (const w of work.slice(0, 6)) {
        send(w);
        await new Promise((r) => setTimeout(r, 30));
      }
      await eventually(async () => answeredSoFar, (n) => n >= 2, 20_000);
      kill();
      await C.exited;
      for (const w of work.slice(6)) send(w);
      const atKill = await killedAt!;
      const results = await Promise.all(answers);
      const answered = results.filter((r): r is Extract<Answer, { ok: true }> => r.ok);
      const cut = results.filter((r) => !r.ok).length;
      expect(answered.length).toBeGreaterThanOrEqual(2);
      expect(cut).toBeGreaterThanOrEqual(4);

      // Every answered commit has its completed row; every row written before the kill is still there.
      const rows = await rowsFor();
      const byId = new Map(rows.map((r) => [r.id, r]));
      // (a 200 is a finished commit: completed, or failed with per-session outcomes if DAS failed under load)
      for (const a of answered.filter((x) => x.status === 200)) expect(['completed', 'failed']).toContain(byId.get(a.body.auditId)?.status);
      for (const r of atKill) expect(byId.has(r.id)).toBe(true);
      // No session was killed without an audit row naming it.
      const covered = new Set(rows.flatMap((r) => (JSON.parse(r.target) as { sessionIds?: number[] }).sessionIds ?? []));
      const alive = new Set(await h.aliveIds(work.map((w) => w.session.id)));
      const gone = work.filter((w) => !alive.has(w.session.id)).map((w) => w.session.id);
      for (const id of gone) expect(covered.has(id)).toBe(true);
      // The dead replica's lease lapses (2 s) and a live replica's sweep marks its pending rows unknown: never silence.
      const settled = await eventually(rowsFor, (rs) => rs.every((r) => r.status !== 'pending'), 20_000);
      expect(settled.filter((r) => r.status === 'pending')).toEqual([]);
      for (const r of settled) expect(['completed', 'failed', 'unknown']).toContain(r.status);
      // B serves the same trail; a retry on B of a commit C answered replays C's result.
      const audit = await call(B.url, 'GET', `${pathOf(routes.audit)}?limit=500`, { client: op });
      for (const r of settled) expect(audit.body.entries.some((e: { id: string }) => e.id === r.id)).toBe(true);
      for (const a of answered.filter((x) => x.status === 200).slice(0, 2)) {
        const key = byId.get(a.body.auditId)!.idempotency_key;
        const w = work.find((x) => x.key === key)!;
        const replay = await commitOn(B.url, op, w.previewId, w.key);
        expect(replay.status).toBe(200);
        expect(replay.body.auditId).toBe(a.body.auditId);
      }
      console.log(`replica killed with ${atKill.length}/${burst} intents written; ${answered.length} answered, ${cut} cut off; final statuses: ${JSON.stringify(settled.reduce<Record<string, number>>((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {}))}`);
    } finally {
      await watcher.end();
    }
  });

  it('a replica with an unreachable database refuses to start, naming the variable and never the password', async () => {
    const bad = await startReplicaExpectingFailure({
      ...env,
      QUELL_DATA_DIR: path.join(dir, 'd'),
      QUELL_DATABASE_URL: `postgres://quell:${DB_PASSWORD}@127.0.0.1:1/quell`,
    });
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('QUELL_DATABASE_URL');
    expect(bad.output).not.toContain(DB_PASSWORD);
    const badRedis = await startReplicaExpectingFailure({ ...env, QUELL_DATA_DIR: path.join(dir, 'e'), QUELL_REDIS_URL: 'redis://127.0.0.1:1' });
    expect(badRedis.code).toBe(1);
    expect(badRedis.output).toContain('QUELL_REDIS_URL');
    const invalid = await startReplicaExpectingFailure({ ...env, QUELL_DATA_DIR: path.join(dir, 'f'), QUELL_DATABASE_URL: `mysql://root:${DB_PASSWORD}@127.0.0.1/x` });
    expect(invalid.code).toBe(1);
    expect(invalid.output).toMatch(/QUELL_DATABASE_URL: must start with postgres/);
    expect(invalid.output).not.toContain(DB_PASSWORD);
  });
});
