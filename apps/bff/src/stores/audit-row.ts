// The audit table's row shape, the same in SQLite and PostgreSQL (JSON columns stored as text).
import type { AuditApproval } from '@quell/contracts/approvals';
import type { AuditEntry } from '@quell/contracts/audit';
import type { SessionOutcome } from '@quell/contracts/kill';

export interface AuditRow {
  id: string;
  at: string;
  finished_at: string | null;
  actor: string;
  actor_name: string | null;
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
  not_found_count: number | null;
  error: string | null;
  approval?: string | null;
}

/** About how much of a page one row takes (its JSON columns and reason, plus the fixed fields), in SQL. */
export const ROW_SIZE_SQL = '(length(target) + length(excluded) + length(outcomes) + length(das_request_ids) + length(reason) + 400)';

/** The next page's offset, or null when this page reached the end. */
export function nextOffsetOf(offset: number, returned: number, total: number): number | null {
  return offset + returned < total ? offset + returned : null;
}

export function toEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    finishedAt: r.finished_at,
    actor: r.actor,
    actorName: r.actor_name ?? null,
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
    ...(r.not_found_count !== null && r.not_found_count !== undefined ? { notFoundCount: Number(r.not_found_count) } : {}),
    error: r.error ? (JSON.parse(r.error) as { code: string; message: string }) : null,
    approval: r.approval ? (JSON.parse(r.approval) as AuditApproval) : null,
  };
}

/** What a `rolling-back` outcome may become (the audit trail otherwise never changes a finished row). */
const ROLLBACK_RESOLUTIONS = new Set<SessionOutcome['outcome']>(['killed', 'still-present', 'rolling-back']);

/**
 * The stored outcomes with the updates of their rolling-back sessions applied; undefined when nothing
 * changes. An update for a session that is not rolling back (any more) is ignored: another recheck got
 * there first. Throws on an update to anything but a resolution of a rollback.
 */
export function mergeRollingBack(stored: SessionOutcome[], updates: SessionOutcome[]): SessionOutcome[] | undefined {
  const byId = new Map<number, SessionOutcome>();
  for (const u of updates) {
    if (!ROLLBACK_RESOLUTIONS.has(u.outcome)) throw new Error(`a rolling-back outcome cannot become ${u.outcome}`);
    byId.set(u.sessionId, u);
  }
  let changed = false;
  const merged = stored.map((o) => {
    const u = o.outcome === 'rolling-back' ? byId.get(o.sessionId) : undefined;
    if (u === undefined || JSON.stringify(u) === JSON.stringify(o)) return o;
    changed = true;
    return u;
  });
  return changed ? merged : undefined;
}

/** Recognises, in SQL, a stored outcomes column that still holds a rolling-back session (as JSON.stringify writes it). */
export const ROLLING_BACK_JSON = '"outcome":"rolling-back"';
