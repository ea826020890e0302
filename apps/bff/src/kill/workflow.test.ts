// The kill workflow end to end: BFF → das-local → real MariaDB sessions opened by this test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eventually } from '@quell/test-kit/eventually';
import { startStack, type Stack } from '@quell/test-kit/stack';
import { pathOf, routes } from '@quell/contracts/routes';

let h: Stack;

beforeAll(async () => {
  h = await startStack({
    killOptions: { chunkSize: 2 },
    extraInstances: (base) => [
      { ...base, id: 'capped', name: 'capped-db', blastRadiusCap: 1 },
      { ...base, id: 'hosts', name: 'hosts-db', protectedHosts: ['localhost', '127.0.0.1'] },
    ],
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function preview(agent: Awaited<ReturnType<Stack['login']>>, instance: string, body: Record<string, unknown>) {
  return agent.agent.post(pathOf(routes.killPreviews, { instanceId: instance })).set('X-CSRF-Token', agent.csrf).send(body);
}
async function commit(agent: Awaited<ReturnType<Stack['login']>>, previewId: string, body: Record<string, unknown>, key: string = randomUUID()) {
  return agent.agent.post(pathOf(routes.commitPreview, { previewId })).set('X-CSRF-Token', agent.csrf).set('Idempotency-Key', key).send(body);
}

describe('preview → commit', () => {
  it('kills exactly the previewed sessions, verified, and leaves the others alive', async () => {
    const op = await h.login('operator');
    const targets = [await h.open(h.accounts.app, h.db1), await h.open(h.accounts.app, h.db1)];
    const bystanders = [await h.open(h.accounts.oth, h.db1), await h.open(h.accounts.app, h.db2)];
    const p = await preview(op, 'main', { user: h.accounts.app.user, database: h.db1 });
    expect(p.status).toBe(201);
    expect(p.body.targets.map((s: { id: number }) => s.id).sort()).toEqual(targets.map((t) => t.id).sort());
    expect(p.body.requiresTypedConfirmation).toBe(false);
    expect(Date.parse(p.body.expiresAt) - Date.parse(p.body.createdAt)).toBe(60_000);

    const c = await commit(op, p.body.previewId, { reason: 'runaway sessions in test' });
    expect(c.status).toBe(200);
    expect(c.body.verification).toBe('verified');
    expect(c.body.summary).toEqual({ killed: 2 });
    expect(c.body.dasRequestIds.length).toBeGreaterThan(0);
    expect(await eventually(() => h.aliveIds(targets.map((t) => t.id)), (v) => v.length === 0)).toEqual([]);
    expect(await h.aliveIds(bystanders.map((b) => b.id))).toEqual(bystanders.map((b) => b.id).sort((a, b) => a - b));

    const audit = await op.agent.get(`${pathOf(routes.audit)}?instanceId=main`);
    const entry = audit.body.entries.find((e: { id: string }) => e.id === c.body.auditId);
    expect(entry.status).toBe('completed');
    expect(entry.actor).toBe('operator-user');
    expect(entry.reason).toBe('runaway sessions in test');
    expect(entry.outcomes.map((o: { outcome: string }) => o.outcome)).toEqual(['killed', 'killed']);
    const metrics = await h.quell.metrics.registry.getSingleMetricAsString('quell_sessions_killed_total');
    expect(metrics).toContain('quell_sessions_killed_total{instance="main",mode="preview"} 2');
  });
});

type Agent = Awaited<ReturnType<Stack['login']>>;

describe('what a stored preview keeps', () => {
  it('the preview answer shows the SQL, the stored preview does not, and a committed preview is purged', async () => {
    const op = await h.login('operator');
    const s = await h.open(h.accounts.app, h.db2);
    const secret = `not-for-the-disk-${h.prefix}`;
    void s.conn.query(`SELECT '${secret}', SLEEP(20)`).catch(() => undefined);
    await eventually(async () => (await op.agent.get(pathOf(routes.sessions, { instanceId: 'main' })).query({ user: h.accounts.app.user })).body.sessions, (ss: Array<{ sql: string }>) => ss.some((x) => x.sql.includes(secret)));
    const p = await preview(op, 'main', { user: h.accounts.app.user, sessionIds: [s.id] });
    expect(p.body.targets[0].sql).toContain(secret);
    const stored = await h.stores.previews.get(p.body.previewId);
    expect(stored?.targets.map((t) => t.session.id)).toEqual([s.id]);
    expect(JSON.stringify(stored)).not.toContain(secret);
    const key = randomUUID();
    const c = await commit(op, p.body.previewId, { reason: 'purge test' }, key);
    expect(c.body.summary).toEqual({ killed: 1 });
    // Purged once the commit is past the cut-off; the same key still replays without the preview.
    expect(await h.stores.previews.purge(new Date(Date.now() + 1000).toISOString())).toBeGreaterThanOrEqual(1);
    expect(await h.stores.previews.get(p.body.previewId)).toBeUndefined();
    const replay = await commit(op, p.body.previewId, { reason: 'purge test' }, key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(c.body);
  });
});

describe('who previewed and who committed', () => {
  it('the audit records both the maker of the preview and the operator who committed it', async () => {
    const viewer = await h.login('viewer');
    const op = await h.login('operator');
    const s = await h.open(h.accounts.app, h.db2);
    const p = await preview(viewer, 'main', { user: h.accounts.app.user, sessionIds: [s.id] });
    expect(p.status).toBe(201);
    const c = await commit(op, p.body.previewId, { reason: 'committed for the viewer' });
    expect(c.status).toBe(200);
    const again = await commit(op, p.body.previewId, { reason: 'refused: already committed' });
    expect(again.status).toBe(409);
    const rows = (await auditEntries(op)).filter((e) => e.previewId === p.body.previewId);
    expect(rows.map((r) => [r.status, r.actor, r.previewCreatedBy]).sort()).toEqual([
      ['completed', 'operator-user', 'viewer-user'],
      ['failed', 'operator-user', 'viewer-user'],
    ]);
  });
});

describe('a busy session', () => {
  it('looping short queries is killed through preview → commit, even more than 3 s later', async () => {
    const op = await h.login('operator');
    const busy = await h.open(h.accounts.app, h.db1);
    const bystanders = [await h.open(h.accounts.app, h.db1), await h.open(h.accounts.oth, h.db1)];
    let looping = true;
    const loop = (async () => {
      while (looping) await busy.conn.query('SELECT SLEEP(0.05)');
    })().catch(() => undefined);
    try {
      const p = await preview(op, 'main', { user: h.accounts.app.user, database: h.db1, sessionIds: [busy.id] });
      expect(p.body.targets.map((t: { id: number }) => t.id)).toEqual([busy.id]);
      await new Promise((r) => setTimeout(r, 3_500));
      const c = await commit(op, p.body.previewId, { reason: 'runaway loop' });
      expect(c.status).toBe(200);
      expect(c.body.outcomes).toMatchObject([{ sessionId: busy.id, outcome: 'killed' }]);
      expect(await eventually(() => h.aliveIds([busy.id]), (v) => v.length === 0)).toEqual([]);
      expect(await h.aliveIds(bystanders.map((b) => b.id))).toEqual(bystanders.map((b) => b.id).sort((a, b) => a - b));
    } finally {
      looping = false;
      await loop;
    }
  });
});


const ids = (xs: Array<{ id: number }>) => xs.map((x) => x.id).sort((a, b) => a - b);
async function auditEntries(agent: Agent, query = '') {
  const r = await agent.agent.get(`${pathOf(routes.audit)}?limit=500${query}`);
  expect(r.status).toBe(200);
  return r.body.entries as Array<Record<string, any>>;
}

describe('idempotency', () => {
  it('the same key twice (also concurrently) kills once and returns the first result', async () => {
    const op = await h.login('operator');
    const s = [await h.open(h.accounts.app, h.db1), await h.open(h.accounts.app, h.db1), await h.open(h.accounts.app, h.db1)];
    const p = await preview(op, 'main', { user: h.accounts.app.user, database: h.db1, sessionIds: s.map((x) => x.id) });
    expect(ids(p.body.targets)).toEqual(ids(s));
    const key = `dbl-${randomUUID()}`;
    const [a, b] = await Promise.all([commit(op, p.body.previewId, { reason: 'double click' }, key), commit(op, p.body.previewId, { reason: 'double click' }, key)]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.auditId).toBe(a.body.auditId);
    const c = await commit(op, p.body.previewId, { reason: 'double click' }, key);
    expect(c.status).toBe(200);
    expect(c.headers['idempotent-replayed']).toBe('true');
    expect(c.body).toEqual(a.body);
    expect(a.body.summary).toEqual({ killed: 3 });
    const rows = (await auditEntries(op)).filter((e) => e.idempotencyKey === key);
    expect(rows).toHaveLength(1);
    // two chunks of at most 2 ids → two DAS request ids
    expect(rows[0]!.dasRequestIds).toHaveLength(2);
  });

  it('the same preview with another key is refused with 409 and audited', async () => {
    const op = await h.login('operator');
    const s = await h.open(h.accounts.app, h.db1);
    const p = await preview(op, 'main', { user: h.accounts.app.user, sessionIds: [s.id] });
    expect((await commit(op, p.body.previewId, { reason: 'first' })).status).toBe(200);
    const again = await commit(op, p.body.previewId, { reason: 'second' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    const rows = (await auditEntries(op)).filter((e) => e.previewId === p.body.previewId);
    expect(rows.map((r) => r.status).sort()).toEqual(['completed', 'failed']);
  });
});

describe('idempotency of broad and blind kills', () => {
  const kill = (ad: Agent, mode: 'broad' | 'blind', body: Record<string, unknown>, key?: string) => {
    const r = ad.agent.post(pathOf(mode === 'broad' ? routes.broadKills : routes.blindKills, { instanceId: 'main' })).set('X-CSRF-Token', ad.csrf);
    return (key === undefined ? r : r.set('Idempotency-Key', key)).send(body);
  };

  it('a broad kill without an Idempotency-Key is a 400 naming the header, and kills nothing', async () => {
    const ad = await h.login('admin');
    const s = await h.open(h.accounts.oth, h.db2);
    for (const mode of ['broad', 'blind'] as const) {
      const body = mode === 'broad' ? { user: h.accounts.oth.user, database: h.db2, reason: 'no key', confirmInstanceName: 'main-db' } : { sessionIds: [s.id], reason: 'no key' };
      const r = await kill(ad, mode, body);
      expect(r.status).toBe(400);
      expect(r.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual(['headers.idempotency-key']);
      const bad = await kill(ad, mode, body, 'short');
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual(['headers.idempotency-key']);
    }
    expect(await h.aliveIds([s.id])).toEqual([s.id]);
  });

  it.each(['broad', 'blind'] as const)('a double %s submit with the same key kills once, records the key and replays the first result', async (mode) => {
    const ad = await h.login('admin');
    const s = [await h.open(h.accounts.oth, h.db2), await h.open(h.accounts.oth, h.db2)];
    const body = mode === 'broad' ? { user: h.accounts.oth.user, database: h.db2, reason: 'double submit', confirmInstanceName: 'main-db' } : { sessionIds: s.map((x) => x.id), reason: 'double submit' };
    const key = `${mode}-${randomUUID()}`;
    const [a, b] = await Promise.all([kill(ad, mode, body, key), kill(ad, mode, body, key)]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.auditId).toBe(a.body.auditId);
    expect(await eventually(() => h.aliveIds(s.map((x) => x.id)), (v) => v.length === 0)).toEqual([]);
    const again = await kill(ad, mode, body, key);
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(a.body);
    const rows = (await auditEntries(ad)).filter((e) => e.idempotencyKey === key);
    expect(rows.map((r) => [r.id, r.mode, r.status])).toEqual([[a.body.auditId, mode, 'completed']]);
    // The same key for another target is a different request.
    const other = await kill(ad, mode, mode === 'broad' ? { ...body, database: h.db1 } : { ...body, sessionIds: [2147483001] }, key);
    expect(other.status).toBe(409);
  });
});

describe('drift', () => {
  it('a session that switched database or was replaced is reported and not killed', async () => {
    const op = await h.login('operator');
    const switcher = await h.open(h.accounts.app, h.db1);
    const replaced = await h.open(h.accounts.app, h.db1);
    const stable = await h.open(h.accounts.app, h.db1);
    const p = await preview(op, 'main', { user: h.accounts.app.user, database: h.db1, sessionIds: [switcher.id, replaced.id, stable.id] });
    expect(ids(p.body.targets)).toEqual(ids([switcher, replaced, stable]));
    await switcher.conn.query(`USE \`${h.db2}\``);
    replaced.conn.destroy();
    await eventually(() => h.aliveIds([replaced.id]), (v) => v.length === 0);
    const newcomer = await h.open(h.accounts.app, h.db1);
    const c = await commit(op, p.body.previewId, { reason: 'drift test' });
    expect(c.status).toBe(200);
    const byId = Object.fromEntries(c.body.outcomes.map((o: { sessionId: number; outcome: string }) => [o.sessionId, o.outcome]));
    expect(byId).toEqual({ [switcher.id]: 'changed-skipped', [replaced.id]: 'gone-before-kill', [stable.id]: 'killed' });
    expect(await h.aliveIds([switcher.id, newcomer.id])).toEqual(ids([switcher, newcomer]));
    expect(await eventually(() => h.aliveIds([stable.id]), (v) => v.length === 0)).toEqual([]);
  });
});

describe('protected sessions are never killed', () => {
  it('preview excludes the protected user, the DAS user and protected hosts with reasons', async () => {
    const op = await h.login('operator');
    const backup = await h.open(h.accounts.backup, h.db1);
    const dasOwn = await h.open(h.accounts.das);
    const victim = await h.open(h.accounts.oth, h.db1);
    const secretSql = `SELECT 'not-for-the-audit-${h.prefix}', SLEEP(20)`;
    void backup.conn.query(secretSql).catch(() => undefined);
    await eventually(async () => (await op.agent.get(`${pathOf(routes.sessions, { instanceId: 'main' })}?user=${h.accounts.backup.user}`)).body.sessions, (ss: Array<{ sql: string }>) => ss.some((x) => x.sql.includes('not-for-the-audit')));
    const p = await preview(op, 'main', { database: h.db1 });
    const excluded = Object.fromEntries(p.body.excluded.map((e: { sessionId: number; reason: string }) => [e.sessionId, e.reason]));
    expect(excluded[backup.id]).toBe('protected-user');
    expect(p.body.targets.map((t: { id: number }) => t.id)).toContain(victim.id);
    expect(p.body.targets.map((t: { id: number }) => t.id)).not.toContain(backup.id);
    const pd = await preview(op, 'main', { user: h.accounts.das.user });
    expect(pd.body.targets).toEqual([]);
    expect(pd.body.excluded.find((e: { sessionId: number }) => e.sessionId === dasOwn.id)?.reason).toBe('das-user');
    const ph = await preview(op, 'hosts', { database: h.db1 });
    expect(ph.body.targets).toEqual([]);
    expect(ph.body.excluded.find((e: { sessionId: number }) => e.sessionId === victim.id)?.reason).toBe('protected-host');
    const c = await commit(op, p.body.previewId, { reason: 'protected test', confirmInstanceName: 'main-db' });
    expect(c.status).toBe(200);
    expect(c.body.outcomes.map((o: { sessionId: number }) => o.sessionId)).not.toContain(backup.id);
    expect(await h.aliveIds([backup.id, dasOwn.id])).toEqual(ids([backup, dasOwn]));
    const entry = (await auditEntries(op)).find((e) => e.id === c.body.auditId)!;
    expect(entry.excluded.find((e: { sessionId: number }) => e.sessionId === backup.id).reason).toBe('protected-user');
    expect(JSON.stringify(entry)).not.toContain('not-for-the-audit');
    expect((await op.agent.get(pathOf(routes.auditCsv))).text).not.toContain('not-for-the-audit');
  });

  it('broad mode refuses a protected user, and a filter that matches protected sessions', async () => {
    const ad = await h.login('admin');
    const backup = await h.open(h.accounts.backup, h.db1);
    const r1 = await ad.agent.post(pathOf(routes.broadKills, { instanceId: 'main' })).set('X-CSRF-Token', ad.csrf).set('Idempotency-Key', randomUUID()).send({ user: h.accounts.backup.user, reason: 'try protected', confirmInstanceName: 'main-db' });
    expect(r1.status).toBe(422);
    expect(r1.body.error.code).toBe('PROTECTED_TARGET');
    const upper = await ad.agent.post(pathOf(routes.broadKills, { instanceId: 'main' })).set('X-CSRF-Token', ad.csrf).set('Idempotency-Key', randomUUID()).send({ user: h.accounts.das.user.toUpperCase(), reason: 'try das user in capitals', confirmInstanceName: 'main-db' });
    expect(upper.status).toBe(422);
    expect(upper.body.error.details.reason).toBe('das-user');
    const r2 = await ad.agent.post(pathOf(routes.broadKills, { instanceId: 'main' })).set('X-CSRF-Token', ad.csrf).set('Idempotency-Key', randomUUID()).send({ user: h.accounts.das.user, reason: 'try das user', confirmInstanceName: 'main-db' });
    expect(r2.status).toBe(422);
    const r3 = await ad.agent.post(pathOf(routes.broadKills, { instanceId: 'main' })).set('X-CSRF-Token', ad.csrf).set('Idempotency-Key', randomUUID()).send({ database: h.db1, reason: 'try db with backup', confirmInstanceName: 'main-db' });
    expect(r3.status).toBe(422);
    expect(r3.body.error.details.excluded.map((e: { sessionId: number }) => e.sessionId)).toContain(backup.id);
    const r4 = await ad.agent.post(pathOf(routes.broadKills, { instanceId: 'main' })).set('X-CSRF-Token', ad.csrf).set('Idempotency-Key', randomUUID()).send({ user: 'system user', reason: 'system', confirmInstanceName: 'main-db' });
    expect(r4.status).toBe(422);
    expect(await h.aliveIds([backup.id])).toEqual([backup.id]);
    const failed = (await auditEntries(ad, '&status=failed')).filter((e) => e.mode === 'broad');
    expect(failed.length).toBeGreaterThanOrEqual(4);
  });

  it('blind ids skip protected sessions, and are refused where hosts are protected', async () => {
    const ad = await h.login('admin');
    const backup = await h.open(h.accounts.backup, h.db2);
    const dasOwn = await h.open(h.accounts.das);
    const victim = await h.open(h.accounts.oth, h.db2);
    const r = await ad.agent.post(pathOf(routes.blindKills, { instanceId: 'main' })).set('X-CSRF-Token', ad.csrf).set('Idempotency-Key', randomUUID()).send({ sessionIds: [backup.id, dasOwn.id, victim.id], reason: 'blind test' });
    expect(r.status).toBe(200);
    expect(r.body.verification).toBe('unverifiable');
    expect(r.body.outcomes).toEqual([{ sessionId: victim.id, outcome: 'sent-unverified' }]);
    expect(Object.fromEntries(r.body.excluded.map((e: { sessionId: number; reason: string }) => [e.sessionId, e.reason]))).toEqual({ [backup.id]: 'protected-user', [dasOwn.id]: 'das-user' });
    expect(await eventually(() => h.aliveIds([victim.id]), (v) => v.length === 0)).toEqual([]);
    expect(await h.aliveIds([backup.id, dasOwn.id])).toEqual(ids([backup, dasOwn]));
    const other = await h.open(h.accounts.oth, h.db2);
    const rh = await ad.agent.post(pathOf(routes.blindKills, { instanceId: 'hosts' })).set('X-CSRF-Token', ad.csrf).set('Idempotency-Key', randomUUID()).send({ sessionIds: [other.id], reason: 'blind on protected hosts' });
    expect(rh.status).toBe(422);
    expect(await h.aliveIds([other.id])).toEqual([other.id]);
  });
});

describe('broad mode', () => {
  it('needs the typed instance name, then kills through DAS as-is and says it is unverifiable', async () => {
    const ad = await h.login('admin');
    const db = h.db2;
    const s = [await h.open(h.accounts.oth, db), await h.open(h.accounts.oth, db)];
    const keep = await h.open(h.accounts.oth, h.db1);
    const wrong = await ad.agent.post(pathOf(routes.broadKills, { instanceId: 'main' })).set('X-CSRF-Token', ad.csrf).set('Idempotency-Key', randomUUID()).send({ user: h.accounts.oth.user, database: db, reason: 'storm', confirmInstanceName: 'nope' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe('CONFIRMATION_REQUIRED');
    expect(await h.aliveIds(s.map((x) => x.id))).toEqual(ids(s));
    const r = await ad.agent.post(pathOf(routes.broadKills, { instanceId: 'main' })).set('X-CSRF-Token', ad.csrf).set('Idempotency-Key', randomUUID()).send({ user: h.accounts.oth.user, database: db, reason: 'storm', confirmInstanceName: 'main-db' });
    expect(r.status).toBe(200);
    expect(r.body.verification).toBe('unverifiable');
    expect(r.body.mode).toBe('broad');
    expect(r.body.observed.before).toBeGreaterThanOrEqual(2);
    expect(await eventually(() => h.aliveIds(s.map((x) => x.id)), (v) => v.length === 0)).toEqual([]);
    expect(await h.aliveIds([keep.id])).toEqual([keep.id]);
  });
});

describe('cap, expiry and DAS failures', () => {
  it('above the cap, the commit needs the typed instance name', async () => {
    const op = await h.login('operator');
    const s = [await h.open(h.accounts.app, h.db2), await h.open(h.accounts.app, h.db2)];
    const p = await preview(op, 'capped', { user: h.accounts.app.user, sessionIds: s.map((x) => x.id) });
    expect(p.body.requiresTypedConfirmation).toBe(true);
    expect(p.body.blastRadiusCap).toBe(1);
    const no = await commit(op, p.body.previewId, { reason: 'cap test' });
    expect(no.status).toBe(422);
    expect(no.body.error.code).toBe('CONFIRMATION_REQUIRED');
    const wrong = await commit(op, p.body.previewId, { reason: 'cap test', confirmInstanceName: 'main-db' });
    expect(wrong.status).toBe(422);
    expect(await h.aliveIds(s.map((x) => x.id))).toEqual(ids(s));
    const yes = await commit(op, p.body.previewId, { reason: 'cap test', confirmInstanceName: 'capped-db' });
    expect(yes.status).toBe(200);
    expect(yes.body.summary).toEqual({ killed: 2 });
  });

  it('blind ids above the cap need the typed instance name too, and each refusal is audited', async () => {
    const ad = await h.login('admin');
    const s = [await h.open(h.accounts.oth, h.db2), await h.open(h.accounts.oth, h.db2)];
    const blind = (body: Record<string, unknown>) => ad.agent.post(pathOf(routes.blindKills, { instanceId: 'capped' })).set('X-CSRF-Token', ad.csrf).set('Idempotency-Key', randomUUID()).send({ sessionIds: s.map((x) => x.id), reason: 'blind cap', ...body });
    const no = await blind({});
    expect(no.status).toBe(422);
    expect(no.body.error.code).toBe('CONFIRMATION_REQUIRED');
    expect(no.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual(['confirmInstanceName']);
    const wrong = await blind({ confirmInstanceName: 'main-db' });
    expect(wrong.status).toBe(422);
    expect(await h.aliveIds(s.map((x) => x.id))).toEqual(ids(s));
    const refusals = (await auditEntries(ad, '&instanceId=capped&status=failed')).filter((e) => e.mode === 'blind' && e.error?.code === 'CONFIRMATION_REQUIRED');
    expect(refusals.length).toBeGreaterThanOrEqual(2);
    const yes = await blind({ confirmInstanceName: 'capped-db' });
    expect(yes.status).toBe(200);
    expect(yes.body.summary).toEqual({ 'sent-unverified': 2 });
    expect(await eventually(() => h.aliveIds(s.map((x) => x.id)), (v) => v.length === 0)).toEqual([]);
    // At the cap, no confirmation is needed.
    const one = await h.open(h.accounts.oth, h.db2);
    const r = await ad.agent.post(pathOf(routes.blindKills, { instanceId: 'capped' })).set('X-CSRF-Token', ad.csrf).set('Idempotency-Key', randomUUID()).send({ sessionIds: [one.id], reason: 'blind at cap' });
    expect(r.status).toBe(200);
  });

  it('an expired preview is refused with 410 and kills nothing', async () => {
    const op = await h.login('operator');
    const s = await h.open(h.accounts.app, h.db2);
    const p = await preview(op, 'main', { user: h.accounts.app.user, sessionIds: [s.id] });
    h.clock.offsetMs = 61_000;
    try {
      const c = await commit(op, p.body.previewId, { reason: 'too late' });
      expect(c.status).toBe(410);
      expect(c.body.error.code).toBe('PREVIEW_EXPIRED');
    } finally {
      h.clock.offsetMs = 0;
    }
    expect(await h.aliveIds([s.id])).toEqual([s.id]);
  });

  it('a DAS error on one chunk marks those sessions failed with the DAS error and request id; others proceed', async () => {
    const op = await h.login('operator');
    const s = [await h.open(h.accounts.app, h.db2), await h.open(h.accounts.app, h.db2), await h.open(h.accounts.app, h.db2)];
    const p = await preview(op, 'main', { user: h.accounts.app.user, sessionIds: s.map((x) => x.id) });
    h.faults.add('error500', { operations: ['DeleteProcess'], times: 1 });
    const c = await commit(op, p.body.previewId, { reason: 'fault test', confirmInstanceName: 'main-db' });
    expect(c.status).toBe(200);
    const failed = c.body.outcomes.filter((o: { outcome: string }) => o.outcome === 'failed');
    expect(failed).toHaveLength(2);
    expect(failed[0].error.httpStatus).toBe(500);
    expect(failed[0].error.dasRequestId).toMatch(/^[0-9a-f]{32}$/);
    expect(c.body.summary).toEqual({ failed: 2, killed: 1 });
    expect(await h.aliveIds(failed.map((o: { sessionId: number }) => o.sessionId))).toHaveLength(2);
  });

  it('a kill DAS accepted but did not carry out is reported still-present', async () => {
    const op = await h.login('operator');
    const s = await h.open(h.accounts.app, h.db2);
    const p = await preview(op, 'main', { user: h.accounts.app.user, sessionIds: [s.id] });
    h.faults.add('killNoop', { operations: ['DeleteProcess'], times: 1 });
    const c = await commit(op, p.body.previewId, { reason: 'noop test' });
    expect(c.body.outcomes).toMatchObject([{ sessionId: s.id, outcome: 'still-present' }]);
    expect(await h.aliveIds([s.id])).toEqual([s.id]);
  });

  it('ids not matching the filter are reported not-found, and an audit row exists for every attempt', async () => {
    const op = await h.login('operator');
    const s = await h.open(h.accounts.app, h.db2);
    const p = await preview(op, 'main', { user: h.accounts.app.user, sessionIds: [s.id, 2147483000] });
    expect(p.body.excluded).toEqual([{ sessionId: 2147483000, reason: 'not-found', explanation: expect.any(String) }]);
    const before = (await auditEntries(op)).length;
    await commit(op, p.body.previewId, { reason: 'audit count' });
    await commit(op, p.body.previewId, { reason: 'audit count again' });
    const after = await auditEntries(op);
    expect(after.length).toBe(before + 2);
    expect(after.every((e) => e.status !== 'pending')).toBe(true);
  });
});

describe('graceful shutdown', () => {
  it('waits for a commit in progress to finish and record its outcome', async () => {
    const op = await h.login('operator');
    const s = await h.open(h.accounts.app, h.db2);
    const p = await preview(op, 'main', { user: h.accounts.app.user, sessionIds: [s.id] });
    h.faults.add('latency', { operations: ['DeleteProcess'], latencyMs: 600, times: 1 });
    const pending = commit(op, p.body.previewId, { reason: 'shutdown test' });
    const started = pending.then((r) => r);
    await eventually(async () => h.quell.kill.inFlight, (n) => n > 0);
    expect(h.quell.kill.inFlight).toBe(1);
    await h.quell.shutdown();
    expect(h.quell.kill.inFlight).toBe(0);
    const rows = (await h.stores.audit.list({ limit: 500, offset: 0 })).entries.filter((e) => e.previewId === p.body.previewId);
    expect(rows.map((r) => r.status)).toEqual(['completed']);
    expect((await started).body.summary).toEqual({ killed: 1 });
  });
});
