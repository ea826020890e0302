// createApp with an in-memory DAS: rules that need failure injection inside Quell itself.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { pathOf, routes } from '@quell/contracts/routes';
import { decodeSessionColumns } from '@quell/contracts/session-columns';
import { DasRequestError } from '@quell/das-client/errors';
import { createApp } from './app.ts';
import { PREVIEW_RATE } from './kill/preview-rate.ts';
import { createFileUserDirectory, upsertUser } from './auth/users-file.ts';
import { openSqliteStores } from './stores/sqlite.ts';
import { FakeDas, FAKE_INSTANCE as instance } from '../test/fake-das.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(cookieSecure = false) {
  const dir = mkdtempSync(path.join(tmpdir(), 'quell-unit-'));
  const usersFile = path.join(dir, 'users.json');
  await upsertUser(usersFile, 'op', 'operator password', 'operator');
  await upsertUser(usersFile, 'vi', 'viewer password', 'viewer');
  const das = new FakeDas();
  const stores = openSqliteStores(':memory:');
  const quell = createApp({
    config: { instances: [instance, { ...instance, id: 'nouser', name: 'nouser-db', dbUserId: undefined }], sessionSecret: randomBytes(32).toString('hex'), webDist: path.join(dir, 'none'), cookieSecure, sessionIdleMinutes: 30, trustProxy: false },
    das: () => das,
    stores,
    users: createFileUserDirectory(usersFile),
    killOptions: { verifyDelayMs: 1 },
  });
  const server = quell.app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(async () => {
    await quell.shutdown();
    await new Promise<void>((r) => server.close(() => r()));
    await stores.close();
  });
  const agent = request.agent(url);
  const login = await agent.post(pathOf(routes.login)).send({ username: 'op', password: 'operator password' });
  return { das, stores, quell, url, agent, login, csrf: login.body.csrfToken as string };
}

