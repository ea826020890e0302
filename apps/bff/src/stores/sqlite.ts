// SQLite (better-sqlite3 12, WAL) implementation of every store: the embedded default.
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AUDIT_PAGE_MAX_BYTES, type AuditEntry, type AuditQuery } from '@quell/contracts/audit';
import type { Role } from '@quell/contracts/common';
import type { KillResult, SessionOutcome } from '@quell/contracts/kill';
import { mergeRollingBack, nextOffsetOf, ROLLING_BACK_JSON, ROW_SIZE_SQL, toEntry, type AuditRow } from './audit-row.ts';
import type { AuditIntent, AuditOutcome, PreviewRecord } from '../kill/types.ts';
import { claimFromRow, entryFromRow, OUTBOX_INSERT_COLUMNS, outboxSummarySql, outboxValues, summaryFromRow, type OutboxRow, type OutboxSummaryRow } from './outbox-row.ts';
import { THROTTLE_COLUMNS, throttleFromRow, throttleValues, type SqlThrottleRow } from './sql-throttle-row.ts';
import { APPROVAL_COLUMNS, approvalFromRow, approvalValues, type ApprovalRow } from './approval-row.ts';
import type { ApprovalRecord } from '../approvals/types.ts';
import type { ApprovalStore, AuditStore, IdempotencyStore, LoginSession, LoginSessionStore, OutboxDelivery, OutboxStore, PreviewStore, SqlThrottleStore, Stores } from './types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  at TEXT NOT NULL,
  finished_at TEXT,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  mode TEXT NOT NULL,
  target TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL,
  excluded TEXT NOT NULL,
  outcomes TEXT NOT NULL DEFAULT '[]',
  das_request_ids TEXT NOT NULL DEFAULT '[]',
  idempotency_key TEXT,
  preview_id TEXT,
  error TEXT,
  preview_created_by TEXT,
  not_found_count INTEGER
);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
CREATE INDEX IF NOT EXISTS audit_instance ON audit(instance_id, at);
CREATE INDEX IF NOT EXISTS audit_status ON audit(status);
-- Append-only: rows are never deleted, and a row leaves 'pending' exactly once.
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_intent_fixed BEFORE UPDATE ON audit
WHEN NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.actor IS NOT OLD.actor OR NEW.role IS NOT OLD.role
  OR NEW.instance_id IS NOT OLD.instance_id OR NEW.mode IS NOT OLD.mode OR NEW.target IS NOT OLD.target OR NEW.reason IS NOT OLD.reason
BEGIN SELECT RAISE(ABORT, 'the intent of an audit row cannot change'); END;

CREATE TABLE IF NOT EXISTS previews (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  data TEXT NOT NULL,
  committed_at TEXT,
  audit_id TEXT
);
CREATE INDEX IF NOT EXISTS previews_expiry ON previews(expires_at);

CREATE TABLE IF NOT EXISTS idempotency (
  actor TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  result TEXT,
  PRIMARY KEY (actor, key)
);

