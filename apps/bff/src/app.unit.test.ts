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
import { DasApiError, DasRequestError } from '@quell/das-client/errors';
import { createApp } from './app.ts';
import { PREVIEW_RATE } from './kill/preview-rate.ts';
import { createFileUserDirectory, upsertUser } from './auth/users-file.ts';
import { openSqliteStores } from './stores/sqlite.ts';
import type { DasProcess } from '@quell/das-client/types';
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

/** Seven listed rows as DAS pages them here: three, an empty page, three, one (each page telling the count). */
const inSevenPages = (rows: DasProcess[]) =>
  async function* () {
    yield { offset: 0, processes: rows.slice(0, 3), count: 7 };
    yield { offset: 3, processes: [], count: 7 };
    yield { offset: 3, processes: rows.slice(3, 6), count: 7 };
    yield { offset: 6, processes: rows.slice(6), count: 7 };
  };

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
    t.das.listProcessPages = inSevenPages(rows);
    const res = await t.agent.get(`${pathOf(routes.sessions, { instanceId: 'unit' })}?user=app`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ instanceId: 'unit', count: 7, sessions: rows });
    expect(Date.parse(res.body.fetchedAt)).not.toBeNaN();
  });

  it('the compact listing of several DAS pages decodes to exactly the object listing', async () => {
    const t = await setup();
    const rows = Array.from({ length: 7 }, (_, i) => t.das.add({ user: i % 3 ? 'app' : 'etl', sql: i % 2 ? `SELECT "${i % 4}" \\ ü` : '', command: i % 2 ? 'Query' : 'Sleep' }));
    t.das.listProcessPages = inSevenPages(rows);
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

  it('a commit asks for the pages of its re-check and its verification a few at a time, the last offset first; the preview one at a time, in order', async () => {
    const t = await setup();
    t.das.add({ user: 'app' });
    const p = await t.agent.post(pathOf(routes.killPreviews, { instanceId: 'unit' })).set('X-CSRF-Token', t.csrf).send({ user: 'app' });
    expect(t.das.listingOptions).toEqual([undefined]);
    t.das.listingOptions = [];
    const c = await t.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', t.csrf).set('Idempotency-Key', 'key-pages').send({ reason: 'pages' });
    expect(c.body.summary).toEqual({ killed: 1 });
    expect(t.das.listingOptions).toEqual([{ pagesInFlight: 4, order: 'descending' }, { pagesInFlight: 4, order: 'descending' }]);
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

describe('a commit of several DAS pages (in-memory DAS paging by offset)', () => {
  type Agent = Awaited<ReturnType<typeof setup>>;
  const previewAll = async (t: Agent, body: Record<string, unknown> = { user: 'app' }) => (await t.agent.post(pathOf(routes.killPreviews, { instanceId: 'unit' })).set('X-CSRF-Token', t.csrf).send(body)).body;
  const commit = (t: Agent, previewId: string, key: string) =>
    t.agent.post(pathOf(routes.commitPreview, { previewId })).set('X-CSRF-Token', t.csrf).set('Idempotency-Key', key).send({ reason: 'several pages', confirmInstanceName: 'unit-db' });
  /** The re-check's events: from the commit's first page up to the verification's first page. */
  const recheckEvents = (t: Agent) => {
    const verifyAt = t.das.events.findIndex((e, i) => i > 0 && 'page' in e && e.page === 0);
    return verifyAt < 0 ? t.das.events : t.das.events.slice(0, verifyAt);
  };
  /** Every id killed was shown by a page taken before its kill was sent. */
  const killedOnlyAfterTheirPage = (events: Agent['das']['events']) => {
    const shown = new Set<number>();
    for (const e of events) {
      if ('page' in e) for (const id of e.ids) shown.add(id);
      else for (const id of e.kill) if (!shown.has(id)) return false;
    }
    return true;
  };

  it('re-checks the last page first and kills each page while the pages below it are listed; the first page last; no session skipped', async () => {
    const t = await setup();
    for (let i = 0; i < 400; i++) t.das.add({ user: 'app' });
    const p = await previewAll(t);
    expect(p.targets).toHaveLength(400);
    t.das.calls = [];
    t.das.events = [];
    const c = await commit(t, p.previewId, 'key-pages-down');
    expect(c.status).toBe(200);
    expect(c.body.summary).toEqual({ killed: 400 });
    expect(t.das.sessions).toEqual([]);
    const ids = p.targets.map((s: { id: number }) => s.id);
    const events = recheckEvents(t);
    expect(killedOnlyAfterTheirPage(events)).toBe(true);
    // Each page's kill (a full chunk) goes out before the page below it is asked for; the first page's after every other page.
    expect(events).toEqual([
      { page: 0, ids: ids.slice(0, 100) },
      { page: 300, ids: ids.slice(300) },
      { kill: ids.slice(300) },
      { page: 200, ids: ids.slice(200, 300) },
      { kill: ids.slice(200, 300) },
      { page: 100, ids: ids.slice(100, 200) },
      { kill: ids.slice(100, 200) },
      { kill: ids.slice(0, 100) },
    ]);
    // Killing from the top never shifted a page still to come: no target was missing, so no second listing.
    expect(t.das.calls).toEqual(['ListProcesses', 'DeleteProcess', 'DeleteProcess', 'DeleteProcess', 'DeleteProcess', 'ListProcesses']);
    const entry = await t.stores.audit.get(c.body.auditId);
    expect(entry).toMatchObject({ status: 'completed', outcomes: c.body.outcomes, dasRequestIds: c.body.dasRequestIds });
    expect(c.body.outcomes.map((o: { sessionId: number }) => o.sessionId)).toEqual(ids);
  });

  it('a session changed or now protected since the preview, on any page, is skipped; the others are killed', async () => {
    const t = await setup();
    for (let i = 0; i < 250; i++) t.das.add({ user: 'app' });
    const p = await previewAll(t);
    const [changed, nowProtected, firstPage] = [t.das.sessions[230]!, t.das.sessions[140]!, t.das.sessions[5]!];
    changed.host = 'localhost:4999';
    nowProtected.command = 'Binlog Dump';
    firstPage.database = 'other';
    t.das.events = [];
    const c = await commit(t, p.previewId, 'key-pages-changed');
    expect(c.body.summary).toEqual({ killed: 247, 'changed-skipped': 3 });
    const skipped = c.body.outcomes.filter((o: { outcome: string }) => o.outcome === 'changed-skipped').map((o: { sessionId: number }) => o.sessionId);
    expect(skipped.sort()).toEqual([changed.id, nowProtected.id, firstPage.id].sort());
    expect(t.das.events.flatMap((e) => ('kill' in e ? e.kill : []))).not.toEqual(expect.arrayContaining([changed.id]));
    expect(t.das.events.flatMap((e) => ('kill' in e ? e.kill : [])).filter((id) => skipped.includes(id))).toEqual([]);
    expect(t.das.sessions.map((s) => s.id).sort()).toEqual(skipped.sort());
    expect(killedOnlyAfterTheirPage(recheckEvents(t))).toBe(true);
  });

  it('a target the paging skipped in the re-check is asked for again once the first kills are answered, and then killed', async () => {
    const t = await setup();
    for (let i = 0; i < 250; i++) t.das.add({ user: 'app' });
    const p = await previewAll(t);
    const skipped = t.das.sessions[150]!;
    t.das.skippedByPaging.set(skipped.id, 1);
    t.das.calls = [];
    t.das.events = [];
    const c = await commit(t, p.previewId, 'key-pages-skipped');
    expect(c.body.summary).toEqual({ killed: 250 });
    expect(t.das.sessions).toEqual([]);
    // re-check (its kills), the second listing, the kill of what it found, verification
    expect(t.das.calls).toEqual(['ListProcesses', 'DeleteProcess', 'DeleteProcess', 'DeleteProcess', 'ListProcesses', 'DeleteProcess', 'ListProcesses']);
    const kills = t.das.events.filter((e) => 'kill' in e);
    expect(kills.at(-1)).toEqual({ kill: [skipped.id] });
    expect(kills.slice(0, -1).flatMap((e) => e.kill)).not.toContain(skipped.id);
  });

  it('pages that tell no count come in offset order: no kill is sent before the last page has come', async () => {
    const t = await setup();
    for (let i = 0; i < 250; i++) t.das.add({ user: 'app' });
    const p = await previewAll(t);
    const paged = t.das.listProcessPages.bind(t.das);
    // A DAS without `count`: the client goes on ascending (ListingOptions.order), which a kill would shift.
    t.das.listProcessPages = async function* (params, options) {
      for await (const page of paged(params, { ...options, order: 'ascending' })) yield { ...page, count: undefined };
    };
    t.das.events = [];
    const c = await commit(t, p.previewId, 'key-pages-no-count');
    expect(c.body.summary).toEqual({ killed: 250 });
    const events = recheckEvents(t);
    expect(events.map((e) => ('page' in e ? `page ${e.page}` : 'kill'))).toEqual(['page 0', 'page 100', 'page 200', 'kill', 'kill', 'kill']);
  });

  it('a listing that fails part-way: what its pages re-checked before was killed and verified, nothing else; the audit says so', async () => {
    const t = await setup();
    for (let i = 0; i < 400; i++) t.das.add({ user: 'app' });
    const p = await previewAll(t);
    const ids: number[] = p.targets.map((s: { id: number }) => s.id);
    const paged = t.das.listProcessPages.bind(t.das);
    let listings = 0;
    t.das.listProcessPages = async function* (params, options) {
      const failing = listings++ === 0;
      for await (const page of paged(params, options)) {
        if (failing && page.offset === 200) throw new DasApiError({ operation: 'ListProcesses', httpStatus: 500, errorCode: 'DAS.200001', errorMsg: 'internal error', requestId: 'req-failed-page', kind: 'das', retryable: false });
        yield page;
      }
    };
    const c = await commit(t, p.previewId, 'key-pages-fail');
    expect(c.status).toBe(200);
    expect(c.body.summary).toEqual({ killed: 100, failed: 300 });
    expect(c.body.outcomes.filter((o: { outcome: string }) => o.outcome === 'killed').map((o: { sessionId: number }) => o.sessionId)).toEqual(ids.slice(300));
    expect(c.body.outcomes.find((o: { outcome: string }) => o.outcome === 'failed').error).toMatchObject({ httpStatus: 500, errorCode: 'DAS.200001', dasRequestId: 'req-failed-page' });
    expect(t.das.sessions.map((s) => s.id)).toEqual(ids.slice(0, 300));
    expect(c.body.dasRequestIds).toContain('req-failed-page');
    const entry = await t.stores.audit.get(c.body.auditId);
    expect(entry).toMatchObject({ status: 'failed', outcomes: c.body.outcomes, error: { code: 'UPSTREAM_ERROR', message: expect.stringMatching(/could not all be listed again/) } });
  });
});
