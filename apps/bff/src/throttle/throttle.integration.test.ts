// SQL throttles end to end on MariaDB: the BFF creates the rule through das-local, whose MySQL-protocol
// proxy enforces it; the rule expires on time, survives a BFF restart, and two replicas remove it once.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, IDEMPOTENCY_HEADER, pathOf, routes } from '@quell/contracts/routes';
import type { AuditEntry } from '@quell/contracts/audit';
import { eventually } from '@quell/test-kit/eventually';
import { createTestDatabase, type TestDatabase } from '@quell/test-kit/services';
import { DAS_INSTANCE_ID, startStack, type Stack } from '@quell/test-kit/stack';
import { startWebhookReceiver, type WebhookReceiver } from '@quell/test-kit/webhook-receiver';
import { IncidentEvent } from '@quell/contracts/events';
import { Webhook } from 'standardwebhooks';
import { openPostgresStores } from '../stores/postgres.ts';
import { openSqliteStores } from '../stores/sqlite.ts';
import type { Stores } from '../stores/types.ts';

const PATTERN = 'select~sleep~from~reports';
const slow = (s: number) => `SELECT SLEEP(${s}) FROM reports LIMIT 1`;
const MIN = 60_000;

type Outcome = { ok: true; ms: number } | { ok: false; ms: number; errno: number | undefined };
async function outcome(run: Promise<unknown>): Promise<Outcome> {
  const t0 = performance.now();
  try {
    await run;
    return { ok: true, ms: performance.now() - t0 };
  } catch (err) {
    return { ok: false, ms: performance.now() - t0, errno: (err as { errno?: number }).errno };
  }
}

function harness(stack: () => Stack) {
  const conns: mysql.Connection[] = [];
  const viaProxy = async (login = stack().accounts.app): Promise<mysql.Connection> => {
    const p = stack().proxy!;
    const c = await mysql.createConnection({ host: p.host, port: p.port, user: login.user, password: login.password, database: stack().db1 });
    c.on('error', () => {});
    conns.push(c);
    return c;
  };
  const rules = () => stack().das.sqlLimit(DAS_INSTANCE_ID)!.listRules();
  const audit = async (): Promise<AuditEntry[]> => (await stack().stores.audit.list({ limit: 500, offset: 0, instanceId: 'main' })).entries;
  const closeAll = async () => {
    for (const c of conns.splice(0)) await c.end().catch(() => c.destroy());
  };
  return { viaProxy, rules, audit, closeAll };
}

async function createTable(stack: Stack) {
  const s = await stack.open(stack.accounts.app, stack.db1);
  await s.conn.query('CREATE TABLE reports (id INT PRIMARY KEY)');
  await s.conn.query('INSERT INTO reports VALUES (1), (2)');
}

const throttleBody = (over: Record<string, unknown> = {}) => ({ sqlType: 'SELECT', pattern: PATTERN, maxConcurrency: 1, reason: 'runaway report keeps coming back', ...over });

