// Behavioural contracts of the store interfaces (types.ts), as describe factories: the SQLite and the
// PostgreSQL data stores run the same suite, and so do the SQLite and Redis login-session stores and
// the in-memory and Redis login throttles (store-contract.test.ts).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentEvent } from '@quell/contracts/events';
import type { KillResult } from '@quell/contracts/kill';
import type { LoginThrottle, ThrottleLimits } from '../auth/throttle.ts';
import type { AuditIntent, PreviewRecord } from '../kill/types.ts';
import type { SqlThrottleRecord } from '../throttle/types.ts';
import type { ApprovalRecord } from '../approvals/types.ts';
import type { ApprovalStore, AuditStore, IdempotencyStore, LoginSessionStore, OutboxDelivery, OutboxStore, PreviewStore, SqlThrottleStore } from './types.ts';

export interface DataStores {
  audit: AuditStore;
  previews: PreviewStore;
  idempotency: IdempotencyStore;
  sqlThrottles: SqlThrottleStore;
  outbox: OutboxStore;
  approvals: ApprovalStore;
  checkWritable(): Promise<void>;
  close(): Promise<void>;
}

export interface DataStoreBackend {
  /** Prepares the backing database (once). */
  setup(): Promise<void>;
  /** Opens a store on the backing database; opening again reaches the same data (a restart). */
  open(): Promise<DataStores>;
  teardown(): Promise<void>;
}

export const intent = (id: string, over: Partial<AuditIntent> = {}): AuditIntent => ({
  id,
  at: new Date().toISOString(),
  actor: 'alice',
  role: 'operator',
  instanceId: 'main',
  mode: 'preview',
  target: { user: 'app', database: 'shop', sessionIds: [1, 2] },
  reason: 'testing',
  excluded: [{ sessionId: 7, user: 'backup', host: 'h:1', db: null, reason: 'protected-user' } as unknown as AuditIntent['excluded'][number]],
  idempotencyKey: null,
  ...over,
});

const result = (auditId: string): KillResult =>
  ({
    auditId,
    instanceId: 'main',
    mode: 'preview',
    outcomes: [{ sessionId: 1, outcome: 'killed' }],
    summary: { killed: 1 },
    excluded: [],
    dasRequestIds: ['r-1'],
    verification: 'verified',
    finishedAt: new Date().toISOString(),
  }) as unknown as KillResult;

const preview = (over: Partial<PreviewRecord> = {}): PreviewRecord => ({
  id: randomUUID(),
  instanceId: 'main',
  createdBy: 'alice',
  createdAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
  filter: { user: 'app', sessionIds: [1] },
  targets: [{ session: { id: 1, user: 'app', host: 'h:1', db: 'shop', command: 'Query', time: 3, state: null, info: null } as never, commandStartMs: Date.now() - 3000 }],
  excluded: [],
  requiresTypedConfirmation: false,
  ...over,
});

const throttle = (over: Partial<SqlThrottleRecord> = {}): SqlThrottleRecord => ({
  id: randomUUID(),
  instanceId: `i-${randomUUID().slice(0, 8)}`,
  sqlType: 'SELECT',
  pattern: 'select~orders~sleep',
  maxConcurrency: 1,
  reason: 'runaway report',
  createdBy: 'alice',
  role: 'operator',
  createdAt: '2031-01-01T00:00:00.000Z',
  expiresAt: '2031-01-01T00:15:00.000Z',
  killAuditId: null,
  auditId: randomUUID(),
  ruleId: null,
  status: 'active',
  endedAt: null,
  endedBy: null,
  ...over,
});

const incidentEvent = (): IncidentEvent => ({
  id: randomUUID(),
  type: 'kill.committed',
  occurredAt: '2033-01-01T00:00:00.000Z',
  instance: { id: 'main', name: 'main-db', environment: 'prod' },
  actor: 'alice',
  reason: 'runaway report',
  auditId: randomUUID(),
  counts: { killed: 3, 'gone-before-kill': 1 },
});

const approval = (over: Partial<ApprovalRecord> = {}): ApprovalRecord => ({
  id: randomUUID(),
  instanceId: 'prod-db',
  kind: 'broad',
  status: 'pending',
  reason: 'runaway batch',
  requestedBy: `alice-${randomUUID().slice(0, 8)}`,
  requestedByName: null,
  requestedRole: 'admin',
  requestedAt: '2033-01-01T00:00:00.000Z',
  expiresAt: '2033-01-01T00:10:00.000Z',
  idempotencyKey: randomUUID(),
  preview: preview(),
  decidedBy: null,
  decidedAt: null,
  comment: null,
  breakGlass: false,
  auditId: null,
  ...over,
});

