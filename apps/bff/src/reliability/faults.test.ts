// Faults on the real path BFF → das-client → das-local → MariaDB, injected with das-local's FaultController.
// For each fault: the operator gets a clear answer (code, message, DAS details), no session is reported
// killed unless verification saw it gone (checked in MariaDB), the audit row matches what happened, and
// nothing is retried that must not be (DeleteProcess requests are counted where they arrive: das-local).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '@quell/test-kit/eventually';
import { startStack, type Stack } from '@quell/test-kit/stack';
import { pathOf, routes } from '@quell/contracts/routes';

let s: Stack;
/** The BFF signs with a wrong SK while this is set (signature failures). */
let wrongSk = false;
const DAS_TIMEOUT_MS = 3000;

beforeAll(async () => {
  s = await startStack({
    label: 'rel',
    blastRadiusCap: 1000,
    dasTimeoutMs: DAS_TIMEOUT_MS,
    bffCreds: (real) => (wrongSk ? { ak: real.ak, sk: `${real.sk}x` } : real),
    killOptions: { verifyAttempts: 4, verifyDelayMs: 150 },
  });
}, 60_000);
afterAll(async () => {
  await s?.close();
});
beforeEach(() => {
  s.faults.clear();
  wrongSk = false;
});

type Agent = Awaited<ReturnType<Stack['login']>>;
let op: Agent;
beforeAll(async () => {
  op = await s.login('operator');
});

/** One target and one bystander session, previewed by user+database. */
async function prepare() {
  const target = await s.open(s.accounts.app, s.db1);
  const bystander = await s.open(s.accounts.oth, s.db1);
  const p = await op.agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set('X-CSRF-Token', op.csrf).send({ user: s.accounts.app.user, database: s.db1, sessionIds: [target.id] });
  expect(p.status).toBe(201);
  expect(p.body.targets.map((t: { id: number }) => t.id)).toEqual([target.id]);
  return { target, bystander, previewId: p.body.previewId as string };
}

async function commit(previewId: string, key = randomUUID()) {
  return op.agent.post(pathOf(routes.commitPreview, { previewId })).set('X-CSRF-Token', op.csrf).set('Idempotency-Key', key).send({ reason: 'reliability: fault injection' });
}

async function auditRow(id: string) {
  const row = await s.stores.audit.get(id);
  expect(row, `audit row ${id}`).toBeDefined();
  return row!;
}

/** The DeleteProcess requests das-local answered (any status) since `from`. */
const deletes = (from: number) => s.dasLines.slice(from).filter((l) => l.operation === 'DeleteProcess');

