// The approvals row shape, the same in SQLite and PostgreSQL: the fields the stores query or change
// are columns, the rest of the record (the frozen preview among it) is JSON text.
import type { ApprovalRecord } from '../approvals/types.ts';

export interface ApprovalRow {
  id: string;
  instance_id: string;
  status: string;
  requested_by: string;
  idempotency_key: string;
  requested_at: string;
  expires_at: string;
  decided_by: string | null;
  decided_at: string | null;
  comment: string | null;
  break_glass: number | boolean;
  audit_id: string | null;
  data: string;
}

type Columns = 'id' | 'instanceId' | 'status' | 'requestedBy' | 'idempotencyKey' | 'requestedAt' | 'expiresAt' | 'decidedBy' | 'decidedAt' | 'comment' | 'breakGlass' | 'auditId';

export const APPROVAL_COLUMNS = 'id, instance_id, status, requested_by, idempotency_key, requested_at, expires_at, decided_by, decided_at, comment, break_glass, audit_id, data';

/** The values of one row, in the order of APPROVAL_COLUMNS (both stores insert the same row). */
export function approvalValues(a: ApprovalRecord): unknown[] {
  const { id, instanceId, status, requestedBy, idempotencyKey, requestedAt, expiresAt, decidedBy, decidedAt, comment, breakGlass, auditId, ...rest } = a;
  const data = JSON.stringify(rest satisfies Omit<ApprovalRecord, Columns>);
  return [id, instanceId, status, requestedBy, idempotencyKey, requestedAt, expiresAt, decidedBy, decidedAt, comment, breakGlass ? 1 : 0, auditId, data];
}

export function approvalFromRow(r: ApprovalRow): ApprovalRecord {
  return {
    ...(JSON.parse(r.data) as Omit<ApprovalRecord, Columns>),
    id: r.id,
    instanceId: r.instance_id,
    status: r.status as ApprovalRecord['status'],
    requestedBy: r.requested_by,
    idempotencyKey: r.idempotency_key,
    requestedAt: r.requested_at,
    expiresAt: r.expires_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    comment: r.comment,
    breakGlass: Number(r.break_glass) === 1,
    auditId: r.audit_id,
  };
}
