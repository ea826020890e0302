// The outbox table's row shape and value order, the same in SQLite and PostgreSQL (the event as JSON text).
import type { IncidentEvent } from '@quell/contracts/events';
import type { OutboxClaim, OutboxDelivery, OutboxDestinationSummary, OutboxEntry } from './types.ts';

export interface OutboxRow {
  event_id: string;
  destination: string;
  type: string;
  event: string;
  status: string;
  attempts: number;
  created_at: string;
  next_attempt_at: string;
  last_error: string | null;
  last_error_at: string | null;
}

export const OUTBOX_INSERT_COLUMNS = 'event_id, destination, type, event, status, attempts, created_at, next_attempt_at';

/** The values of OUTBOX_INSERT_COLUMNS for a new pending delivery due at `at`. */
export function outboxValues(d: OutboxDelivery, at: string): unknown[] {
  return [d.event.id, d.destination, d.event.type, JSON.stringify(d.event), 'pending', 0, at, at];
}

export function claimFromRow(r: OutboxRow): OutboxClaim {
  return { destination: r.destination, event: JSON.parse(r.event) as IncidentEvent, attempts: Number(r.attempts) };
}

export function entryFromRow(r: OutboxRow): OutboxEntry {
  return {
    eventId: r.event_id,
    destination: r.destination,
    type: r.type as OutboxEntry['type'],
    status: r.status as OutboxEntry['status'],
    attempts: Number(r.attempts),
    createdAt: r.created_at,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
  };
}

/** Per destination: counts by status, the newest error and the oldest pending delivery. */
export function outboxSummarySql(table: string): string {
  return `SELECT destination,
    SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
    SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed,
    SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
    MAX(last_error_at) AS last_error_at,
    (SELECT e.last_error FROM ${table} e WHERE e.destination = ${table}.destination AND e.last_error_at IS NOT NULL ORDER BY e.last_error_at DESC LIMIT 1) AS last_error,
    MIN(CASE WHEN status = 'pending' THEN created_at END) AS oldest_pending_at
    FROM ${table} GROUP BY destination ORDER BY destination`;
}

export interface OutboxSummaryRow {
  destination: string;
  pending: unknown;
  failed: unknown;
  delivered: unknown;
  last_error: string | null;
  last_error_at: string | null;
  oldest_pending_at: string | null;
}

export function summaryFromRow(r: OutboxSummaryRow): OutboxDestinationSummary {
  return {
    destination: r.destination,
    pending: Number(r.pending),
    failed: Number(r.failed),
    delivered: Number(r.delivered),
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
    oldestPendingAt: r.oldest_pending_at,
  };
}
