// Incident events: what Quell tells a team's channel (Slack, signed webhooks). One shape for every
// destination; `id` is stable across retries so a receiver can drop duplicates.
import { z } from 'zod';
import { Environment } from './instances.ts';

export const IncidentEventType = z.enum([
  'kill.committed',
  'kill.broad',
  'kill.blind',
  'throttle.created',
  'throttle.expired',
  'throttle.removed',
  'approval.requested',
  'approval.granted',
  'approval.denied',
  'approval.expired',
]);
export type IncidentEventType = z.infer<typeof IncidentEventType>;

export const IncidentEvent = z.object({
  /** Stable event id (UUID): the same on every delivery attempt of this event. */
  id: z.string().uuid(),
  type: IncidentEventType,
  occurredAt: z.string().datetime(),
  instance: z.object({ id: z.string(), name: z.string(), environment: Environment }),
  /** Who did it (username); for approval.granted/denied the approver, for approval.expired the requester. */
  actor: z.string(),
  reason: z.string(),
  /** Absolute link to the audit entry or the approval request in Quell (absent when no public URL is configured). */
  link: z.string().url().optional(),
  /** The audit entry behind the event, when there is one. */
  auditId: z.string().optional(),
  /** Kill events: whether the kill finished as asked, or failed (DAS refused some or all of it). */
  status: z.enum(['completed', 'failed']).optional(),
  /** Kill events: how many sessions ended in each outcome (killed, already-gone, still-present, …). */
  counts: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** Throttle events. */
  throttle: z.object({ id: z.string(), pattern: z.string(), sqlType: z.string(), maxConcurrency: z.number().int(), expiresAt: z.string() }).optional(),
  /** Approval events. */
  approval: z
    .object({
      id: z.string(),
      requester: z.string(),
      approver: z.string().optional(),
      comment: z.string().optional(),
      /** An admin approved their own request. */
      breakGlass: z.boolean().optional(),
      targetCount: z.number().int().nonnegative(),
      expiresAt: z.string(),
    })
    .optional(),
});
export type IncidentEvent = z.infer<typeof IncidentEvent>;
