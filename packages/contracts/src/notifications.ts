// Where incident events go, and how their delivery is going: the admin page of notification
// destinations. Error texts are Quell's own (an HTTP status, a network error code), never a URL or secret.
import { z } from 'zod';
import { IncidentEventType } from './events.ts';
import { Environment } from './instances.ts';

export const DestinationType = z.enum(['slack', 'webhook']);
export type DestinationType = z.infer<typeof DestinationType>;

export const NotificationDestinationStatus = z.object({
  name: z.string(),
  type: DestinationType,
  /** The instance environments it hears about; null: every environment. */
  environments: z.array(Environment).nullable(),
  pending: z.number().int().nonnegative(),
  /** Deliveries given up after the last attempt allowed. */
  failed: z.number().int().nonnegative(),
  delivered: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  oldestPendingAt: z.string().nullable(),
});
export type NotificationDestinationStatus = z.infer<typeof NotificationDestinationStatus>;

export const NotificationDelivery = z.object({
  eventId: z.string(),
  destination: z.string(),
  type: IncidentEventType,
  status: z.enum(['pending', 'failed']),
  attempts: z.number().int().nonnegative(),
  createdAt: z.string(),
  nextAttemptAt: z.string(),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
});
export type NotificationDelivery = z.infer<typeof NotificationDelivery>;

export const NotificationStatusResponse = z.object({
  destinations: z.array(NotificationDestinationStatus),
  /** Pending and failed deliveries, newest first (at most NOTIFICATION_LIST_LIMIT). */
  undelivered: z.array(NotificationDelivery),
});
export type NotificationStatusResponse = z.infer<typeof NotificationStatusResponse>;

export const NOTIFICATION_LIST_LIMIT = 100;
