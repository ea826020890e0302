// The two-person rule end to end: BFF → das-local → real MariaDB sessions opened by this test, on a
// production instance. A held-back kill kills nothing until a second engineer approves it.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentEvent } from '@quell/contracts/events';
import { pathOf, routes } from '@quell/contracts/routes';
import type { DbSession } from '@quell/test-kit/mariadb';
import { eventually } from '@quell/test-kit/eventually';
import { startStack, type Stack } from '@quell/test-kit/stack';
import { upsertUser } from '../auth/users-file.ts';
import type { AuditEntry } from '@quell/contracts/audit';

type Agent = { agent: request.Agent; csrf: string };

let h: Stack;
const events: IncidentEvent[] = [];
const SECOND_OPERATOR = { username: 'operator2-user', password: 'second-operator-password' };

beforeAll(async () => {
  h = await startStack({
    label: 'appr',
    extraInstances: (base) => [
      { ...base, id: 'prod', name: 'prod-db', environment: 'prod', blastRadiusCap: 2 },
      { ...base, id: 'brief', name: 'brief-db', environment: 'test', requireApproval: true, approvalTtlSeconds: 5 },
      { ...base, id: 'prod-open', name: 'prod-open-db', environment: 'prod', requireApproval: false },
    ],
    approvalOptions: { ttlMs: 60_000, sweepMs: 3_600_000, publicUrl: 'https://quell.example.test/' },
    events: { emit: async (e) => void events.push(e) },
  });
  await upsertUser(h.usersFile, SECOND_OPERATOR.username, SECOND_OPERATOR.password, 'operator');
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function secondOperator(): Promise<Agent> {
  const agent = request.agent(h.url);
  const res = await agent.post(pathOf(routes.login)).send(SECOND_OPERATOR);
  expect(res.status).toBe(200);
  return { agent, csrf: res.body.csrfToken as string };
}

const broad = (a: Agent, body: Record<string, unknown>, key: string = randomUUID()) =>
  a.agent.post(pathOf(routes.broadKills, { instanceId: 'prod' })).set('X-CSRF-Token', a.csrf).set('Idempotency-Key', key).send({ confirmInstanceName: 'prod-db', reason: 'runaway batch on prod', ...body });
const approve = (a: Agent, approvalId: string, body: Record<string, unknown> = {}, key: string = randomUUID()) =>
  a.agent.post(pathOf(routes.approve, { approvalId })).set('X-CSRF-Token', a.csrf).set('Idempotency-Key', key).send(body);
const deny = (a: Agent, approvalId: string, body: Record<string, unknown>) => a.agent.post(pathOf(routes.deny, { approvalId })).set('X-CSRF-Token', a.csrf).send(body);
const eventsOf = (approvalId: string) => events.filter((e) => e.approval?.id === approvalId);

async function auditOf(a: Agent, requestId: string): Promise<AuditEntry[]> {
  const res = await a.agent.get(pathOf(routes.audit)).query({ instanceId: 'prod', limit: 500 });
  return (res.body.entries as AuditEntry[]).filter((e) => e.approval?.requestId === requestId);
}

/** Ends the sessions a test leaves alive, so that the next test's filter finds only its own. */
async function closeAll(sessions: DbSession[]): Promise<void> {
  for (const s of sessions) s.conn.destroy();
  await eventually(() => h.aliveIds(sessions.map((s) => s.id)), (alive) => alive.length === 0);
}

/** A commit of a preview above the prod cap (2): held back for a second engineer. */
async function askViaPreview(requester: Agent, sessions: DbSession[]): Promise<string> {
  const p = await requester.agent.post(pathOf(routes.killPreviews, { instanceId: 'prod' })).set('X-CSRF-Token', requester.csrf).send({ user: h.accounts.app.user, sessionIds: sessions.map((s) => s.id) });
  expect(p.status).toBe(201);
  expect(p.body.targets).toHaveLength(sessions.length);
  const c = await requester.agent
    .post(pathOf(routes.commitPreview, { previewId: p.body.previewId }))
    .set('X-CSRF-Token', requester.csrf)
    .set('Idempotency-Key', randomUUID())
    .send({ reason: 'too many sessions on prod', confirmInstanceName: 'prod-db' });
  expect(c.status).toBe(428);
  expect(c.body.error.code).toBe('APPROVAL_REQUIRED');
  return c.body.error.details.approvalId as string;
}

describe('a broad kill on prod', () => {
  it('creates a request instead of killing; another operator approves; exactly the frozen sessions die', async () => {
    const admin = await h.login('admin');
    const op = await h.login('operator');
    const targets = [await h.open(h.accounts.app, h.db1), await h.open(h.accounts.app, h.db1)];
    const bystander = await h.open(h.accounts.oth, h.db1);
    const key = randomUUID();
    const asked = await broad(admin, { user: h.accounts.app.user, database: h.db1 }, key);
    expect(asked.status).toBe(428);
    expect(asked.body.error.message).toContain('waiting for a second engineer');
    const approvalId = asked.body.error.details.approvalId as string;
    expect(await h.aliveIds(targets.map((t) => t.id))).toHaveLength(2);

    // A retry with the same key finds the same request.
    const retried = await broad(admin, { user: h.accounts.app.user, database: h.db1 }, key);
    expect(retried.body.error.details.approvalId).toBe(approvalId);
    expect(eventsOf(approvalId).map((e) => e.type)).toEqual(['approval.requested']);
    expect(eventsOf(approvalId)[0]?.link).toBe(`https://quell.example.test/approvals/${approvalId}`);

    const pending = await op.agent.get(pathOf(routes.approvals));
    const listed = pending.body.approvals.find((a: { id: string }) => a.id === approvalId);
    expect(listed).toMatchObject({ status: 'pending', kind: 'broad', requestedBy: 'admin-user', reason: 'runaway batch on prod', instanceName: 'prod-db', environment: 'prod' });
    expect(listed.targets.map((s: { id: number }) => s.id).sort()).toEqual(targets.map((t) => t.id).sort());

    const ok = await approve(op, approvalId, { comment: 'looked at it, go' });
    expect(ok.status).toBe(200);
    expect(ok.body.verification).toBe('verified');
    expect(ok.body.summary).toEqual({ killed: 2 });
    expect(await eventually(() => h.aliveIds(targets.map((t) => t.id)), (v) => v.length === 0)).toEqual([]);
    expect(await h.aliveIds([bystander.id])).toEqual([bystander.id]);

    const [entry, ...more] = await auditOf(op, approvalId);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ id: ok.body.auditId, actor: 'operator-user', status: 'completed', reason: 'runaway batch on prod' });
    expect(entry?.approval).toMatchObject({ requestId: approvalId, kind: 'broad', requestedBy: 'admin-user', decision: 'approved', approvedBy: 'operator-user', comment: 'looked at it, go', breakGlass: false });
    const granted = eventsOf(approvalId).find((e) => e.type === 'approval.granted');
    expect(granted).toMatchObject({ actor: 'operator-user', auditId: ok.body.auditId, counts: { killed: 2 }, approval: { requester: 'admin-user', approver: 'operator-user', targetCount: 2 } });
    expect(granted?.approval?.breakGlass).toBeUndefined();

    const shown = await op.agent.get(pathOf(routes.approval, { approvalId }));
    expect(shown.body).toMatchObject({ status: 'approved', decidedBy: 'operator-user', auditId: ok.body.auditId });
    const twice = await approve(await secondOperator(), approvalId);
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toContain('already approved by operator-user');
    await closeAll([bystander]);
  });
});