describe('faults during a kill', () => {
  it('DAS slower than the client deadline: not reported killed while alive, never retried, the audit says so', async () => {
    const { target, bystander, previewId } = await prepare();
    const mark = s.dasLines.length;
    // das-local sleeps past the deadline and then carries the kill out: the outcome is genuinely unknown.
    s.faults.addLatency(DAS_TIMEOUT_MS + 1500, { operations: ['DeleteProcess'], times: 1 });
    const c = await commit(previewId);
    expect(c.status).toBe(200);
    const o = c.body.outcomes[0];
    expect(o.sessionId).toBe(target.id);
    expect(o.error).toMatchObject({ httpStatus: 0, errorMsg: 'DAS did not answer in time' });
    const aliveAtAnswer = (await s.aliveIds([target.id])).length === 1;
    // Killed only if verification saw it gone; while it is alive it is never "killed".
    if (o.outcome === 'killed') expect(aliveAtAnswer).toBe(false);
    else expect(o.outcome).toBe('unknown');
    // das-local finishes the kill after the client gave up: a report of plain "failed" would be a lie.
    expect(await eventually(() => s.aliveIds([target.id]), (v) => v.length === 0, 6000)).toEqual([]);
    expect(o.outcome).not.toBe('failed');
    expect(await s.aliveIds([bystander.id])).toEqual([bystander.id]);
    expect(deletes(mark)).toHaveLength(1);
    const row = await auditRow(c.body.auditId);
    expect(row.status).not.toBe('pending');
    expect(row.outcomes).toEqual(c.body.outcomes);
  });

  it('500 from DAS: failed with DAS code, message and request id; alive; one DeleteProcess', async () => {
    const { target, bystander, previewId } = await prepare();
    const mark = s.dasLines.length;
    s.faults.failWith500({ operations: ['DeleteProcess'], times: 1 });
    const c = await commit(previewId);
    expect(c.status).toBe(200);
    expect(c.body.outcomes).toEqual([
      expect.objectContaining({ sessionId: target.id, outcome: 'failed', error: { httpStatus: 500, errorCode: 'DAS.200001', errorMsg: expect.any(String), dasRequestId: expect.stringMatching(/^[0-9a-f]{32}$/) } }),
    ]);
    expect(c.body.dasRequestIds).toContain(c.body.outcomes[0].error.dasRequestId);
    expect(await s.aliveIds([target.id, bystander.id])).toEqual([target.id, bystander.id].sort((a, b) => a - b));
    expect(deletes(mark).map((l) => l.status)).toEqual([500]);
    const row = await auditRow(c.body.auditId);
    expect(row.outcomes).toEqual(c.body.outcomes);
    expect(row.dasRequestIds).toEqual(c.body.dasRequestIds);
  });

  it('DAS.200002 throttling on the kill: failed, not retried, alive', async () => {
    const { target, previewId } = await prepare();
    const mark = s.dasLines.length;
    s.faults.throttle({ operations: ['DeleteProcess'], times: 1 });
    const c = await commit(previewId);
    expect(c.body.outcomes).toEqual([expect.objectContaining({ sessionId: target.id, outcome: 'failed', error: expect.objectContaining({ httpStatus: 400, errorCode: 'DAS.200002' }) })]);
    expect(deletes(mark).map((l) => l.status)).toEqual([400]);
    expect(await s.aliveIds([target.id])).toEqual([target.id]);
    expect((await auditRow(c.body.auditId)).outcomes[0]!.outcome).toBe('failed');
  });

  it('connection reset in the middle of the kill: never killed while alive, not retried, audited', async () => {
    const { target, bystander, previewId } = await prepare();
    const mark = s.dasLines.length;
    s.faults.resetConnection({ operations: ['DeleteProcess'], times: 1 });
    const c = await commit(previewId);
    expect(c.status).toBe(200);
    const o = c.body.outcomes[0];
    expect(o.error).toMatchObject({ httpStatus: 0, errorMsg: 'DAS could not be reached' });
    // das-local dropped the connection before killing: the session lives, and Quell must not say "killed".
    expect(await s.aliveIds([target.id, bystander.id])).toEqual([target.id, bystander.id].sort((a, b) => a - b));
    // No answer: Quell cannot know whether DAS killed it, and says so (verification still sees it).
    expect(o.outcome).toBe('unknown');
    expect(deletes(mark)).toHaveLength(1);
    expect(deletes(mark)[0]!.fault).toBe('reset');
    expect((await auditRow(c.body.auditId)).outcomes).toEqual(c.body.outcomes);
  });

  it('a kill answered 200 that did nothing: still-present, verified against MariaDB, audited', async () => {
    const { target, previewId } = await prepare();
    const mark = s.dasLines.length;
    s.faults.killNoop({ times: 1 });
    const c = await commit(previewId);
    expect(c.body.outcomes).toEqual([expect.objectContaining({ sessionId: target.id, outcome: 'still-present' })]);
    expect(c.body.verification).toBe('verified');
    expect(await s.aliveIds([target.id])).toEqual([target.id]);
    expect(deletes(mark).map((l) => l.status)).toEqual([200]);
    const row = await auditRow(c.body.auditId);
    expect(row.status).toBe('completed');
    expect(row.outcomes.map((x) => x.outcome)).toEqual(['still-present']);
  });

  it('a failed verification listing is not the end: the remaining attempts verify the kill', async () => {
    const { target, bystander, previewId } = await prepare();
    const mark = s.dasLines.length;
    // The kill waits at das-local; once it has arrived (its latency fault is used up), the next listing is verification's.
    const held = s.faults.addLatency(1500, { operations: ['DeleteProcess'], times: 1 });
    const pending = commit(previewId);
    expect(await eventually(async () => s.faults.list().some((f) => f.id === held), (present) => !present)).toBe(false);
    s.faults.failWith500({ operations: ['ListProcesses'], times: 1 });
    const c = await pending;
    expect(c.status).toBe(200);
    expect(c.body.outcomes).toEqual([expect.objectContaining({ sessionId: target.id, outcome: 'killed' })]);
    expect(await eventually(() => s.aliveIds([target.id]), (v) => v.length === 0)).toEqual([]);
    expect(await s.aliveIds([bystander.id])).toEqual([bystander.id]);
    const lists = s.dasLines.slice(mark).filter((l) => l.operation === 'ListProcesses').map((l) => l.status);
    expect(lists.slice(1, 3)).toEqual([500, 200]);
    expect((await auditRow(c.body.auditId)).outcomes.map((x) => x.outcome)).toEqual(['killed']);
  });

  it('server clock 20 minutes ahead: the client re-signs once with the server time and the kill is verified', async () => {
    const { target, bystander, previewId } = await prepare();
    const mark = s.dasLines.length;
    s.faults.setClockOffset(20 * 60_000);
    try {
      const c = await commit(previewId);
      expect(c.status).toBe(200);
      expect(c.body.outcomes).toEqual([expect.objectContaining({ sessionId: target.id, outcome: 'killed' })]);
      expect(await eventually(() => s.aliveIds([target.id]), (v) => v.length === 0)).toEqual([]);
      expect(await s.aliveIds([bystander.id])).toEqual([bystander.id]);
      // At most one refused (expired) attempt before the accepted one, and exactly one kill that DAS carried out.
      const d = deletes(mark);
      expect(d.filter((l) => l.status === 200)).toHaveLength(1);
      expect(d.filter((l) => l.status === 401).length).toBeLessThanOrEqual(1);
      const expired = s.dasLines.slice(mark).filter((l) => l.status === 401);
      expect(expired.every((l) => l.error_code === 'APIGW.0301')).toBe(true);
      expect((await auditRow(c.body.auditId)).outcomes.map((x) => x.outcome)).toEqual(['killed']);
    } finally {
      s.faults.setClockOffset(0);
    }
  });

  it('a signature failure on the kill is never retried (AK lockout), and nothing is killed', async () => {
    const { target, previewId } = await prepare();
    // The re-list before the kill fails first: nothing is sent.
    wrongSk = true;
    const mark = s.dasLines.length;
    const c = await commit(previewId);
    expect(c.status).toBe(200);
    expect(c.body.outcomes).toEqual([expect.objectContaining({ sessionId: target.id, outcome: 'failed', error: expect.objectContaining({ httpStatus: 401, errorCode: 'APIGW.0301' }) })]);
    expect(deletes(mark)).toHaveLength(0);
    // Exactly one signed request reached das-local, and it was refused: no loop towards the 5-strike lockout.
    expect(s.dasLines.slice(mark).filter((l) => l.status === 401)).toHaveLength(1);
    expect(await s.aliveIds([target.id])).toEqual([target.id]);
    const row = await auditRow(c.body.auditId);
    expect(row.status).toBe('failed');
    expect(row.error?.message).toMatch(/nothing was killed/);
  });
});