describe('SQL throttles through the BFF, enforced by the proxy (SQLite store)', () => {
  let stack: Stack;
  let dataDir: string;
  const h = harness(() => stack);
  let op: { agent: import('supertest').Agent; csrf: string };
  let hook: WebhookReceiver;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  /** The incident events the receiver got about one throttle, verified, as [type, actor]. */
  const eventsOf = async (throttleId: string) =>
    hook.received.map((r) => IncidentEvent.parse(new Webhook(secret).verify(r.body, r.headers))).filter((e) => e.throttle?.id === throttleId).map((e) => [e.type, e.actor]);

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'quell-throttle-'));
    hook = await startWebhookReceiver();
    stack = await startStack({
      label: 'thr',
      dataDir,
      sqlLimit: { proxy: { port: 0 }, jobDelayMs: 100 },
      throttleOptions: { sweepIntervalMs: 200, jobPollMs: 50 },
      notify: { destinations: [{ name: 'siem', type: 'webhook', url: hook.url, secret }] },
      deliveryOptions: { pollMs: 100 },
    });
    await createTable(stack);
    op = await stack.login('operator');
  }, 60_000);
  afterAll(async () => {
    await h.closeAll();
    await stack?.close();
    await hook?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses bad input with a 400 naming the field (an unknown throttle id too); nothing reaches DAS', async () => {
    const from = stack.dasLines.length;
    const post = (body: Record<string, unknown>) => op.agent.post(pathOf(routes.createThrottle, { instanceId: 'main' })).set(CSRF_HEADER, op.csrf).send(body);
    const field = async (body: Record<string, unknown>) => {
      const res = await post(body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      return (res.body.error.details.issues as Array<{ field: string }>).map((i) => i.field);
    };
    expect(await field(throttleBody({ pattern: 'select~~reports' }))).toEqual(['pattern']);
    expect(await field(throttleBody({ pattern: 'select~reports~' }))).toEqual(['pattern']);
    expect(await field(throttleBody({ pattern: 'reports~select' }))).toEqual(['pattern']);
    expect(await field(throttleBody({ durationMinutes: 121 }))).toEqual(['durationMinutes']);
    expect(await field(throttleBody({ sqlType: 'REPLACE' }))).toEqual(['sqlType']);
    expect(await field(throttleBody({ maxConcurrency: -1 }))).toEqual(['maxConcurrency']);
    expect(await field(throttleBody({ reason: '' }))).toEqual(['reason']);
    expect(await field(throttleBody({ rules: [1, 2, 3, 4, 5, 6] }))).toEqual(['rules']);
    expect(await field(throttleBody({ pattern: 'select~ ~reports' }))).toEqual(['pattern']);
    const admin = await stack.login('admin');
    const adminPost = (body: Record<string, unknown>) => admin.agent.post(pathOf(routes.createThrottle, { instanceId: 'main' })).set(CSRF_HEADER, admin.csrf).send(body);
    expect((await adminPost(throttleBody({ durationMinutes: 24 * 60 + 1 }))).body.error.details.issues).toEqual([{ field: 'durationMinutes', message: 'must be at most 1440 minutes for the admin role' }]);
    const unknown = await op.agent.delete(pathOf(routes.throttle, { instanceId: 'main', throttleId: randomUUID() })).set(CSRF_HEADER, op.csrf);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual(['throttleId']);
    const notAnId = await op.agent.delete(pathOf(routes.throttle, { instanceId: 'main', throttleId: 'abc' })).set(CSRF_HEADER, op.csrf);
    expect(notAnId.status).toBe(400);
    expect(notAnId.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual(['throttleId']);
    const viewer = await stack.login('viewer');
    expect((await viewer.agent.post(pathOf(routes.createThrottle, { instanceId: 'main' })).set(CSRF_HEADER, viewer.csrf).send(throttleBody())).status).toBe(403);
    expect(stack.dasLines.slice(from).filter((l) => l.operation?.includes('SqlLimit'))).toEqual([]);
  });

  it('max_concurrency 1: of five concurrent matches one runs and four get 1317, a non-matching statement runs; the rule expires on time and the next one runs', async () => {
    const from = stack.dasLines.length;
    const created = await op.agent.post(pathOf(routes.createThrottle, { instanceId: 'main' })).set(CSRF_HEADER, op.csrf).send(throttleBody());
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const t = created.body;
    expect(Date.parse(t.expiresAt) - Date.parse(t.createdAt)).toBe(15 * MIN);
    expect(t.ruleId).toBe(h.rules()[0]!.id);
    // the first throttle turned the switch on and waited for the job
    expect(stack.count('ChangeSqlLimitSwitchStatus', from)).toBe(1);
    expect(stack.count('ShowSqlLimitJobInfo', from)).toBeGreaterThanOrEqual(1);
    expect(stack.das.sqlLimit(DAS_INSTANCE_ID)!.isOn()).toBe(true);

    const five = await Promise.all(Array.from({ length: 5 }, () => h.viaProxy()));
    const other = await h.viaProxy();
    const runs = five.map((c) => outcome(c.query(slow(1.5))));
    const unmatched = await outcome(other.query('SELECT COUNT(*) FROM reports'));
    const results = await Promise.all(runs);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const refused = results.filter((r): r is Extract<Outcome, { ok: false }> => !r.ok);
    expect(refused.map((r) => r.errno)).toEqual([1317, 1317, 1317, 1317]);
    for (const r of refused) expect(r.ms).toBeLessThan(1000);
    expect(unmatched.ok).toBe(true);

    const listed = await op.agent.get(pathOf(routes.throttles, { instanceId: 'main' }));
    expect(listed.body.throttles.map((x: { id: string }) => x.id)).toEqual([t.id]);

    // Not due yet: the sweeper leaves it.
    stack.clock.offsetMs = 15 * MIN - 5_000;
    await new Promise((r) => setTimeout(r, 500));
    expect(h.rules()).toHaveLength(1);
    // Due: removed by the sweeper.
    stack.clock.offsetMs = 15 * MIN + 1_000;
    await eventually(async () => h.rules().length, (n) => n === 0, 5000);
    expect(stack.count('DeleteSqlLimitRules', from)).toBe(1);
    const again = await Promise.all(five.slice(0, 2).map((c) => outcome(c.query(slow(0.2)))));
    expect(again.every((r) => r.ok)).toBe(true);
    expect((await op.agent.get(pathOf(routes.throttles, { instanceId: 'main' }))).body.throttles).toEqual([]);
    const rows = (await h.audit()).filter((e) => e.target.throttle?.throttleId === t.id);
    expect(rows.map((e) => [e.mode, e.status, e.actor])).toEqual([
      ['throttle-expire', 'completed', 'quell'],
      ['throttle-create', 'completed', 'operator-user'],
    ]);
    // The channel heard of both steps (delivered while the clock still stands at the expiry).
    expect(await eventually(() => eventsOf(t.id), (e) => e.length === 2)).toEqual([
      ['throttle.created', 'operator-user'],
      ['throttle.expired', 'quell'],
    ]);
    stack.clock.offsetMs = 0;
  }, 30_000);

  it('previews the running sessions a pattern matches, protected ones apart with a notice; a throttle matching them needs an acknowledgement', async () => {
    const running = await h.viaProxy();
    void running.query(slow(3)).catch(() => {});
    const backup = await h.viaProxy(stack.accounts.backup);
    void backup.query(slow(3)).catch(() => {});
    const preview = async (user: string) =>
      op.agent.post(pathOf(routes.throttlePreviews, { instanceId: 'main' })).set(CSRF_HEADER, op.csrf).send({ sqlType: 'SELECT', pattern: PATTERN, user });
    const mine = await eventually(() => preview(stack.accounts.app.user), (r) => r.status === 200 && r.body.matches.length === 1);
    expect(mine.body.matches[0].id).toBe(running.threadId);
    expect(mine.body.notice).toBeNull();
    expect(mine.body.explanation).toMatch(/"sleep", "from" and then "reports"/);
    const theirs = await eventually(() => preview(stack.accounts.backup.user), (r) => r.status === 200 && r.body.excluded.length === 1);
    expect(theirs.body.matches).toEqual([]);
    expect(theirs.body.excluded[0]).toMatchObject({ sessionId: backup.threadId, reason: 'protected-user' });
    expect(theirs.body.notice).toMatch(/cannot spare protected users/);
    const refused = await op.agent.post(pathOf(routes.createThrottle, { instanceId: 'main' })).set(CSRF_HEADER, op.csrf).send(throttleBody({ user: stack.accounts.backup.user }));
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.issues).toEqual([{ field: 'acknowledgeProtected', message: 'must be true to throttle statements of protected users' }]);
    expect(h.rules()).toHaveLength(0);
  }, 20_000);

  it('kills by preview and throttles in one step, linked in the audit; removing it early lets the statements run again', async () => {
    const runaway = await h.viaProxy();
    void runaway.query(slow(30)).catch(() => {});
    await eventually(
      () => op.agent.post(pathOf(routes.throttlePreviews, { instanceId: 'main' })).set(CSRF_HEADER, op.csrf).send({ sqlType: 'SELECT', pattern: PATTERN, user: stack.accounts.app.user }),
      (r) => r.status === 200 && r.body.matches.some((m: { id: number }) => m.id === runaway.threadId),
    );
    const preview = await op.agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set(CSRF_HEADER, op.csrf).send({ user: stack.accounts.app.user, sessionIds: [runaway.threadId] });
    expect(preview.status).toBe(201);
    const res = await op.agent
      .post(pathOf(routes.commitAndThrottle, { previewId: preview.body.previewId }))
      .set(CSRF_HEADER, op.csrf)
      .set(IDEMPOTENCY_HEADER, randomUUID())
      .send({ reason: 'runaway report, keep it down', throttle: { sqlType: 'SELECT', pattern: PATTERN, maxConcurrency: 0, durationMinutes: 30 } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.kill.summary).toEqual({ killed: 1 });
    expect(res.body.throttleError).toBeNull();
    expect(res.body.throttle).toMatchObject({ killAuditId: res.body.kill.auditId, maxConcurrency: 0 });
    const next = await h.viaProxy();
    expect(await outcome(next.query(slow(0.1)))).toMatchObject({ ok: false, errno: 1317 });

    const removed = await op.agent.delete(pathOf(routes.throttle, { instanceId: 'main', throttleId: res.body.throttle.id })).set(CSRF_HEADER, op.csrf);
    expect(removed.status).toBe(204);
    expect(await outcome(next.query(slow(0.1)))).toMatchObject({ ok: true });
    const rows = (await h.audit()).filter((e) => e.target.throttle?.throttleId === res.body.throttle.id);
    expect(rows.map((e) => [e.mode, e.status, e.target.throttle?.killAuditId])).toEqual([
      ['throttle-remove', 'completed', res.body.kill.auditId],
      ['throttle-create', 'completed', res.body.kill.auditId],
    ]);
    expect((await eventually(() => eventsOf(res.body.throttle.id), (e) => e.length === 2)).sort()).toEqual([
      ['throttle.created', 'operator-user'],
      ['throttle.removed', 'operator-user'],
    ]);
    const killEvent = await eventually(
      async () => hook.received.map((r) => IncidentEvent.parse(new Webhook(secret).verify(r.body, r.headers))).find((e) => e.auditId === res.body.kill.auditId),
      (e) => e !== undefined,
    );
    expect(killEvent).toMatchObject({ type: 'kill.committed', counts: { killed: 1 }, reason: 'runaway report, keep it down' });
    // a throttle that failed to be created is checked before the kill: nothing is killed
    const bad = await op.agent
      .post(pathOf(routes.commitAndThrottle, { previewId: preview.body.previewId }))
      .set(CSRF_HEADER, op.csrf)
      .set(IDEMPOTENCY_HEADER, randomUUID())
      .send({ reason: 'again', throttle: { sqlType: 'SELECT', pattern: 'reports~select', maxConcurrency: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual(['throttle.pattern']);
  }, 30_000);

  it('kill and throttle kills every session the preview froze, not one: three runaways killed in MariaDB, a bystander and an unnamed session survive, the throttle links the kill', async () => {
    const runaways = await Promise.all(Array.from({ length: 3 }, () => h.viaProxy()));
    for (const c of runaways) void c.query(slow(60)).catch(() => {});
    const idle = await h.viaProxy();
    const bystander = await h.viaProxy(stack.accounts.oth);
    void bystander.query('SELECT SLEEP(20)').catch(() => {});
    const ids = runaways.map((c) => c.threadId).sort((a, b) => a - b);
    const matched = await eventually(
      () => op.agent.post(pathOf(routes.throttlePreviews, { instanceId: 'main' })).set(CSRF_HEADER, op.csrf).send({ sqlType: 'SELECT', pattern: PATTERN, user: stack.accounts.app.user }),
      // (statements of the earlier tests end within seconds)
      (r) => r.status === 200 && r.body.matches.length === ids.length && ids.every((id) => r.body.matches.some((m: { id: number }) => m.id === id)),
      10_000,
    );
    // what the browser sends: the sessions the throttle matches now, frozen by a kill preview
    const matchIds = (matched.body.matches as Array<{ id: number }>).map((m) => m.id).sort((a, b) => a - b);
    expect(matchIds).toEqual(ids);
    const preview = await op.agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set(CSRF_HEADER, op.csrf).send({ user: stack.accounts.app.user, sessionIds: matchIds });
    expect(preview.status).toBe(201);
    expect((preview.body.targets as Array<{ id: number }>).map((t) => t.id).sort((a, b) => a - b)).toEqual(ids);
    const res = await op.agent
      .post(pathOf(routes.commitAndThrottle, { previewId: preview.body.previewId }))
      .set(CSRF_HEADER, op.csrf)
      .set(IDEMPOTENCY_HEADER, randomUUID())
      .send({ reason: 'three runaway reports', throttle: { sqlType: 'SELECT', pattern: PATTERN, maxConcurrency: 0, user: stack.accounts.app.user } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.kill.summary).toEqual({ killed: 3 });
    expect((res.body.kill.outcomes as Array<{ sessionId: number }>).map((o) => o.sessionId).sort((a, b) => a - b)).toEqual(ids);
    expect(await eventually(() => stack.aliveIds(ids), (alive) => alive.length === 0)).toEqual([]);
    expect(await stack.aliveIds([idle.threadId, bystander.threadId])).toEqual([idle.threadId, bystander.threadId].sort((a, b) => a - b));
    expect(res.body.throttle).toMatchObject({ killAuditId: res.body.kill.auditId, maxConcurrency: 0 });
    // the new ones are refused at once, the others run
    expect(await outcome(idle.query(slow(5)))).toMatchObject({ ok: false, errno: 1317 });
    expect(await outcome(idle.query('SELECT COUNT(*) FROM reports'))).toMatchObject({ ok: true });
    const rows = await h.audit();
    const kill = rows.find((e) => e.id === res.body.kill.auditId)!;
    expect(kill).toMatchObject({ mode: 'preview', status: 'completed' });
    expect(kill.outcomes.map((o) => o.sessionId).sort((a, b) => a - b)).toEqual(ids);
    expect(rows.find((e) => e.mode === 'throttle-create' && e.target.throttle?.throttleId === res.body.throttle.id)?.target.throttle?.killAuditId).toBe(res.body.kill.auditId);

    expect((await op.agent.delete(pathOf(routes.throttle, { instanceId: 'main', throttleId: res.body.throttle.id })).set(CSRF_HEADER, op.csrf)).status).toBe(204);
    expect(await outcome(idle.query(slow(0.1)))).toMatchObject({ ok: true });
  }, 40_000);

  it('a switch job that FAILED is reported with its reason and audited; no rule is created', async () => {
    const state = stack.das.sqlLimit(DAS_INSTANCE_ID)!;
    // turn the switch off behind Quell's back, and make the next job fail
    state.changeSwitch('OFF');
    await eventually(async () => state.isOn(), (on) => !on, 3000);
    state.failNextSwitchJob('instance is read-only');
    const res = await op.agent.post(pathOf(routes.createThrottle, { instanceId: 'main' })).set(CSRF_HEADER, op.csrf).send(throttleBody());
    expect(res.status).toBe(502);
    expect(res.body.error.message).toMatch(/FAILED: instance is read-only/);
    expect(h.rules()).toHaveLength(0);
    const [row] = (await h.audit()).filter((e) => e.mode === 'throttle-create');
    expect(row).toMatchObject({ status: 'failed', error: { code: 'UPSTREAM_ERROR' } });
    expect((await op.agent.get(pathOf(routes.throttles, { instanceId: 'main' }))).body.throttles).toEqual([]);
  }, 20_000);

  it('a BFF restart during a throttle keeps its expiry: the new app removes it at the due time, not before', async () => {
    const created = await op.agent.post(pathOf(routes.createThrottle, { instanceId: 'main' })).set(CSRF_HEADER, op.csrf).send(throttleBody({ durationMinutes: 20 }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await stack.quell.shutdown();
    const stores = openSqliteStores(dataDir);
    const restarted = stack.newApp(stores);
    try {
      expect(await restarted.throttles.sweep()).toBe(0);
      expect(h.rules().map((r) => r.id)).toEqual([created.body.ruleId]);
      expect((await restarted.throttles.list(stack.instances[0]!)).map((t) => t.expiresAt)).toEqual([created.body.expiresAt]);
      stack.clock.offsetMs = 20 * MIN + 1_000;
      await eventually(async () => h.rules().length, (n) => n === 0, 5000);
      // the sweep marks the throttle expired once DAS has removed the rule: just after
      expect(await eventually(async () => (await stores.sqlThrottles.get(created.body.id))?.status, (status) => status === 'expired', 5000)).toBe('expired');
    } finally {
      stack.clock.offsetMs = 0;
      await restarted.shutdown();
      await stores.close();
    }
  }, 30_000);
});

describe('two replicas on one PostgreSQL store', () => {
  let db: TestDatabase;
  let stack: Stack;
  const opened: Array<{ close(): Promise<void> }> = [];
  const pgStores = async (): Promise<Stores> => {
    const pg = await openPostgresStores(db.url);
    const sessions = openSqliteStores(':memory:');
    const s: Stores = { ...pg, loginSessions: sessions.loginSessions, checkWritable: () => pg.checkWritable(), close: async () => {
      await pg.close();
      await sessions.close();
    } };
    opened.push(s);
    return s;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    stack = await startStack({ label: 'thrpg', stores: await pgStores(), sqlLimit: { proxy: { port: 0 }, jobDelayMs: 50 }, throttleOptions: { sweepIntervalMs: 100, jobPollMs: 25 } });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await db?.drop();
  });

  it('remove a due throttle once between them', async () => {
    const op = await stack.login('operator');
    const created = await op.agent.post(pathOf(routes.createThrottle, { instanceId: 'main' })).set(CSRF_HEADER, op.csrf).send(throttleBody());
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const from = stack.dasLines.length;
    const replicaStores = await pgStores();
    const replica = stack.newApp(replicaStores);
    try {
      stack.clock.offsetMs = 15 * MIN + 1_000;
      await Promise.all([replica.throttles.sweep(), stack.quell.throttles.sweep(), replica.throttles.sweep()]);
      await eventually(async () => stack.das.sqlLimit(DAS_INSTANCE_ID)!.listRules().length, (n) => n === 0, 5000);
      await new Promise((r) => setTimeout(r, 500));
      expect(stack.count('DeleteSqlLimitRules', from)).toBe(1);
      const rows = (await stack.stores.audit.list({ limit: 50, offset: 0, instanceId: 'main' })).entries.filter((e) => e.mode === 'throttle-expire');
      expect(rows).toHaveLength(1);
    } finally {
      stack.clock.offsetMs = 0;
      await replica.shutdown();
      await replicaStores.close();
    }
  }, 30_000);
});