describe('who may approve', () => {
  it('the requester (an operator) cannot approve their own request, not even as break-glass; a denial kills nothing', async () => {
    const op = await h.login('operator');
    const admin = await h.login('admin');
    const sessions = [await h.open(h.accounts.app, h.db2), await h.open(h.accounts.app, h.db2), await h.open(h.accounts.app, h.db2)];
    const approvalId = await askViaPreview(op, sessions);

    const own = await approve(op, approvalId, { comment: 'mine' });
    expect(own.status).toBe(403);
    expect(own.body.error.message).toBe('you asked for this kill: another operator or admin must approve it');
    expect((await approve(op, approvalId, { breakGlass: true, comment: 'it is urgent' })).status).toBe(403);
    expect((await approve(await secondOperator(), approvalId, { breakGlass: true, comment: 'not mine' })).body.error.details.issues).toEqual([{ field: 'breakGlass', message: 'is only for an admin approving their own request' }]);

    expect((await deny(admin, approvalId, {})).body.error.details.issues[0].field).toBe('comment');
    const denied = await deny(admin, approvalId, { comment: 'use the replica first' });
    expect(denied.status).toBe(200);
    expect(denied.body).toMatchObject({ status: 'denied', decidedBy: 'admin-user', comment: 'use the replica first' });
    expect((await approve(await secondOperator(), approvalId)).status).toBe(409);
    expect(await h.aliveIds(sessions.map((s) => s.id))).toHaveLength(3);

    const [row] = await auditOf(admin, approvalId);
    expect(row).toMatchObject({ actor: 'admin-user', status: 'failed', mode: 'preview', outcomes: [], error: { code: 'APPROVAL_DENIED' } });
    expect(row?.approval).toMatchObject({ decision: 'denied', deniedBy: 'admin-user', requestedBy: 'operator-user' });
    expect(eventsOf(approvalId).map((e) => e.type)).toEqual(['approval.requested', 'approval.denied']);
    await closeAll(sessions);
  });

  it('an unknown request is a 404 naming it; a malformed id a 400', async () => {
    const op = await h.login('operator');
    const id = randomUUID();
    const missing = await approve(op, id);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(`no approval request "${id}"`);
    expect((await op.agent.get(pathOf(routes.approval, { approvalId: id }))).status).toBe(404);
    expect((await approve(op, 'not-an-id')).body.error.details.issues).toEqual([{ field: 'approvalId', message: 'must be an approval request id' }]);
    const viewer = await h.login('viewer');
    expect((await approve(viewer, id)).status).toBe(403);
  });

  it('an admin may approve their own request as break-glass, with a reason; it is marked as such', async () => {
    const admin = await h.login('admin');
    const sessions = [await h.open(h.accounts.oth, h.db2)];
    const asked = await broad(admin, { user: h.accounts.oth.user, database: h.db2 });
    const approvalId = asked.body.error.details.approvalId as string;

    const plain = await approve(admin, approvalId);
    expect(plain.status).toBe(403);
    expect(plain.body.error.message).toContain('approve it as break-glass with a reason');
    expect((await approve(admin, approvalId, { breakGlass: true })).body.error.details.issues).toEqual([{ field: 'comment', message: 'break-glass needs a reason of at least 3 characters' }]);

    const ok = await approve(admin, approvalId, { breakGlass: true, comment: 'nobody else on call, site down' });
    expect(ok.status).toBe(200);
    expect(ok.body.summary).toEqual({ killed: 1 });
    expect(await eventually(() => h.aliveIds([sessions[0]!.id]), (v) => v.length === 0)).toEqual([]);
    const [row] = await auditOf(admin, approvalId);
    expect(row?.approval).toMatchObject({ requestedBy: 'admin-user', approvedBy: 'admin-user', breakGlass: true, comment: 'nobody else on call, site down' });
    expect(eventsOf(approvalId).find((e) => e.type === 'approval.granted')?.approval).toMatchObject({ breakGlass: true, approver: 'admin-user' });
  });
});