describe('createApp (in-memory DAS)', () => {
  it('input the DAS client refuses before sending is a 400 naming the field, not a 500', async () => {
    const t = await setup();
    t.das.listProcesses = async () => {
      throw new DasRequestError('ListProcesses', [{ path: 'user', message: 'must be at most 32 characters' }]);
    };
    const res = await t.agent.get(`${pathOf(routes.sessions, { instanceId: 'unit' })}?user=app`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues).toEqual([{ field: 'user', message: 'must be at most 32 characters' }]);
    expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
  });

  it('a listing of several DAS pages is one answer: every row in page order, the count, the instance', async () => {
    const t = await setup();
    const rows = Array.from({ length: 7 }, (_, i) => t.das.add({ user: 'app', sql: i % 2 ? `SELECT "${i}" \\ ü` : '' }));
    t.das.listProcessPages = async function* () {
      yield rows.slice(0, 3);
      yield [];
      yield rows.slice(3, 6);
      yield rows.slice(6);
    };
    const res = await t.agent.get(`${pathOf(routes.sessions, { instanceId: 'unit' })}?user=app`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ instanceId: 'unit', count: 7, sessions: rows });
    expect(Date.parse(res.body.fetchedAt)).not.toBeNaN();
  });

  it('the compact listing of several DAS pages decodes to exactly the object listing', async () => {
    const t = await setup();
    const rows = Array.from({ length: 7 }, (_, i) => t.das.add({ user: i % 3 ? 'app' : 'etl', sql: i % 2 ? `SELECT "${i % 4}" \\ ü` : '', command: i % 2 ? 'Query' : 'Sleep' }));
    t.das.listProcessPages = async function* () {
      yield rows.slice(0, 3);
      yield [];
      yield rows.slice(3, 6);
      yield rows.slice(6);
    };
    const objects = await t.agent.get(`${pathOf(routes.sessions, { instanceId: 'unit' })}?user=app`);
    const compact = await t.agent.get(`${pathOf(routes.sessionColumns, { instanceId: 'unit' })}?user=app`);
    expect(compact.status).toBe(200);
    expect(compact.headers['content-type']).toMatch(/^application\/json/);
    expect(compact.body.columns.id).toEqual(rows.map((r) => r.id));
    expect(new Set(compact.body.strings).size).toBe(compact.body.strings.length);
    const decoded = decodeSessionColumns(compact.body);
    expect(decoded).toEqual({ ok: true, value: { ...objects.body, fetchedAt: compact.body.fetchedAt } });
    expect(objects.body.sessions).toEqual(rows);
  });

  it('under test, an answer that breaks its route response schema is a 500 (a DAS row with a fractional id)', async () => {
    const t = await setup();
    t.das.add({ user: 'app', id: 1.5 });
    const res = await t.agent.get(`${pathOf(routes.sessions, { instanceId: 'unit' })}?user=app`);
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL');
    const compact = await t.agent.get(`${pathOf(routes.sessionColumns, { instanceId: 'unit' })}?user=app`);
    expect(compact.status).toBe(500);
    expect(compact.body.error.code).toBe('INTERNAL');
  });

  it('nothing is sent to DAS when the audit intent cannot be written', async () => {
    const t = await setup();
    const s = t.das.add({ user: 'app' });
    const p = await t.agent.post(pathOf(routes.killPreviews, { instanceId: 'unit' })).set('X-CSRF-Token', t.csrf).send({ user: 'app' });
    expect(p.body.targets.map((x: { id: number }) => x.id)).toEqual([s.id]);
    t.stores.audit.appendIntent = async () => {
      throw new Error('disk full');
    };
    t.das.calls = [];
    const c = await t.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', t.csrf).set('Idempotency-Key', 'key-audit-fail').send({ reason: 'audit down' });
    expect(c.status).toBe(500);
    expect(c.body.error.code).toBe('INTERNAL');
    expect(t.das.calls).not.toContain('DeleteProcess');
    expect(t.das.sessions.map((x) => x.id)).toEqual([s.id]);
    expect(await t.quell.metrics.registry.getSingleMetricAsString('quell_audit_write_failures_total')).toMatch(/quell_audit_write_failures_total 1/);
  });

  it('a failed outcome write leaves the row pending (unknown after restart) and still answers', async () => {
    const t = await setup();
    const s = t.das.add({ user: 'app' });
    const p = await t.agent.post(pathOf(routes.killPreviews, { instanceId: 'unit' })).set('X-CSRF-Token', t.csrf).send({ user: 'app' });
    t.stores.audit.recordOutcome = async () => {
      throw new Error('disk full');
    };
    const c = await t.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', t.csrf).set('Idempotency-Key', 'key-outcome-fail').send({ reason: 'outcome down' });
    expect(c.status).toBe(200);
    expect(c.body.outcomes).toEqual([expect.objectContaining({ sessionId: s.id, outcome: 'killed' })]);
    expect((await t.stores.audit.get(c.body.auditId))?.status).toBe('pending');
    expect(await t.stores.audit.markPendingUnknown(new Date().toISOString())).toBe(1);
    expect((await t.stores.audit.get(c.body.auditId))?.status).toBe('unknown');
  });

  it('a commit asks for the pages of its re-check and its verification a few at a time; the preview one at a time', async () => {
    const t = await setup();
    t.das.add({ user: 'app' });
    const p = await t.agent.post(pathOf(routes.killPreviews, { instanceId: 'unit' })).set('X-CSRF-Token', t.csrf).send({ user: 'app' });
    expect(t.das.listingOptions).toEqual([undefined]);
    t.das.listingOptions = [];
    const c = await t.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', t.csrf).set('Idempotency-Key', 'key-pages').send({ reason: 'pages' });
    expect(c.body.summary).toEqual({ killed: 1 });
    expect(t.das.listingOptions).toEqual([{ pagesInFlight: 4 }, { pagesInFlight: 4 }]);
  });

  it('a named session that the paging of a listing of several pages skipped once is still previewed and killed (preview and re-check ask again)', async () => {
    const t = await setup();
    for (let i = 0; i < 150; i++) t.das.add({ user: 'app' });
    const target = t.das.sessions[120]!;
    t.das.skippedByPaging.set(target.id, 1);
    const p = await t.agent.post(pathOf(routes.killPreviews, { instanceId: 'unit' })).set('X-CSRF-Token', t.csrf).send({ user: 'app', sessionIds: [target.id] });
    expect(p.body.targets.map((s: { id: number }) => s.id)).toEqual([target.id]);
    t.das.skippedByPaging.set(target.id, 1);
    t.das.calls = [];
    const c = await t.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', t.csrf).set('Idempotency-Key', 'key-skipped').send({ reason: 'skipped by paging' });
    expect(c.body.outcomes).toEqual([expect.objectContaining({ sessionId: target.id, outcome: 'killed' })]);
    expect(t.das.sessions).toHaveLength(149);
    // re-check, re-check again, kill, verify
    expect(t.das.calls).toEqual(['ListProcesses', 'ListProcesses', 'DeleteProcess', 'ListProcesses']);
  });

  it('a listing of one page needs no second one: a session missing from it is gone', async () => {
    const t = await setup();
    const target = t.das.add({ user: 'app' });
    for (let i = 0; i < 10; i++) t.das.add({ user: 'app' });
    const p = await t.agent.post(pathOf(routes.killPreviews, { instanceId: 'unit' })).set('X-CSRF-Token', t.csrf).send({ user: 'app', sessionIds: [target.id] });
    t.das.sessions = t.das.sessions.filter((s) => s.id !== target.id);
    t.das.calls = [];
    const c = await t.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', t.csrf).set('Idempotency-Key', 'key-one-page').send({ reason: 'gone' });
    expect(c.body.outcomes).toEqual([expect.objectContaining({ sessionId: target.id, outcome: 'gone-before-kill' })]);
    expect(t.das.calls).toEqual(['ListProcesses']);
  });

  it('replays a finished key even after its preview is gone, without calling DAS', async () => {
    const t = await setup();
    for (let i = 0; i < 5; i++) t.das.add({ user: 'app' });
    const p = await t.agent.post(pathOf(routes.killPreviews, { instanceId: 'unit' })).set('X-CSRF-Token', t.csrf).send({ user: 'app' });
    const first = await t.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', t.csrf).set('Idempotency-Key', 'key-replay-1').send({ reason: 'replay' });
    expect(first.body.summary).toEqual({ killed: 5 });
    (t.stores as unknown as { db: { prepare(s: string): { run(): void } } }).db.prepare('DELETE FROM previews').run();
    t.das.calls = [];
    const again = await t.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', t.csrf).set('Idempotency-Key', 'key-replay-1').send({ reason: 'replay' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(t.das.calls).toEqual([]);
  });

  it('an instance without a registered db user answers 409 (admins can still register one)', async () => {
    const t = await setup();
    const r = await t.agent.get(`${pathOf(routes.sessions, { instanceId: 'nouser' })}?user=app`);
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/dbUserId/);
    expect(t.das.calls).not.toContain('ListProcesses');
  });

  it('marks the cookie Secure and sends HSTS when configured; unknown non-API routes get the error shape', async () => {
    const t = await setup(true);
    expect(String(t.login.headers['set-cookie'])).toMatch(/; Secure/);
    expect(t.login.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    const r = await request(t.url).post('/nowhere');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });

  it('10,000 unknown ids: a count and a sample of 20 in the preview, its stored copy and the audit; every answer stays small', async () => {
    const t = await setup();
    const s = t.das.add({ user: 'app' });
    const unknown = Array.from({ length: 9_999 }, (_, i) => 2_000_000 + i);
    const p = await t.agent.post(pathOf(routes.killPreviews, { instanceId: 'unit' })).set('X-CSRF-Token', t.csrf).send({ user: 'app', sessionIds: [s.id, ...unknown] });
    expect(p.status).toBe(201);
    expect(p.body.targets.map((x: { id: number }) => x.id)).toEqual([s.id]);
    expect(p.body.notFoundCount).toBe(9_999);
    const notFound = p.body.excluded.filter((e: { reason: string }) => e.reason === 'not-found');
    expect(notFound.map((e: { sessionId: number }) => e.sessionId)).toEqual(unknown.slice(0, 20));
    expect(p.text.length).toBeLessThan(20_000);
    const stored = await t.stores.previews.get(p.body.previewId);
    expect(stored?.notFoundCount).toBe(9_999);
    expect(JSON.stringify(stored).length).toBeLessThan(20_000);
    const c = await t.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', t.csrf).set('Idempotency-Key', 'key-not-found').send({ reason: 'unknown ids' });
    expect(c.status).toBe(200);
    expect(c.body.summary).toEqual({ killed: 1 });
    expect(c.text.length).toBeLessThan(20_000);
    const entry = await t.stores.audit.get(c.body.auditId);
    expect(entry?.notFoundCount).toBe(9_999);
    expect(entry?.excluded.filter((e) => e.reason === 'not-found')).toHaveLength(20);
    expect(JSON.stringify(entry).length).toBeLessThan(20_000);
  });

  it('GET /api/audit?limit=500 stays small however large the rows are; nextOffset pages through every row once', async () => {
    const t = await setup();
    // ~100 kB of excluded entries per row (rows written before not-found ids were bounded can be this large).
    const excluded = Array.from({ length: 1_500 }, (_, i) => ({ sessionId: i, reason: 'not-found' as const, explanation: 'no session with this id matches the filter' }));
    const at = new Date().toISOString();
    for (let i = 0; i < 40; i++) {
      await t.stores.audit.appendRefusal({ id: `big-${i}`, at, actor: 'op', role: 'operator', instanceId: 'unit', mode: 'blind', target: { sessionIds: [i] }, reason: 'bloat', excluded, idempotencyKey: null }, { code: 'VALIDATION_FAILED', message: 'x' }, at);
    }
    const first = await t.agent.get(pathOf(routes.audit)).query({ limit: 500 });
    expect(first.status).toBe(200);
    expect(first.text.length).toBeLessThan(1_200_000);
    expect(first.body.total).toBe(40);
    expect(first.body.entries.length).toBeGreaterThan(0);
    expect(first.body.entries.length).toBeLessThan(40);
    expect(first.body.nextOffset).toBe(first.body.entries.length);
    const seen: string[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const page = await t.agent.get(pathOf(routes.audit)).query({ limit: 500, offset });
      expect(page.text.length).toBeLessThan(1_200_000);
      seen.push(...page.body.entries.map((e: { id: string }) => e.id));
      offset = page.body.nextOffset;
    }
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => `big-${39 - i}`));
  });

  it('a viewer creating previews in a loop is slowed down (429 with Retry-After) without reaching DAS; others are not', async () => {
    const t = await setup();
    t.das.add({ user: 'app' });
    const viewer = request.agent(t.url);
    const login = await viewer.post(pathOf(routes.login)).send({ username: 'vi', password: 'viewer password' });
    const csrf = login.body.csrfToken as string;
    const statuses: number[] = [];
    for (let i = 0; i < PREVIEW_RATE.max; i++) statuses.push((await viewer.post(pathOf(routes.killPreviews, { instanceId: 'unit' })).set('X-CSRF-Token', csrf).send({ user: 'app' })).status);
    expect(statuses).toEqual(Array.from({ length: PREVIEW_RATE.max }, () => 201));
    t.das.calls = [];
    const refused = await viewer.post(pathOf(routes.killPreviews, { instanceId: 'unit' })).set('X-CSRF-Token', csrf).send({ user: 'app' });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(PREVIEW_RATE.windowMs / 1000);
    expect(t.das.calls).toEqual([]);
    const other = await t.agent.post(pathOf(routes.killPreviews, { instanceId: 'unit' })).set('X-CSRF-Token', t.csrf).send({ user: 'app' });
    expect(other.status).toBe(201);
  });
});
