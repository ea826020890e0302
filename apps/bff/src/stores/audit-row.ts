// The audit table's row shape, the same in SQLite and PostgreSQL (JSON columns stored as text).
import type { AuditEntry } from '@quell/contracts/audit';

export interface AuditRow {
  id: string;
  at: string;
  finished_at: string | null;
  actor: string;
  role: string;
  instance_id: string;
  mode: string;
  target: string;
  reason: string;
  status: string;
  excluded: string;
  outcomes: string;
  das_request_ids: string;
  idempotency_key: string | null;
  preview_id: string | null;
  preview_created_by: string | null;
  error: string | null;
}

export function toEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    finishedAt: r.finished_at,
    actor: r.actor,
    role: r.role,
    instanceId: r.instance_id,
    mode: r.mode as AuditEntry['mode'],
    target: JSON.parse(r.target) as AuditEntry['target'],
    reason: r.reason,
    status: r.status as AuditEntry['status'],
    excluded: JSON.parse(r.excluded) as AuditEntry['excluded'],
    outcomes: JSON.parse(r.outcomes) as AuditEntry['outcomes'],
    dasRequestIds: JSON.parse(r.das_request_ids) as string[],
    idempotencyKey: r.idempotency_key,
    previewId: r.preview_id,
    previewCreatedBy: r.preview_created_by ?? null,
    error: r.error ? (JSON.parse(r.error) as { code: string; message: string }) : null,
  };
}