describe('expiry', () => {
  it('an expired request kills nothing; approving it is refused with a clear error; it expires once', async () => {
    const op = await h.login('operator');
    const admin = await h.login('admin');
    const sessions = [await h.open(h.accounts.app, h.db1), await h.open(h.accounts.app, h.db1), await h.open(h.accounts.app, h.db1)];
    const approvalId = await askViaPreview(op, sessions);
    h.clock.offsetMs = 61_000;
    try {
      const late = await approve(admin, approvalId);
      expect(late.status).toBe(410);
      expect(late.body.error.code).toBe('APPROVAL_EXPIRED');
      expect(late.body.error.message).toContain('nothing was killed');
      expect(await h.quell.kill.expireApprovals()).toBe(0);
      const pending = await op.agent.get(pathOf(routes.approvals));
      expect(pending.body.approvals.map((a: { id: string }) => a.id)).not.toContain(approvalId);
      expect((await op.agent.get(pathOf(routes.approval, { approvalId }))).body.status).toBe('expired');
      expect((await deny(admin, approvalId, { comment: 'too late' })).status).toBe(410);
    } finally {
      h.clock.offsetMs = 0;
    }
    expect(await h.aliveIds(sessions.map((s) => s.id))).toHaveLength(3);
    const rows = await auditOf(op, approvalId);
    expect(rows.map((r) => [r.actor, r.error?.code, r.approval?.decision])).toEqual([['operator-user', 'APPROVAL_EXPIRED', 'expired']]);
    expect(eventsOf(approvalId).map((e) => e.type)).toEqual(['approval.requested', 'approval.expired']);
    await closeAll(sessions);
  });
});

describe('which instances follow the rule', () => {
  it('an instance may set its own expiry, or opt out of the rule even in production', async () => {
    const admin = await h.login('admin');
    const nobody = `${h.prefix}nobody`;
    const asked = await admin.agent.post(pathOf(routes.broadKills, { instanceId: 'brief' })).set('X-CSRF-Token', admin.csrf).set('Idempotency-Key', randomUUID()).send({ user: nobody, reason: 'brief expiry', confirmInstanceName: 'brief-db' });
    expect(asked.status).toBe(428);
    const a = (await admin.agent.get(pathOf(routes.approval, { approvalId: asked.body.error.details.approvalId }))).body;
    expect(Date.parse(a.expiresAt) - Date.parse(a.requestedAt)).toBe(5_000);
    const open = await admin.agent.post(pathOf(routes.broadKills, { instanceId: 'prod-open' })).set('X-CSRF-Token', admin.csrf).set('Idempotency-Key', randomUUID()).send({ user: nobody, reason: 'no rule here', confirmInstanceName: 'prod-open-db' });
    expect(open.status).toBe(200);
    const listed = await admin.agent.get(pathOf(routes.instances));
    expect(listed.body.instances.map((i: { id: string; requireApproval: boolean }) => [i.id, i.requireApproval])).toEqual([
      ['main', false],
      ['prod', true],
      ['brief', true],
      ['prod-open', false],
    ]);
  });
});