CREATE TABLE IF NOT EXISTS login_sessions (
  id_hash TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS login_sessions_user ON login_sessions(username);

CREATE TABLE IF NOT EXISTS sql_throttles (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  status TEXT NOT NULL,
  rule_id TEXT,
  lease_owner TEXT,
  lease_until TEXT,
  ended_at TEXT,
  ended_by TEXT,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sql_throttles_due ON sql_throttles(status, expires_at);

-- Incident event deliveries, one row per (event, destination); delivered rows are purged after a while.
CREATE TABLE IF NOT EXISTS outbox (
  event_id TEXT NOT NULL,
  destination TEXT NOT NULL,
  type TEXT NOT NULL,
  event TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  next_attempt_at TEXT NOT NULL,
  lease_owner TEXT,
  lease_until TEXT,
  last_error TEXT,
  last_error_at TEXT,
  delivered_at TEXT,
  PRIMARY KEY (event_id, destination)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(status, next_attempt_at);
CREATE TABLE IF NOT EXISTS approvals (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  status TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  decided_by TEXT,
  decided_at TEXT,
  comment TEXT,
  break_glass INTEGER NOT NULL DEFAULT 0,
  audit_id TEXT,
  data TEXT NOT NULL,
  UNIQUE (requested_by, idempotency_key)
);
CREATE INDEX IF NOT EXISTS approvals_due ON approvals(status, expires_at);

CREATE TABLE IF NOT EXISTS health (k TEXT PRIMARY KEY, at TEXT NOT NULL);
`;

/**
 * A finished row cannot change, except the outcomes of a row that still holds a rolling-back session
 * (mergeRollingBack says how they may change). Created after the added columns; it replaces the first
 * release's audit_final, which allowed no change at all.
 */
const AUDIT_FINAL_TRIGGER = `
CREATE TRIGGER IF NOT EXISTS audit_final_rollback BEFORE UPDATE ON audit WHEN OLD.status <> 'pending' AND NOT (
  instr(OLD.outcomes, '${ROLLING_BACK_JSON}') > 0 AND NEW.status IS OLD.status AND NEW.finished_at IS OLD.finished_at
  AND NEW.excluded IS OLD.excluded AND NEW.das_request_ids IS OLD.das_request_ids AND NEW.error IS OLD.error
  AND NEW.idempotency_key IS OLD.idempotency_key AND NEW.preview_id IS OLD.preview_id AND NEW.preview_created_by IS OLD.preview_created_by
  AND NEW.not_found_count IS OLD.not_found_count AND NEW.actor_name IS OLD.actor_name)
BEGIN SELECT RAISE(ABORT, 'a finished audit row cannot change'); END;
DROP TRIGGER IF EXISTS audit_final;
`;

/** Opens (creating if needed) the SQLite database `dir/quell.sqlite`, or an in-memory one for ':memory:'. */
export function openSqliteStores(dir: string): Stores & { db: Database.Database } {
  let file = ':memory:';
  if (dir !== ':memory:') {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    file = path.join(dir, 'quell.sqlite');
  }
  const db = new Database(file);
  if (file !== ':memory:') chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  // Columns added after the first release: a database created before them gets them here.
  const auditColumns = new Set((db.prepare('PRAGMA table_info(audit)').all() as Array<{ name: string }>).map((c) => c.name));
  for (const [column, type] of [['preview_created_by', 'TEXT'], ['not_found_count', 'INTEGER'], ['actor_name', 'TEXT'], ['approval', 'TEXT']] as const) {
    if (!auditColumns.has(column)) db.exec(`ALTER TABLE audit ADD COLUMN ${column} ${type}`);
  }
  const sessionColumns = new Set((db.prepare('PRAGMA table_info(login_sessions)').all() as Array<{ name: string }>).map((c) => c.name));
  for (const column of ['role', 'display_name']) {
    if (!sessionColumns.has(column)) db.exec(`ALTER TABLE login_sessions ADD COLUMN ${column} TEXT`);
  }

  db.exec(AUDIT_FINAL_TRIGGER);
  db.exec(`CREATE TRIGGER IF NOT EXISTS audit_approval_fixed BEFORE UPDATE ON audit WHEN NEW.approval IS NOT OLD.approval
    BEGIN SELECT RAISE(ABORT, 'the approval of an audit row cannot change'); END;`);

  const insertAudit = db.prepare(`INSERT INTO audit (id, at, actor, role, instance_id, mode, target, reason, status, excluded, idempotency_key, preview_id, preview_created_by, not_found_count, actor_name, approval)
    VALUES (@id, @at, @actor, @role, @instanceId, @mode, @target, @reason, 'pending', @excluded, @idempotencyKey, @previewId, @previewCreatedBy, @notFoundCount, @actorName, @approval)`);
  const insertRefusal = db.prepare(`INSERT INTO audit (id, at, finished_at, actor, role, instance_id, mode, target, reason, status, excluded, idempotency_key, preview_id, preview_created_by, not_found_count, error, actor_name, approval)
    VALUES (@id, @at, @finishedAt, @actor, @role, @instanceId, @mode, @target, @reason, 'failed', @excluded, @idempotencyKey, @previewId, @previewCreatedBy, @notFoundCount, @error, @actorName, @approval)`);
  const finishAudit = db.prepare(`UPDATE audit SET status = @status, finished_at = @finishedAt, outcomes = @outcomes, excluded = COALESCE(@excluded, excluded),
    das_request_ids = @dasRequestIds, error = @error WHERE id = @id AND status = 'pending'`);

  const insertOutbox = db.prepare(`INSERT INTO outbox (${OUTBOX_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, destination) DO NOTHING`);
  const enqueueTx = db.transaction((deliveries: OutboxDelivery[], at: string) => {
    for (const d of deliveries) insertOutbox.run(...outboxValues(d, at));
  });
  const recordOutcomeTx = db.transaction((id: string, o: AuditOutcome, deliveries: OutboxDelivery[]) => {
    const info = finishAudit.run({
      id,
      status: o.status,
      finishedAt: o.finishedAt,
      outcomes: JSON.stringify(o.outcomes),
      excluded: o.excluded ? JSON.stringify(o.excluded) : null,
      dasRequestIds: JSON.stringify(o.dasRequestIds),
      error: o.error ? JSON.stringify(o.error) : null,
    });
    if (info.changes !== 1) throw new Error(`audit row ${id} is not pending`);
    for (const d of deliveries) insertOutbox.run(...outboxValues(d, o.finishedAt));
  });

  const updateOutcomesTx = db.transaction((id: string, updates: SessionOutcome[]): SessionOutcome[] => {
    const row = db.prepare('SELECT outcomes FROM audit WHERE id = ?').get(id) as { outcomes: string } | undefined;
    if (!row) throw new Error(`no audit row ${id}`);
    const stored = JSON.parse(row.outcomes) as SessionOutcome[];
    const merged = mergeRollingBack(stored, updates);
    if (!merged) return stored;
    db.prepare('UPDATE audit SET outcomes = ? WHERE id = ?').run(JSON.stringify(merged), id);
    return merged;
  });

  const intentParams = (i: AuditIntent) => ({
    id: i.id,
    at: i.at,
    actor: i.actor,
    role: i.role,
    instanceId: i.instanceId,
    mode: i.mode,
    target: JSON.stringify(i.target),
    reason: i.reason,
    excluded: JSON.stringify(i.excluded),
    idempotencyKey: i.idempotencyKey,
    previewId: i.previewId ?? null,
    previewCreatedBy: i.previewCreatedBy ?? null,
    actorName: i.actorName ?? null,
    notFoundCount: i.notFoundCount ?? null,
    approval: i.approval ? JSON.stringify(i.approval) : null,
  });

  const audit: AuditStore = {
    async appendIntent(intent) {
      insertAudit.run(intentParams(intent));
    },
    async recordOutcome(id, o: AuditOutcome, deliveries = []) {
      recordOutcomeTx.immediate(id, o, deliveries);
    },
    async appendRefusal(intent, error, at) {
      insertRefusal.run({ ...intentParams(intent), finishedAt: at, error: JSON.stringify(error) });
    },
    async updateOutcomes(id, updates) {
      return updateOutcomesTx(id, updates);
    },
    async get(id) {
      const row = db.prepare('SELECT * FROM audit WHERE id = ?').get(id) as AuditRow | undefined;
      return row ? toEntry(row) : undefined;
    },
    async list(q: AuditQuery, maxBytes = AUDIT_PAGE_MAX_BYTES) {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      if (q.id !== undefined) {
        where.push('id = @id');
        params.id = q.id;
      }
      if (q.instanceId !== undefined) {
        where.push('instance_id = @instanceId');
        params.instanceId = q.instanceId;
      }
      if (q.actor !== undefined) {
        where.push('actor = @actor');
        params.actor = q.actor;
      }
      if (q.status !== undefined) {
        where.push('status = @status');
        params.status = q.status;
      }
      if (q.outcome !== undefined) {
        where.push(`EXISTS (SELECT 1 FROM json_each(audit.outcomes) WHERE json_extract(value, '$.outcome') = @outcome)`);
        params.outcome = q.outcome;
      }
      if (q.from !== undefined) {
        where.push('at >= @from');
        params.from = new Date(q.from).toISOString();
      }
      if (q.to !== undefined) {
        where.push('at < @to');
        params.to = new Date(q.to).toISOString();
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = (db.prepare(`SELECT COUNT(*) AS n FROM audit ${clause}`).get(params) as { n: number }).n;
      const rows = db.prepare(`SELECT *, ${ROW_SIZE_SQL} AS row_size FROM audit ${clause} ORDER BY seq DESC LIMIT @limit OFFSET @offset`).iterate({ ...params, limit: q.limit, offset: q.offset }) as IterableIterator<AuditRow & { row_size: number }>;
      const entries: AuditEntry[] = [];
      let size = 0;
      for (const row of rows) {
        if (entries.length > 0 && size + row.row_size > maxBytes) break;
        size += row.row_size;
        entries.push(toEntry(row));
      }
      return { entries, total, nextOffset: nextOffsetOf(q.offset, entries.length, total) };
    },
    async markPendingUnknown(at) {
      return db.prepare(`UPDATE audit SET status = 'unknown', finished_at = ? WHERE status = 'pending'`).run(at).changes;
    },
  };

  const previews: PreviewStore = {
    async save(p: PreviewRecord) {
      db.prepare('INSERT INTO previews (id, instance_id, created_by, created_at, expires_at, data) VALUES (?, ?, ?, ?, ?, ?)').run(
        p.id,
        p.instanceId,
        p.createdBy,
        p.createdAt,
        p.expiresAt,
        JSON.stringify(p),
      );
    },
    async get(id) {
      const row = db.prepare('SELECT data FROM previews WHERE id = ?').get(id) as { data: string } | undefined;
      return row ? (JSON.parse(row.data) as PreviewRecord) : undefined;
    },
    async claim(id, auditId, at) {
      return db.prepare('UPDATE previews SET committed_at = ?, audit_id = ? WHERE id = ? AND committed_at IS NULL').run(at, auditId, id).changes === 1;
    },
    async purge(before) {
      return db.prepare('DELETE FROM previews WHERE expires_at < ? OR committed_at < ?').run(before, before).changes;
    },
  };

  const claimTx = db.transaction((actor: string, key: string, requestHash: string, at: string) => {
    const row = db.prepare('SELECT request_hash, result FROM idempotency WHERE actor = ? AND key = ?').get(actor, key) as { request_hash: string; result: string | null } | undefined;
    if (!row) {
      db.prepare('INSERT INTO idempotency (actor, key, request_hash, created_at) VALUES (?, ?, ?, ?)').run(actor, key, requestHash, at);
      return { state: 'claimed' as const };
    }
    if (row.result === null) return { state: 'in-progress' as const, requestHash: row.request_hash };
    return { state: 'done' as const, requestHash: row.request_hash, result: JSON.parse(row.result) as KillResult };
  });
  const idempotency: IdempotencyStore = {
    async claim(actor, key, requestHash, at) {
      return claimTx.immediate(actor, key, requestHash, at);
    },
    async complete(actor, key, result) {
      db.prepare('UPDATE idempotency SET result = ? WHERE actor = ? AND key = ?').run(JSON.stringify(result), actor, key);
    },
    async release(actor, key) {
      db.prepare('DELETE FROM idempotency WHERE actor = ? AND key = ? AND result IS NULL').run(actor, key);
    },
    async purgeFinished(before) {
      return db.prepare('DELETE FROM idempotency WHERE created_at < ? AND result IS NOT NULL').run(before).changes;
    },
  };

  const claimDueTx = db.transaction((now: string, owner: string, leaseUntil: string, limit: number) => {
    const rows = db
      .prepare(`SELECT * FROM sql_throttles WHERE status = 'active' AND expires_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY expires_at LIMIT ?`)
      .all(now, now, limit) as SqlThrottleRow[];
    const lease = db.prepare('UPDATE sql_throttles SET lease_owner = ?, lease_until = ? WHERE id = ?');
    for (const r of rows) lease.run(owner, leaseUntil, r.id);
    return rows.map(throttleFromRow);
  });
  const sqlThrottles: SqlThrottleStore = {
    async save(t) {
      db.prepare(`INSERT INTO sql_throttles (${THROTTLE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(...throttleValues(t));
    },
    async setRuleId(id, ruleId) {
      db.prepare('UPDATE sql_throttles SET rule_id = ? WHERE id = ?').run(ruleId, id);
    },
    async get(id) {
      const row = db.prepare('SELECT * FROM sql_throttles WHERE id = ?').get(id) as SqlThrottleRow | undefined;
      return row ? throttleFromRow(row) : undefined;
    },
    async listActive(instanceId) {
      return (db.prepare(`SELECT * FROM sql_throttles WHERE instance_id = ? AND status = 'active' ORDER BY expires_at, id`).all(instanceId) as SqlThrottleRow[]).map(throttleFromRow);
    },
    async claimDue(now, owner, leaseUntil, limit) {
      return claimDueTx.immediate(now, owner, leaseUntil, limit);
    },
    async claim(id, owner, leaseUntil, now) {
      return (
        db.prepare(`UPDATE sql_throttles SET lease_owner = ?, lease_until = ? WHERE id = ? AND status = 'active' AND (lease_until IS NULL OR lease_until < ?)`).run(owner, leaseUntil, id, now)
          .changes === 1
      );
    },
    async finish(id, owner, status, at, by) {
      return (
        db.prepare(`UPDATE sql_throttles SET status = ?, ended_at = ?, ended_by = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = 'active' AND lease_owner = ?`).run(status, at, by, id, owner)
          .changes === 1
      );
    },
    async release(id, owner) {
      db.prepare(`UPDATE sql_throttles SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?`).run(id, owner);
    },
  };

  const claimOutboxTx = db.transaction((now: string, owner: string, leaseUntil: string, limit: number, destinations: string[]) => {
    if (destinations.length === 0) return [];
    const rows = db
      .prepare(
        `SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) AND destination IN (${destinations.map(() => '?').join(', ')})
         ORDER BY created_at, event_id LIMIT ?`,
      )
      .all(now, now, ...destinations, limit) as OutboxRow[];
    const lease = db.prepare('UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE event_id = ? AND destination = ?');
    for (const r of rows) lease.run(owner, leaseUntil, r.event_id, r.destination);
    return rows.map(claimFromRow);
  });
  const outbox: OutboxStore = {
    async enqueue(deliveries, at) {
      enqueueTx.immediate(deliveries, at);
    },
    async claimDue(now, owner, leaseUntil, limit, destinations) {
      return claimOutboxTx.immediate(now, owner, leaseUntil, limit, destinations);
    },
    async markDelivered(eventId, destination, owner, at) {
      return (
        db.prepare(`UPDATE outbox SET status = 'delivered', delivered_at = ?, lease_owner = NULL, lease_until = NULL WHERE event_id = ? AND destination = ? AND status = 'pending' AND lease_owner = ?`).run(
          at,
          eventId,
          destination,
          owner,
        ).changes === 1
      );
    },
    async markAttemptFailed(eventId, destination, owner, error, at, retryAt) {
      return (
        db
          .prepare(
            `UPDATE outbox SET attempts = attempts + 1, last_error = ?, last_error_at = ?, status = ?, next_attempt_at = COALESCE(?, next_attempt_at), lease_owner = NULL, lease_until = NULL
             WHERE event_id = ? AND destination = ? AND status = 'pending' AND lease_owner = ?`,
          )
          .run(error, at, retryAt === null ? 'failed' : 'pending', retryAt, eventId, destination, owner).changes === 1
      );
    },
    async summary() {
      return (db.prepare(outboxSummarySql('outbox')).all() as OutboxSummaryRow[]).map(summaryFromRow);
    },
    async listUndelivered(limit) {
      return (db.prepare(`SELECT * FROM outbox WHERE status <> 'delivered' ORDER BY created_at DESC, event_id LIMIT ?`).all(limit) as OutboxRow[]).map(entryFromRow);
    },
    async purgeDelivered(before) {
      return db.prepare(`DELETE FROM outbox WHERE status = 'delivered' AND delivered_at < ?`).run(before).changes;
      },
    };

  const saveApprovalTx = db.transaction((a: ApprovalRecord): ApprovalRecord => {
    const existing = db.prepare('SELECT * FROM approvals WHERE requested_by = ? AND idempotency_key = ?').get(a.requestedBy, a.idempotencyKey) as ApprovalRow | undefined;
    if (existing) return approvalFromRow(existing);
    db.prepare(`INSERT INTO approvals (${APPROVAL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...approvalValues(a));
    return a;
  });
  const expireDueTx = db.transaction((now: string, limit: number): ApprovalRecord[] => {
    const rows = db.prepare(`SELECT * FROM approvals WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?`).all(now, limit) as ApprovalRow[];
    const expire = db.prepare(`UPDATE approvals SET status = 'expired', decided_at = ? WHERE id = ? AND status = 'pending'`);
    return rows.filter((r) => expire.run(now, r.id).changes === 1).map((r) => approvalFromRow({ ...r, status: 'expired', decided_at: now }));
  });
  const approvals: ApprovalStore = {
    async save(a) {
      return saveApprovalTx.immediate(a);
    },
    async get(id) {
      const row = db.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as ApprovalRow | undefined;
      return row ? approvalFromRow(row) : undefined;
    },
    async listPending(now) {
      return (db.prepare(`SELECT * FROM approvals WHERE status = 'pending' AND expires_at > ? ORDER BY expires_at, id`).all(now) as ApprovalRow[]).map(approvalFromRow);
    },
    async decide(id, d, now) {
      return (
        db
          .prepare(`UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, comment = ?, break_glass = ? WHERE id = ? AND status = 'pending' AND expires_at > ?`)
          .run(d.status, d.by, d.at, d.comment, d.breakGlass ? 1 : 0, id, now).changes === 1
      );
    },
    async expireDue(now, limit) {
      return expireDueTx.immediate(now, limit);
    },
    async setAuditId(id, auditId) {
      db.prepare('UPDATE approvals SET audit_id = ? WHERE id = ?').run(auditId, id);
    },
  };

  const loginSessions: LoginSessionStore = {
    async create(s: LoginSession) {
      db.prepare('INSERT INTO login_sessions (id_hash, username, csrf_token, created_at, last_seen_at, role, display_name) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        s.idHash,
        s.username,
        s.csrfToken,
        s.createdAt,
        s.lastSeenAt,
        s.role ?? null,
        s.displayName ?? null,
      );
    },
    async get(idHash) {
      const r = db.prepare('SELECT id_hash, username, csrf_token, created_at, last_seen_at, role, display_name FROM login_sessions WHERE id_hash = ?').get(idHash) as
        | { id_hash: string; username: string; csrf_token: string; created_at: number; last_seen_at: number; role: string | null; display_name: string | null }
        | undefined;
      if (!r) return undefined;
      return {
        idHash: r.id_hash,
        username: r.username,
        csrfToken: r.csrf_token,
        createdAt: r.created_at,
        lastSeenAt: r.last_seen_at,
        ...(r.role ? { role: r.role as Role } : {}),
        ...(r.display_name ? { displayName: r.display_name } : {}),
      };
    },
    async touch(idHash, at) {
      db.prepare('UPDATE login_sessions SET last_seen_at = ? WHERE id_hash = ?').run(at, idHash);
    },
    async destroy(idHash) {
      db.prepare('DELETE FROM login_sessions WHERE id_hash = ?').run(idHash);
    },
    async destroyForUser(username) {
      db.prepare('DELETE FROM login_sessions WHERE username = ?').run(username);
    },
    async purgeIdle(idleBefore) {
      return db.prepare('DELETE FROM login_sessions WHERE last_seen_at < ?').run(idleBefore).changes;
    },
  };

  return {
    db,
    audit,
    previews,
    idempotency,
    sqlThrottles,
    outbox,
    approvals,
    loginSessions,
    async checkWritable() {
      db.prepare('INSERT INTO health (k, at) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET at = excluded.at').run('readyz', new Date().toISOString());
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
