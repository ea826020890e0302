// The sql_throttles row shape, the same in SQLite and PostgreSQL: the fields the stores query on are
// columns, the rest of the record is JSON text.
import type { SqlThrottleRecord } from '../throttle/types.ts';

export interface SqlThrottleRow {
  id: string;
  instance_id: string;
  expires_at: string;
  status: string;
  rule_id: string | null;
  ended_at: string | null;
  ended_by: string | null;
  data: string;
}

type Columns = 'id' | 'instanceId' | 'expiresAt' | 'status' | 'ruleId' | 'endedAt' | 'endedBy';

/** The record without its column fields, as JSON. */
export function throttleData(t: SqlThrottleRecord): string {
  const { id: _id, instanceId: _i, expiresAt: _e, status: _s, ruleId: _r, endedAt: _ea, endedBy: _eb, ...rest } = t;
  return JSON.stringify(rest satisfies Omit<SqlThrottleRecord, Columns>);
}

export function throttleFromRow(r: SqlThrottleRow): SqlThrottleRecord {
  return {
    ...(JSON.parse(r.data) as Omit<SqlThrottleRecord, Columns>),
    id: r.id,
    instanceId: r.instance_id,
    expiresAt: r.expires_at,
    status: r.status as SqlThrottleRecord['status'],
    ruleId: r.rule_id,
    endedAt: r.ended_at,
    endedBy: r.ended_by,
  };
}

/** The values of one row, in the order of THROTTLE_COLUMNS (both stores insert the same row). */
export const THROTTLE_COLUMNS = 'id, instance_id, expires_at, status, rule_id, ended_at, ended_by, data';
export function throttleValues(t: SqlThrottleRecord): unknown[] {
  return [t.id, t.instanceId, t.expiresAt, t.status, t.ruleId, t.endedAt, t.endedBy, throttleData(t)];
}