describe('drift between the request and the approval', () => {
  it('a target that is gone or is another connection now is reported, not killed; a session that started later is not touched', async () => {
    const admin = await h.login('admin');
    const op = await h.login('operator');
    const [gone, moved, kept] = [await h.open(h.accounts.app, h.db1), await h.open(h.accounts.app, h.db1), await h.open(h.accounts.app, h.db1)];
    const asked = await broad(admin, { user: h.accounts.app.user, database: h.db1 });
    const approvalId = asked.body.error.details.approvalId as string;
    gone!.conn.destroy();
    await eventually(() => h.aliveIds([gone!.id]), (v) => v.length === 0);
    await moved!.conn.query(`USE \`${h.db2}\``);
    const newcomer = await h.open(h.accounts.app, h.db1);

    const ok = await approve(op, approvalId);
    expect(ok.status).toBe(200);
    const byId = new Map(ok.body.outcomes.map((o: { sessionId: number; outcome: string }) => [o.sessionId, o.outcome]));
    expect(byId).toEqual(new Map([[gone!.id, 'gone-before-kill'], [moved!.id, 'changed-skipped'], [kept!.id, 'killed']]));
    expect(await h.aliveIds([moved!.id, newcomer.id])).toEqual([moved!.id, newcomer.id].sort((a, b) => a - b));
    await closeAll([moved!, newcomer]);
  });
});

describe('an approval whose kill cannot run', () => {
  it('kills nothing when the audit trail cannot be written, and the channel hears the granted request failed', async () => {
    const admin = await h.login('admin');
    const op = await h.login('operator');
    const sessions = [await h.open(h.accounts.app, h.db1), await h.open(h.accounts.app, h.db1)];
    const asked = await broad(admin, { user: h.accounts.app.user, database: h.db1 });
    expect(asked.status).toBe(428);
    const approvalId = asked.body.error.details.approvalId as string;
    const audit = h.stores.audit;
    const appendIntent = audit.appendIntent.bind(audit);
    audit.appendIntent = async () => {
      throw new Error('disk full');
    };
    try {
      const failed = await approve(op, approvalId);
      expect(failed.status).toBe(500);
      expect(failed.body.error.message).toBe('the audit trail could not be written, so nothing was killed');
    } finally {
      audit.appendIntent = appendIntent;
    }
    expect(await h.aliveIds(sessions.map((x) => x.id))).toEqual(sessions.map((x) => x.id).sort((a, b) => a - b));
    const granted = eventsOf(approvalId).filter((e) => e.type === 'approval.granted');
    expect(granted.map((e) => [e.status, e.approval?.approver, e.counts])).toEqual([['failed', 'operator-user', undefined]]);
    await closeAll(sessions);
  });
});

describe('approvers at once', () => {
  it('two approvers on two replicas at the same moment: one wins, one commit', async () => {
    const op = await h.login('operator');
    const sessions = [await h.open(h.accounts.oth, h.db1), await h.open(h.accounts.oth, h.db1), await h.open(h.accounts.oth, h.db1)];
    const p = await op.agent.post(pathOf(routes.killPreviews, { instanceId: 'prod' })).set('X-CSRF-Token', op.csrf).send({ user: h.accounts.oth.user, database: h.db1 });
    const c = await op.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', op.csrf).set('Idempotency-Key', randomUUID()).send({ reason: 'three on prod', confirmInstanceName: 'prod-db' });
    const approvalId = c.body.error.details.approvalId as string;

    const replica = h.newApp(h.stores);
    try {
      const attempts = await Promise.allSettled([
        h.quell.kill.approve({ username: 'admin-user', role: 'admin' }, approvalId, { breakGlass: false }, randomUUID()),
        replica.kill.approve({ username: SECOND_OPERATOR.username, role: 'operator' }, approvalId, { breakGlass: false }, randomUUID()),
      ]);
      const won = attempts.filter((a) => a.status === 'fulfilled');
      const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((l) => (l.reason as { code: string }).code)).toEqual(['CONFLICT']);
    } finally {
      await replica.shutdown();
    }
    expect(await eventually(() => h.aliveIds(sessions.map((s) => s.id)), (v) => v.length === 0)).toEqual([]);
    const rows = await auditOf(op, approvalId);
    expect(rows.map((r) => [r.status, r.outcomes.length])).toEqual([['completed', 3]]);
  });
});