export function describeDataStoreContract(name: string, backend: DataStoreBackend): void {
  describe(`data store contract: ${name}`, () => {
    let s: DataStores;
    // Every test uses its own instance id / actor, so they share one database without interfering.
    beforeAll(async () => {
      await backend.setup();
      s = await backend.open();
    });
    afterAll(async () => {
      await s?.close();
      await backend.teardown();
    });

    it('writes the intent as pending, records the outcome once, keeps every field', async () => {
      const id = randomUUID();
      const i = intent(id, { idempotencyKey: 'k-1', previewId: 'p-1', previewCreatedBy: 'bob', notFoundCount: 9_999 });
      await s.audit.appendIntent(i);
      const pending = await s.audit.get(id);
      expect(pending).toMatchObject({ id, status: 'pending', actor: 'alice', role: 'operator', target: i.target, excluded: i.excluded, idempotencyKey: 'k-1', previewId: 'p-1', previewCreatedBy: 'bob', notFoundCount: 9_999, actorName: null, finishedAt: null, outcomes: [], dasRequestIds: [], error: null });
      const finishedAt = new Date().toISOString();
      await s.audit.recordOutcome(id, { status: 'completed', finishedAt, outcomes: [{ sessionId: 1, outcome: 'killed' } as never], dasRequestIds: ['r1', 'r2'] });
      await expect(s.audit.recordOutcome(id, { status: 'failed', finishedAt, outcomes: [], dasRequestIds: [] })).rejects.toThrow(/not pending/);
      expect(await s.audit.get(id)).toMatchObject({ status: 'completed', finishedAt, outcomes: [{ sessionId: 1, outcome: 'killed' }], dasRequestIds: ['r1', 'r2'] });
      expect(await s.audit.get(randomUUID())).toBeUndefined();
    });

    it('changes only the rolling-back outcomes of a finished row, and only to a resolution', async () => {
      const id = randomUUID();
      await s.audit.appendIntent(intent(id));
      const who = (sessionId: number) => ({ sessionId, user: 'app', host: `10.0.0.${sessionId}:5000`, database: 'shop' });
      const finishedAt = new Date().toISOString();
      await s.audit.recordOutcome(id, {
        status: 'completed',
        finishedAt,
        outcomes: [
          { ...who(1), outcome: 'killed' },
          { ...who(2), outcome: 'rolling-back', rollingBackSeconds: 3 },
          { ...who(3), outcome: 'rolling-back', rollingBackSeconds: 3 },
        ],
        dasRequestIds: ['r1'],
      });
      // Still rolling back (seconds move on), and one that is gone; the killed one cannot be changed back.
      const after = await s.audit.updateOutcomes(id, [
        { ...who(1), outcome: 'still-present' },
        { ...who(2), outcome: 'rolling-back', rollingBackSeconds: 9 },
        { ...who(3), outcome: 'killed' },
      ]);
      const expected = [
        { ...who(1), outcome: 'killed' },
        { ...who(2), outcome: 'rolling-back', rollingBackSeconds: 9 },
        { ...who(3), outcome: 'killed' },
      ];
      expect(after).toEqual(expected);
      expect(await s.audit.get(id)).toMatchObject({ status: 'completed', finishedAt, outcomes: expected, dasRequestIds: ['r1'], error: null });
      await expect(s.audit.updateOutcomes(id, [{ ...who(2), outcome: 'failed' }])).rejects.toThrow(/cannot become failed/);
      expect(await s.audit.updateOutcomes(id, [{ ...who(2), outcome: 'still-present' }])).toEqual([expected[0], { ...who(2), outcome: 'still-present' }, expected[2]]);
      // Resolved: the row is final again, whatever is asked.
      expect(await s.audit.updateOutcomes(id, [{ ...who(2), outcome: 'killed' }])).toEqual([expected[0], { ...who(2), outcome: 'still-present' }, expected[2]]);
      expect((await s.audit.get(id))?.outcomes[1]).toEqual({ ...who(2), outcome: 'still-present' });
      await expect(s.audit.updateOutcomes(randomUUID(), [{ ...who(2), outcome: 'killed' }])).rejects.toThrow(/no audit row/);
    });

    it('records a refusal as one failed row with its error', async () => {
      const id = randomUUID();
      await s.audit.appendRefusal(intent(id, { previewId: 'p-2', previewCreatedBy: 'carol', actor: 'oidc:c-42', actorName: 'Carol Doe' }), { code: 'PREVIEW_EXPIRED', message: 'expired' }, '2030-01-01T00:00:00.000Z');
      expect(await s.audit.get(id)).toMatchObject({ status: 'failed', finishedAt: '2030-01-01T00:00:00.000Z', actor: 'oidc:c-42', actorName: 'Carol Doe', previewCreatedBy: 'carol', error: { code: 'PREVIEW_EXPIRED', message: 'expired' } });
    });

    it('lists newest first with filters, totals and paging', async () => {
      const inst = `i-${randomUUID().slice(0, 8)}`;
      const t0 = Date.parse('2031-05-01T00:00:00.000Z');
      for (let n = 0; n < 5; n++) {
        await s.audit.appendIntent(intent(`${inst}-${n}`, { instanceId: inst, actor: n % 2 ? 'bob' : 'alice', at: new Date(t0 + n * 60_000).toISOString() }));
      }
      await s.audit.recordOutcome(`${inst}-1`, { status: 'completed', finishedAt: new Date().toISOString(), outcomes: [{ sessionId: 9, outcome: 'still-present' } as never], dasRequestIds: [] });
      const base = { limit: 50, offset: 0, instanceId: inst };
      expect((await s.audit.list(base)).entries.map((e) => e.id)).toEqual([4, 3, 2, 1, 0].map((n) => `${inst}-${n}`));
      expect((await s.audit.list({ ...base, actor: 'bob' })).total).toBe(2);
      expect((await s.audit.list({ ...base, id: `${inst}-3` })).entries.map((e) => e.id)).toEqual([`${inst}-3`]);
      expect((await s.audit.list({ ...base, id: `${inst}-none` })).total).toBe(0);
      expect((await s.audit.list({ ...base, outcome: 'still-present' })).entries.map((e) => e.id)).toEqual([`${inst}-1`]);
      expect((await s.audit.list({ ...base, status: 'pending' })).total).toBe(4);
      expect((await s.audit.list({ ...base, from: new Date(t0 + 60_000).toISOString(), to: new Date(t0 + 3 * 60_000).toISOString() })).entries.map((e) => e.id)).toEqual([`${inst}-2`, `${inst}-1`]);
      const page = await s.audit.list({ ...base, limit: 2, offset: 2 });
      expect(page.total).toBe(5);
      expect(page.entries.map((e) => e.id)).toEqual([`${inst}-2`, `${inst}-1`]);
      expect(page.nextOffset).toBe(4);
      expect((await s.audit.list({ ...base, offset: 3 })).nextOffset).toBeNull();
      // A page is bounded by bytes too: a tiny budget still answers one row, and says where to go on.
      const tiny = await s.audit.list(base, 1);
      expect(tiny.entries.map((e) => e.id)).toEqual([`${inst}-4`]);
      expect(tiny.nextOffset).toBe(1);
      const two = await s.audit.list({ ...base, offset: 1 }, 2 * (JSON.stringify(intent('x').target).length + JSON.stringify(intent('x').excluded).length + 2 + 2 + 'testing'.length + 400));
      expect(two.entries.map((e) => e.id)).toEqual([`${inst}-3`, `${inst}-2`]);
      expect(two.nextOffset).toBe(3);
      // no more pending rows from this test, so the restart test below counts only its own
      for (const n of [0, 2, 3, 4]) await s.audit.recordOutcome(`${inst}-${n}`, { status: 'failed', finishedAt: new Date().toISOString(), outcomes: [], dasRequestIds: [] });
    });

    it('after a restart, rows the previous run left pending become unknown', async () => {
      const other = await backend.open();
      const id = randomUUID();
      await other.audit.appendIntent(intent(id));
      await other.close();
      const again = await backend.open();
      try {
        expect(await again.audit.markPendingUnknown(new Date().toISOString())).toBeGreaterThanOrEqual(1);
        expect((await again.audit.get(id))?.status).toBe('unknown');
        expect((await s.audit.get(id))?.status).toBe('unknown');
      } finally {
        await again.close();
      }
    });

    it('saves previews, lets exactly one of several concurrent commits claim one, purges expired and committed ones', async () => {
      const p = preview();
      await s.previews.save(p);
      expect(await s.previews.get(p.id)).toEqual(p);
      const claims = await Promise.all(Array.from({ length: 8 }, (_, n) => s.previews.claim(p.id, `audit-${n}`, new Date().toISOString())));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await s.previews.claim(p.id, 'late', new Date().toISOString())).toBe(false);
      expect(await s.previews.claim(randomUUID(), 'none', new Date().toISOString())).toBe(false);
      const old = preview({ expiresAt: '2001-01-01T00:00:00.000Z' });
      const oldCommitted = preview({ expiresAt: '2001-01-01T00:00:00.000Z' });
      const committedLongAgo = preview();
      const fresh = preview();
      for (const x of [old, oldCommitted, committedLongAgo, fresh]) await s.previews.save(x);
      expect(await s.previews.claim(oldCommitted.id, 'a', new Date().toISOString())).toBe(true);
      expect(await s.previews.claim(committedLongAgo.id, 'b', '2001-01-01T00:00:00.000Z')).toBe(true);
      expect(await s.previews.purge('2001-01-02T00:00:00.000Z')).toBeGreaterThanOrEqual(3);
      expect(await s.previews.get(old.id)).toBeUndefined();
      expect(await s.previews.get(oldCommitted.id)).toBeUndefined();
      expect(await s.previews.get(committedLongAgo.id)).toBeUndefined();
      // Neither expired nor committed before the cut-off: kept (a commit that just claimed p is still running).
      expect(await s.previews.get(fresh.id)).toBeDefined();
      expect(await s.previews.get(p.id)).toBeDefined();
    });

    it('claims an idempotency key once among concurrent claims; replays the result; a different request is told apart', async () => {
      const actor = `u-${randomUUID()}`;
      const claims = await Promise.all(Array.from({ length: 8 }, () => s.idempotency.claim(actor, 'k', 'hash-a', new Date().toISOString())));
      expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
      // the others were told the first is still running (PostgreSQL: after waiting for it in vain)
      expect(claims.filter((c) => c.state === 'in-progress')).toHaveLength(7);
      const other = await s.idempotency.claim(actor, 'k', 'hash-b', new Date().toISOString());
      expect(other).toEqual({ state: 'in-progress', requestHash: 'hash-a' });
      const first = result('audit-1');
      await s.idempotency.complete(actor, 'k', first);
      expect(await s.idempotency.claim(actor, 'k', 'hash-a', new Date().toISOString())).toEqual({ state: 'done', requestHash: 'hash-a', result: first });
      // the same key of another actor is another key
      expect((await s.idempotency.claim(`${actor}-2`, 'k', 'hash-a', new Date().toISOString())).state).toBe('claimed');
    });

    it('releases an unfinished claim (never a finished one) and purges finished keys', async () => {
      const actor = `u-${randomUUID()}`;
      expect((await s.idempotency.claim(actor, 'r', 'h', new Date().toISOString())).state).toBe('claimed');
      await s.idempotency.release(actor, 'r');
      expect((await s.idempotency.claim(actor, 'r', 'h', new Date().toISOString())).state).toBe('claimed');
      await s.idempotency.complete(actor, 'r', result('a'));
      await s.idempotency.release(actor, 'r');
      expect((await s.idempotency.claim(actor, 'r', 'h', new Date().toISOString())).state).toBe('done');
      expect((await s.idempotency.claim(actor, 'old', 'h', '2001-01-01T00:00:00.000Z')).state).toBe('claimed');
      await s.idempotency.complete(actor, 'old', result('b'));
      expect(await s.idempotency.purgeFinished('2001-01-02T00:00:00.000Z')).toBeGreaterThanOrEqual(1);
      expect((await s.idempotency.claim(actor, 'old', 'h', new Date().toISOString())).state).toBe('claimed');
      expect((await s.idempotency.claim(actor, 'r', 'h', new Date().toISOString())).state).toBe('done');
    });

    it('keeps SQL throttles with every field, lists the active ones soonest due first, records the rule id', async () => {
      const later = throttle({ expiresAt: '2031-01-01T00:30:00.000Z', killAuditId: randomUUID() });
      const sooner = throttle({ instanceId: later.instanceId });
      await s.sqlThrottles.save(later);
      await s.sqlThrottles.save(sooner);
      await s.sqlThrottles.save(throttle());
      expect(await s.sqlThrottles.get(later.id)).toEqual(later);
      expect(await s.sqlThrottles.get(randomUUID())).toBeUndefined();
      expect((await s.sqlThrottles.listActive(later.instanceId)).map((t) => t.id)).toEqual([sooner.id, later.id]);
      await s.sqlThrottles.setRuleId(sooner.id, '17');
      expect((await s.sqlThrottles.get(sooner.id))?.ruleId).toBe('17');
    });

    it('leases each due throttle to one of several concurrent sweeps; a lapsed lease can be taken again; finishing happens once', async () => {
      const due = '2032-02-01T00:00:00.000Z';
      const mine = [throttle({ expiresAt: '2032-01-31T23:00:00.000Z' }), throttle({ expiresAt: '2032-01-31T23:30:00.000Z' })];
      const notYet = throttle({ expiresAt: '2032-02-01T00:00:01.000Z' });
      for (const t of [...mine, notYet]) await s.sqlThrottles.save(t);
      const leaseUntil = '2032-02-01T00:01:00.000Z';
      const claims = await Promise.all(Array.from({ length: 6 }, (_, n) => s.sqlThrottles.claimDue(due, `sweep-${n}`, leaseUntil, 1000)));
      const ours = new Set(mine.map((t) => t.id));
      const taken = claims.flatMap((c, n) => c.filter((t) => ours.has(t.id) || t.id === notYet.id).map((t) => ({ id: t.id, owner: `sweep-${n}` })));
      // each due throttle exactly once, the one not yet due never
      expect(taken.map((t) => t.id).sort()).toEqual([...ours].sort());
      // a lease still held is not taken, by a sweep or an early removal
      expect((await s.sqlThrottles.claimDue('2032-02-01T00:00:30.000Z', 'other', leaseUntil, 1000)).filter((t) => ours.has(t.id))).toEqual([]);
      expect(await s.sqlThrottles.claim(mine[0]!.id, 'remover', leaseUntil, '2032-02-01T00:00:30.000Z')).toBe(false);
      // the first holder dies: its lease lapses and another sweep takes it
      const first = taken.find((t) => t.id === mine[0]!.id)!;
      const retaken = await s.sqlThrottles.claimDue('2032-02-01T00:02:00.000Z', 'heir', '2032-02-01T00:03:00.000Z', 1000);
      expect(retaken.map((t) => t.id)).toContain(mine[0]!.id);
      expect(await s.sqlThrottles.finish(mine[0]!.id, first.owner, 'expired', due, 'quell')).toBe(false);
      expect(await s.sqlThrottles.finish(mine[0]!.id, 'heir', 'expired', '2032-02-01T00:02:01.000Z', 'quell')).toBe(true);
      expect(await s.sqlThrottles.finish(mine[0]!.id, 'heir', 'expired', '2032-02-01T00:02:01.000Z', 'quell')).toBe(false);
      expect(await s.sqlThrottles.get(mine[0]!.id)).toMatchObject({ status: 'expired', endedAt: '2032-02-01T00:02:01.000Z', endedBy: 'quell' });
      expect(await s.sqlThrottles.listActive(mine[0]!.instanceId)).toEqual([]);
      // the heir took the other lapsed one too; only the holder can give a lease back, and then it is free at once
      const second = taken.find((t) => t.id === mine[1]!.id)!;
      await s.sqlThrottles.release(mine[1]!.id, second.owner);
      expect(await s.sqlThrottles.claim(mine[1]!.id, 'remover', leaseUntil, '2032-02-01T00:02:30.000Z')).toBe(false);
      await s.sqlThrottles.release(mine[1]!.id, 'heir');
      expect(await s.sqlThrottles.claim(mine[1]!.id, 'remover', leaseUntil, '2032-02-01T00:00:30.000Z')).toBe(true);
      expect(await s.sqlThrottles.finish(mine[1]!.id, 'remover', 'removed', '2032-02-01T00:00:31.000Z', 'bob')).toBe(true);
      expect(await s.sqlThrottles.claim(mine[1]!.id, 'again', leaseUntil, '2032-02-01T00:10:00.000Z')).toBe(false);
    });

    it('a throttle saved before a restart is still due after it', async () => {
      const t = throttle();
      await s.sqlThrottles.save(t);
      const again = await backend.open();
      try {
        expect(await again.sqlThrottles.get(t.id)).toEqual(t);
      } finally {
        await again.close();
      }
    });

    it('enqueues an outbox delivery with its audit outcome in one transaction: both or neither', async () => {
      const dest = `d-${randomUUID()}`;
      const id = randomUUID();
      await s.audit.appendIntent(intent(id));
      const finishedAt = '2033-01-01T00:00:00.000Z';
      const e = incidentEvent();
      await s.audit.recordOutcome(id, { status: 'completed', finishedAt, outcomes: [], dasRequestIds: [] }, [{ destination: dest, event: e }]);
      const claimed = await s.outbox.claimDue(finishedAt, 'w', '2033-01-01T00:01:00.000Z', 10, [dest]);
      expect(claimed).toEqual([{ destination: dest, event: e, attempts: 0 }]);
      // a second outcome for the row is refused, and so is its delivery
      await expect(s.audit.recordOutcome(id, { status: 'failed', finishedAt, outcomes: [], dasRequestIds: [] }, [{ destination: dest, event: incidentEvent() }])).rejects.toThrow(/not pending/);
      expect((await s.outbox.summary()).find((d) => d.destination === dest)).toMatchObject({ pending: 1, failed: 0, delivered: 0 });
    });

    it('leases each due delivery to one of several concurrent workers; retries when due; delivers once; gives up when told', async () => {
      const dest = `d-${randomUUID()}`;
      const other = `d-${randomUUID()}`;
      const at = '2033-02-01T00:00:00.000Z';
      const events = [incidentEvent(), incidentEvent(), incidentEvent()];
      const deliveries: OutboxDelivery[] = [...events.map((event) => ({ destination: dest, event })), { destination: other, event: events[0]! }];
      await s.outbox.enqueue(deliveries, at);
      await s.outbox.enqueue([{ destination: dest, event: events[0]! }], at); // enqueued again: kept once
      const lease = '2033-02-01T00:01:00.000Z';
      const claims = await Promise.all(Array.from({ length: 5 }, (_, n) => s.outbox.claimDue(at, `w-${n}`, lease, 1000, [dest])));
      const taken = claims.flatMap((c, n) => c.map((d) => ({ id: d.event.id, dest: d.destination, owner: `w-${n}` })));
      expect(taken.map((t) => t.id).sort()).toEqual(events.map((e) => e.id).sort());
      expect(taken.every((t) => t.dest === dest)).toBe(true);
      // a held lease is not taken again; a lapsed one is
      expect(await s.outbox.claimDue('2033-02-01T00:00:30.000Z', 'x', lease, 1000, [dest])).toEqual([]);
      const [a, b, c] = events.map((e) => taken.find((t) => t.id === e.id)!);
      expect(await s.outbox.markDelivered(a!.id, dest, 'not-the-holder', at)).toBe(false);
      expect(await s.outbox.markDelivered(a!.id, dest, a!.owner, '2033-02-01T00:00:01.000Z')).toBe(true);
      expect(await s.outbox.markDelivered(a!.id, dest, a!.owner, '2033-02-01T00:00:01.000Z')).toBe(false);
      // a failed attempt frees the lease and is due again at the retry time, not before
      expect(await s.outbox.markAttemptFailed(b!.id, dest, b!.owner, 'HTTP 500', '2033-02-01T00:00:02.000Z', '2033-02-01T00:00:10.000Z')).toBe(true);
      expect((await s.outbox.claimDue('2033-02-01T00:00:09.000Z', 'y', '2033-02-01T00:05:00.000Z', 1000, [dest])).map((d) => d.event.id)).toEqual([]);
      const again = await s.outbox.claimDue('2033-02-01T00:00:10.000Z', 'y', '2033-02-01T00:05:00.000Z', 1000, [dest]);
      expect(again).toEqual([{ destination: dest, event: events[1], attempts: 1 }]);
      expect(await s.outbox.markAttemptFailed(b!.id, dest, 'y', 'timed out', '2033-02-01T00:00:11.000Z', null)).toBe(true);
      // the lapsed lease of the third is taken by a new worker
      const heir = await s.outbox.claimDue('2033-02-01T00:02:00.000Z', 'heir', '2033-02-01T00:03:00.000Z', 1000, [dest]);
      expect(heir.map((d) => d.event.id)).toEqual([c!.id]);
      const summary = (await s.outbox.summary()).find((d) => d.destination === dest);
      expect(summary).toEqual({ destination: dest, pending: 1, failed: 1, delivered: 1, lastError: 'timed out', lastErrorAt: '2033-02-01T00:00:11.000Z', oldestPendingAt: at });
      const undelivered = (await s.outbox.listUndelivered(1000)).filter((d) => d.destination === dest);
      expect(undelivered.map((d) => [d.eventId, d.status, d.attempts]).sort()).toEqual(
        [
          [b!.id, 'failed', 2],
          [c!.id, 'pending', 0],
        ].sort(),
      );
      expect(undelivered.find((d) => d.eventId === b!.id)).toMatchObject({ type: 'kill.committed', lastError: 'timed out' });
      // delivered rows are purged after a while; the others stay
      expect(await s.outbox.purgeDelivered('2033-02-01T00:00:02.000Z')).toBeGreaterThanOrEqual(1);
      expect((await s.outbox.summary()).find((d) => d.destination === dest)).toMatchObject({ pending: 1, failed: 1, delivered: 0 });
    });

    it('keeps pending deliveries across a restart', async () => {
      const dest = `d-${randomUUID()}`;
      const e = incidentEvent();
      await s.outbox.enqueue([{ destination: dest, event: e }], '2033-03-01T00:00:00.000Z');
      const again = await backend.open();
      try {
        expect(await again.outbox.claimDue('2033-03-01T00:00:00.000Z', 'after-restart', '2033-03-01T00:01:00.000Z', 10, [dest])).toEqual([{ destination: dest, event: e, attempts: 0 }]);
      } finally {
        await again.close();
      }
    });

    it('keeps an approval request with its frozen preview; the same requester and key find the same request', async () => {
      const a = approval();
      expect(await s.approvals.save(a)).toEqual(a);
      expect(await s.approvals.get(a.id)).toEqual(a);
      const again = await s.approvals.save({ ...a, id: randomUUID(), reason: 'a retry' });
      expect(again).toEqual(a);
      const other = approval({ idempotencyKey: a.idempotencyKey });
      expect((await s.approvals.save(other)).id).toBe(other.id);
      expect(await s.approvals.get(randomUUID())).toBeUndefined();
    });

    it('lists the pending requests not yet due, soonest due first', async () => {
      const later = approval({ expiresAt: '2034-01-01T00:20:00.000Z' });
      const sooner = approval({ expiresAt: '2034-01-01T00:10:00.000Z' });
      const due = approval({ expiresAt: '2034-01-01T00:00:30.000Z' });
      for (const a of [later, sooner, due]) await s.approvals.save(a);
      const mine = new Set([later.id, sooner.id, due.id]);
      const listed = (await s.approvals.listPending('2034-01-01T00:01:00.000Z')).filter((a) => mine.has(a.id));
      expect(listed.map((a) => a.id)).toEqual([sooner.id, later.id]);
    });

    it('lets exactly one of several concurrent deciders decide, and nobody after the due time', async () => {
      const a = approval({ expiresAt: '2035-01-01T00:10:00.000Z' });
      await s.approvals.save(a);
      const now = '2035-01-01T00:05:00.000Z';
      const wins = await Promise.all(
        ['bob', 'carol', 'dave', 'erin'].map((by, i) => s.approvals.decide(a.id, { status: i % 2 ? 'denied' : 'approved', by, at: now, comment: `by ${by}`, breakGlass: false }, now)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      const stored = await s.approvals.get(a.id);
      const winner = ['bob', 'carol', 'dave', 'erin'][wins.indexOf(true)]!;
      expect([stored?.status, stored?.decidedBy, stored?.comment, stored?.decidedAt]).toEqual([wins.indexOf(true) % 2 ? 'denied' : 'approved', winner, `by ${winner}`, now]);
      await s.approvals.setAuditId(a.id, 'audit-1');
      expect((await s.approvals.get(a.id))?.auditId).toBe('audit-1');

      const late = approval({ expiresAt: '2035-01-01T00:10:00.000Z' });
      await s.approvals.save(late);
      expect(await s.approvals.decide(late.id, { status: 'approved', by: 'bob', at: '2035-01-01T00:10:00.000Z', comment: null, breakGlass: true }, '2035-01-01T00:10:00.000Z')).toBe(false);
      expect((await s.approvals.get(late.id))?.status).toBe('pending');
    });

    it('expires each due request for exactly one of several concurrent sweeps, durably, and never a decided one', async () => {
      const due = [approval({ expiresAt: '2036-01-01T00:00:01.000Z' }), approval({ expiresAt: '2036-01-01T00:00:02.000Z' })];
      const decided = approval({ expiresAt: '2036-01-01T00:00:01.000Z' });
      const notYet = approval({ expiresAt: '2036-01-01T01:00:00.000Z' });
      for (const a of [...due, decided, notYet]) await s.approvals.save(a);
      expect(await s.approvals.decide(decided.id, { status: 'approved', by: 'bob', at: '2036-01-01T00:00:00.000Z', comment: null, breakGlass: false }, '2036-01-01T00:00:00.000Z')).toBe(true);
      const now = '2036-01-01T00:00:05.000Z';
      const sweeps = await Promise.all([1, 2, 3].map(() => s.approvals.expireDue(now, 100)));
      const mine = new Set([...due, decided, notYet].map((a) => a.id));
      const expired = sweeps.flat().filter((a) => mine.has(a.id));
      expect(expired.map((a) => a.id).sort()).toEqual(due.map((a) => a.id).sort());
      expect(expired.every((a) => a.status === 'expired' && a.decidedAt === now)).toBe(true);
      const reopened = await backend.open();
      try {
        expect((await reopened.approvals.get(due[0]!.id))?.status).toBe('expired');
        expect((await reopened.approvals.get(decided.id))?.status).toBe('approved');
        expect((await reopened.approvals.get(notYet.id))?.status).toBe('pending');
      } finally {
        await reopened.close();
      }
    });

    it('keeps the approval behind an audit row', async () => {
      const id = randomUUID();
      const info = { requestId: randomUUID(), kind: 'broad' as const, requestedBy: 'alice', requestedAt: '2033-01-01T00:00:00.000Z', decision: 'approved' as const, approvedBy: 'bob', decidedAt: '2033-01-01T00:01:00.000Z', breakGlass: false };
      await s.audit.appendIntent(intent(id, { approval: info }));
      expect((await s.audit.get(id))?.approval).toEqual(info);
      const refused = randomUUID();
      await s.audit.appendRefusal(intent(refused, { approval: { ...info, decision: 'denied', approvedBy: undefined, deniedBy: 'carol' } as never }), { code: 'APPROVAL_DENIED', message: 'denied' }, new Date().toISOString());
      expect((await s.audit.get(refused))?.approval?.deniedBy).toBe('carol');
      const plain = randomUUID();
      await s.audit.appendIntent(intent(plain));
      expect((await s.audit.get(plain))?.approval).toBeNull();
    });

    it('accepts writes for readiness', async () => {
      await expect(s.checkWritable()).resolves.toBeUndefined();
    });
  });
}

export interface SessionStoreBackend {
  setup(): Promise<void>;
  /** A store whose sessions expire after `idleMs` without a touch (the embedded one through purgeIdle). */
  open(idleMs: number): Promise<LoginSessionStore>;
  teardown(): Promise<void>;
}

export function describeLoginSessionStoreContract(name: string, backend: SessionStoreBackend): void {
  describe(`login session store contract: ${name}`, () => {
    const idleMs = 2000;
    let s: LoginSessionStore;
    beforeAll(async () => {
      await backend.setup();
      s = await backend.open(idleMs);
    });
    afterAll(async () => {
      await backend.teardown();
    });
    const session = (username: string) => ({ idHash: randomUUID().replace(/-/g, ''), username, csrfToken: randomUUID(), createdAt: Date.now(), lastSeenAt: Date.now() });

    it('creates, reads, touches and destroys a session', async () => {
      const x = session('carol');
      await s.create(x);
      expect(await s.get(x.idHash)).toEqual(x);
      await s.touch(x.idHash, x.lastSeenAt + 5);
      expect((await s.get(x.idHash))?.lastSeenAt).toBe(x.lastSeenAt + 5);
      await s.destroy(x.idHash);
      expect(await s.get(x.idHash)).toBeUndefined();
      // touching a destroyed session does not bring it back
      await s.touch(x.idHash, Date.now());
      expect(await s.get(x.idHash)).toBeUndefined();
    });

    it('keeps the role and display name of an identity-provider session', async () => {
      const x = { ...session('oidc:sub-1'), role: 'operator' as const, displayName: 'Olga Oncall' };
      await s.create(x);
      expect(await s.get(x.idHash)).toEqual(x);
      await s.destroy(x.idHash);
    });

    it('ends every session of one user, and only theirs', async () => {
      const u = `dave-${randomUUID().slice(0, 6)}`;
      const a = session(u);
      const b = session(u);
      const other = session(`${u}-x`);
      for (const x of [a, b, other]) await s.create(x);
      await s.destroyForUser(u);
      expect(await s.get(a.idHash)).toBeUndefined();
      expect(await s.get(b.idHash)).toBeUndefined();
      expect(await s.get(other.idHash)).toEqual(other);
    });

    it('forgets a session idle for longer than the idle expiry; a touched one lives on', async () => {
      const idle = session('erin');
      const busy = session('erin');
      await s.create(idle);
      await s.create(busy);
      await new Promise((r) => setTimeout(r, idleMs * 0.6));
      await s.touch(busy.idHash, Date.now());
      await new Promise((r) => setTimeout(r, idleMs * 0.6));
      await s.purgeIdle(Date.now() - idleMs);
      expect(await s.get(idle.idHash)).toBeUndefined();
      expect(await s.get(busy.idHash)).toBeDefined();
    });
  });
}

export interface ThrottleBackend {
  setup(): Promise<void>;
  /** Two throttles (two replicas, or the same one twice for an in-process throttle) with these limits. */
  open(limits: ThrottleLimits): Promise<[LoginThrottle, LoginThrottle]>;
  teardown(): Promise<void>;
}

export function describeThrottleContract(name: string, backend: ThrottleBackend): void {
  describe(`login throttle contract: ${name}`, () => {
    let a: LoginThrottle;
    let b: LoginThrottle;
    beforeAll(async () => {
      await backend.setup();
      [a, b] = await backend.open({ windowMs: 60_000, perAccountClient: 3, perClient: 5, perAccount: 4, slowdownMs: 250 });
    });
    afterAll(async () => {
      await backend.teardown();
    });

    it('counts failures per (account, client) across both throttles; success clears the pair', async () => {
      const acct = `acct-${randomUUID()}`;
      const client = `10.1.${Math.floor(Math.random() * 250)}.1`;
      await a.recordFailure(acct, client);
      expect((await b.recordFailure(acct, client)).attemptsLeft).toBe(1);
      expect((await a.check(acct, client)).retryAfterSeconds).toBe(0);
      await a.recordFailure(acct.toUpperCase(), client);
      const wait = (await b.check(acct, client)).retryAfterSeconds;
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(60);
      expect((await b.check(acct, `${client}9`)).retryAfterSeconds).toBe(0);
      await b.recordSuccess(acct, client);
      expect((await a.check(acct, client)).retryAfterSeconds).toBe(0);
    });

    it('counts failures per client address across accounts', async () => {
      const client = `10.2.${Math.floor(Math.random() * 250)}.2`;
      for (let n = 0; n < 5; n++) await (n % 2 ? a : b).recordFailure(`acct-${randomUUID()}`, client);
      expect((await a.check(`fresh-${randomUUID()}`, client)).retryAfterSeconds).toBeGreaterThan(0);
      expect((await b.check(`fresh-${randomUUID()}`, `${client}0`)).retryAfterSeconds).toBe(0);
    });

    it('an account failed from many clients is only slowed for a client with no failures', async () => {
      const acct = `acct-${randomUUID()}`;
      for (let n = 0; n < 6; n++) await (n % 2 ? a : b).recordFailure(acct, `10.3.${n}.${Math.floor(Math.random() * 250)}`);
      expect(await a.check(acct, '10.4.0.1')).toEqual({ retryAfterSeconds: 0, attemptsLeft: 3, delayMs: 250 });
    });
  });
}
