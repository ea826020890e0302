import { describe, expect, it } from 'vitest';
import type { AuditIntent, AuditOutcome } from '../kill/types.ts';
import { eventOfOutcome } from './audit-events.ts';
import { backoffMs } from './delivery.ts';

const instance = { id: 'orders', name: 'orders-db', environment: 'prod' as const };
const intent = (over: Partial<AuditIntent> = {}): AuditIntent => ({
  id: 'audit-1',
  at: '2026-12-01T09:40:00.000Z',
  actor: 'oidc:abc',
  actorName: 'Alice Example',
  role: 'operator',
  instanceId: 'orders',
  mode: 'preview',
  target: { user: 'app' },
  reason: 'runaway',
  excluded: [],
  idempotencyKey: 'k',
  ...over,
});
const outcome = (over: Partial<AuditOutcome> = {}): AuditOutcome => ({
  status: 'completed',
  finishedAt: '2026-12-01T09:41:00.000Z',
  outcomes: [
    { sessionId: 1, outcome: 'killed' },
    { sessionId: 2, outcome: 'killed' },
    { sessionId: 3, outcome: 'gone-before-kill' },
  ] as AuditOutcome['outcomes'],
  dasRequestIds: [],
  ...over,
});

describe('the incident event of an audit outcome', () => {
  it('a preview commit is kill.committed with counts per outcome, the display name and a link', () => {
    const e = eventOfOutcome(intent(), outcome(), instance, 'https://quell.example.com');
    expect(e).toMatchObject({
      type: 'kill.committed',
      status: 'completed',
      occurredAt: '2026-12-01T09:41:00.000Z',
      instance,
      actor: 'Alice Example',
      reason: 'runaway',
      auditId: 'audit-1',
      counts: { killed: 2, 'gone-before-kill': 1 },
      link: 'https://quell.example.com/audit?id=audit-1',
    });
    expect(e!.id).toMatch(/^[0-9a-f-]{36}$/);
    // A fresh id per outcome; the outbox keeps it, so retries send the same one.
    expect(eventOfOutcome(intent(), outcome(), instance)!.id).not.toBe(e!.id);
  });

  it('broad and blind kills are their own types; a failed kill is notified as failed', () => {
    expect(eventOfOutcome(intent({ mode: 'broad' }), outcome(), instance)?.type).toBe('kill.broad');
    expect(eventOfOutcome(intent({ mode: 'blind' }), outcome({ status: 'failed' }), instance)).toMatchObject({ type: 'kill.blind', status: 'failed' });
  });

  it('throttle steps carry the throttle; a failed step (no throttle changed) is not notified', () => {
    const throttle = { throttleId: 't-1', sqlType: 'SELECT', pattern: 'select~orders', maxConcurrency: 2, expiresAt: '2026-12-01T10:41:00.000Z', ruleId: '9', killAuditId: null };
    const steps = [
      ['throttle-create', 'throttle.created'],
      ['throttle-expire', 'throttle.expired'],
      ['throttle-remove', 'throttle.removed'],
    ] as const;
    for (const [mode, type] of steps) {
      const e = eventOfOutcome(intent({ mode, target: { throttle } as AuditIntent['target'] }), outcome({ outcomes: [] }), instance);
      expect(e).toMatchObject({ type, throttle: { id: 't-1', pattern: 'select~orders', sqlType: 'SELECT', maxConcurrency: 2, expiresAt: throttle.expiresAt } });
      expect(e).not.toHaveProperty('counts');
    }
    expect(eventOfOutcome(intent({ mode: 'throttle-create', target: { throttle } as AuditIntent['target'] }), outcome({ status: 'failed' }), instance)).toBeUndefined();
  });
});

describe('the delivery backoff', () => {
  it('doubles from the base after each failed attempt, up to the cap', () => {
    const s = { backoffBaseMs: 2_000, backoffMaxMs: 600_000 };
    expect([1, 2, 3, 4, 9, 10, 500].map((n) => backoffMs(n, s))).toEqual([2_000, 4_000, 8_000, 16_000, 512_000, 600_000, 600_000]);
  });
});