describe('faults on reads: a clear message for the operator', () => {
  const list = () => op.agent.get(`${pathOf(routes.sessions, { instanceId: 'main' })}?user=${s.accounts.app.user}`);

  it('500 → 502 UPSTREAM_ERROR with the DAS details, not retried', async () => {
    const mark = s.dasLines.length;
    s.faults.failWith500({ operations: ['ListProcesses'], times: 1 });
    const r = await list();
    expect(r.status).toBe(502);
    expect(r.body.error).toEqual({
      code: 'UPSTREAM_ERROR',
      message: 'DAS session listing failed',
      requestId: r.headers['x-request-id'],
      details: { upstream: { httpStatus: 500, errorCode: 'DAS.200001', errorMsg: expect.any(String), dasRequestId: expect.stringMatching(/^[0-9a-f]{32}$/) } },
    });
    expect(s.count('ListProcesses', mark)).toBe(1);
  });

  it('slower than the deadline → 504 UPSTREAM_TIMEOUT', async () => {
    s.faults.addLatency(DAS_TIMEOUT_MS + 500, { operations: ['ListProcesses'] });
    const r = await list();
    expect(r.status).toBe(504);
    expect(r.body.error.code).toBe('UPSTREAM_TIMEOUT');
    expect(r.body.error.details.upstream).toMatchObject({ httpStatus: 0, errorMsg: 'DAS did not answer in time' });
  });

  it('DAS.200002 throttling: retried at most 3 times in all, then 502 naming DAS.200002', async () => {
    const mark = s.dasLines.length;
    s.faults.throttle({ operations: ['ListProcesses'], times: 10 });
    const r = await list();
    expect(r.status).toBe(502);
    expect(r.body.error.details.upstream).toMatchObject({ httpStatus: 400, errorCode: 'DAS.200002' });
    const n = s.dasLines.slice(mark).filter((l) => l.operation === 'ListProcesses' && l.error_code === 'DAS.200002').length;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThanOrEqual(3);
  });

  it('a throttled read that recovers is answered normally', async () => {
    s.faults.throttle({ operations: ['ListProcesses'], times: 1 });
    const r = await list();
    expect(r.status).toBe(200);
  });

  it('connection reset → 502 "DAS could not be reached"', async () => {
    s.faults.resetConnection({ operations: ['ListProcesses'] });
    const r = await list();
    expect(r.status).toBe(502);
    expect(r.body.error.details.upstream).toMatchObject({ httpStatus: 0, errorMsg: 'DAS could not be reached' });
  });

  it('a wrong SK: one request, 502 naming APIGW.0301, never the key', async () => {
    wrongSk = true;
    const mark = s.dasLines.length;
    const r = await list();
    expect(r.status).toBe(502);
    expect(r.body.error.details.upstream).toMatchObject({ httpStatus: 401, errorCode: 'APIGW.0301' });
    expect(s.dasLines.slice(mark)).toHaveLength(1);
    expect(r.text).not.toContain(s.creds.sk);
  });

  it('clock 20 minutes behind on the server: reads still succeed after one re-sign', async () => {
    s.faults.setClockOffset(-20 * 60_000);
    try {
      const r = await list();
      expect(r.status).toBe(200);
    } finally {
      s.faults.setClockOffset(0);
    }
  });
});
