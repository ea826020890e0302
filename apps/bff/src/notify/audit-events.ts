// Incident events from audit outcomes: the kill modes (preview → kill.committed, broad, blind) and the
// throttle steps (create, expire, remove). One place decides which outcome the channel hears about.
import { randomUUID } from 'node:crypto';
import type { IncidentEvent, IncidentEventType } from '@quell/contracts/events';
import type { Environment } from '@quell/contracts/instances';
import type { AuditIntent, AuditOutcome } from '../kill/types.ts';

const EVENT_OF_MODE: Partial<Record<AuditIntent['mode'], IncidentEventType>> = {
  preview: 'kill.committed',
  broad: 'kill.broad',
  blind: 'kill.blind',
  'throttle-create': 'throttle.created',
  'throttle-expire': 'throttle.expired',
  'throttle-remove': 'throttle.removed',
};

export interface EventInstance {
  id: string;
  name: string;
  environment: Environment;
}

/** The link to one audit entry in Quell's audit page (absent without a public URL). */
export function auditLink(publicUrl: string | undefined, auditId: string): string | undefined {
  return publicUrl ? `${publicUrl}/audit?id=${encodeURIComponent(auditId)}` : undefined;
}

/**
 * The event an audit outcome makes, with a fresh id (stored with the outcome, so the id is stable across
 * retries); undefined for an outcome the channel does not hear about: other modes, and throttle steps
 * that failed (no throttle changed).
 */
export function eventOfOutcome(intent: AuditIntent, outcome: AuditOutcome, instance: EventInstance, publicUrl?: string): IncidentEvent | undefined {
  const type = EVENT_OF_MODE[intent.mode];
  if (!type) return undefined;
  const base = {
    id: randomUUID(),
    type,
    occurredAt: outcome.finishedAt,
    instance: { id: instance.id, name: instance.name, environment: instance.environment },
    actor: intent.actorName ?? intent.actor,
    reason: intent.reason,
    auditId: intent.id,
    ...(publicUrl ? { link: auditLink(publicUrl, intent.id)! } : {}),
  };
  if (type.startsWith('throttle.')) {
    const t = intent.target.throttle;
    if (outcome.status !== 'completed' || !t) return undefined;
    return { ...base, throttle: { id: t.throttleId, pattern: t.pattern, sqlType: t.sqlType, maxConcurrency: t.maxConcurrency, expiresAt: t.expiresAt } };
  }
  const counts: Record<string, number> = {};
  for (const o of outcome.outcomes) counts[o.outcome] = (counts[o.outcome] ?? 0) + 1;
  return { ...base, status: outcome.status === 'completed' ? 'completed' : 'failed', counts };
}
