// PostgreSQL (pg 8) implementation of the audit, preview and idempotency stores: the path for several
// BFF replicas behind a load balancer. Same interfaces and behaviour as the SQLite stores (sqlite.ts).
//
// - Migrations run at start inside one transaction holding an advisory lock, recorded in
//   quell_migrations: two replicas starting at once apply each migration exactly once.
// - Every replica holds a lease in quell_replicas (renewed by a heartbeat) and stamps the audit rows
//   it writes with its id. markPendingUnknown only touches rows of replicas whose lease has expired, so a
//   replica starting (or sweeping) never marks another live replica's in-flight kill as unknown; the
//   sweep also runs periodically, so the rows of a crashed replica become `unknown` without a restart.
// - Idempotency keys are claimed with INSERT … ON CONFLICT DO NOTHING before anything is sent to DAS.
//   A request that finds the key claimed by a commit still running (on any replica) waits for that
//   commit's result (up to `idempotencyWaitMs`), then answers like the first one; after the wait it
//   gets 409 and a retry returns the result once it is there.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AUDIT_PAGE_MAX_BYTES, type AuditQuery } from '@quell/contracts/audit';
import type { KillResult, SessionOutcome } from '@quell/contracts/kill';
import { mergeRollingBack, nextOffsetOf, ROLLING_BACK_JSON, ROW_SIZE_SQL, toEntry, type AuditRow } from './audit-row.ts';
import type { AuditIntent, AuditOutcome, PreviewRecord } from '../kill/types.ts';
import { claimFromRow, entryFromRow, OUTBOX_INSERT_COLUMNS, outboxSummarySql, outboxValues, summaryFromRow, type OutboxRow, type OutboxSummaryRow } from './outbox-row.ts';
import { THROTTLE_COLUMNS, throttleFromRow, throttleValues, type SqlThrottleRow } from './sql-throttle-row.ts';
import { APPROVAL_COLUMNS, approvalFromRow, approvalValues, type ApprovalRow } from './approval-row.ts';
import type { ApprovalStore, AuditStore, IdempotencyClaim, IdempotencyStore, OutboxDelivery, OutboxStore, PreviewStore, SqlThrottleStore } from './types.ts';

/** pg_advisory_xact_lock key for migrations ("Quell" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x5175656c6c;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit, previews, idempotency keys, replica leases',
    sql: `
CREATE TABLE quell_audit (
  seq BIGSERIAL PRIMARY KEY,
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
  replica_id TEXT
);
CREATE INDEX quell_audit_at ON quell_audit(at);
CREATE INDEX quell_audit_instance ON quell_audit(instance_id, at);
CREATE INDEX quell_audit_pending ON quell_audit(status) WHERE status = 'pending';

-- Append-only: rows are never deleted or truncated, and a row leaves 'pending' exactly once.
CREATE FUNCTION quell_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') THEN RAISE EXCEPTION 'the audit trail is append-only'; END IF;
  IF OLD.status <> 'pending' THEN RAISE EXCEPTION 'a finished audit row cannot change'; END IF;
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.at IS DISTINCT FROM OLD.at OR NEW.actor IS DISTINCT FROM OLD.actor
    OR NEW.role IS DISTINCT FROM OLD.role OR NEW.instance_id IS DISTINCT FROM OLD.instance_id OR NEW.mode IS DISTINCT FROM OLD.mode
    OR NEW.target IS DISTINCT FROM OLD.target OR NEW.reason IS DISTINCT FROM OLD.reason OR NEW.replica_id IS DISTINCT FROM OLD.replica_id THEN
    RAISE EXCEPTION 'the intent of an audit row cannot change';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER quell_audit_guard_rows BEFORE UPDATE OR DELETE ON quell_audit FOR EACH ROW EXECUTE FUNCTION quell_audit_guard();
CREATE TRIGGER quell_audit_guard_truncate BEFORE TRUNCATE ON quell_audit FOR EACH STATEMENT EXECUTE FUNCTION quell_audit_guard();

CREATE TABLE quell_previews (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  data TEXT NOT NULL,
  committed_at TEXT,
  audit_id TEXT
);
CREATE INDEX quell_previews_expiry ON quell_previews(expires_at);

CREATE TABLE quell_idempotency (
  actor TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  result TEXT,
  PRIMARY KEY (actor, key)
);

CREATE TABLE quell_replicas (
  id TEXT PRIMARY KEY,
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'audit: who made the preview of a commit',
    sql: 'ALTER TABLE quell_audit ADD COLUMN preview_created_by TEXT;',
  },
  {
    version: 3,
    name: 'audit: how many requested ids matched no session',
    sql: 'ALTER TABLE quell_audit ADD COLUMN not_found_count INTEGER;',
  },
  {
    version: 4,
    name: 'audit: the display name of an actor who signed in through the identity provider',
    sql: 'ALTER TABLE quell_audit ADD COLUMN actor_name TEXT;',
  },
  {
    version: 5,
    name: 'SQL throttles with their due times and removal leases',
    sql: `
CREATE TABLE quell_sql_throttles (
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
CREATE INDEX quell_sql_throttles_due ON quell_sql_throttles(expires_at) WHERE status = 'active';
`,
  },
  {
    version: 6,
    name: 'audit: the outcomes of a finished row may change while a session is rolling back',
    sql: `
CREATE OR REPLACE FUNCTION quell_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') THEN RAISE EXCEPTION 'the audit trail is append-only'; END IF;
  IF OLD.status <> 'pending' AND NOT (
    position('${ROLLING_BACK_JSON}' in OLD.outcomes) > 0 AND NEW.status IS NOT DISTINCT FROM OLD.status
    AND NEW.finished_at IS NOT DISTINCT FROM OLD.finished_at AND NEW.excluded IS NOT DISTINCT FROM OLD.excluded
    AND NEW.das_request_ids IS NOT DISTINCT FROM OLD.das_request_ids AND NEW.error IS NOT DISTINCT FROM OLD.error
    AND NEW.idempotency_key IS NOT DISTINCT FROM OLD.idempotency_key AND NEW.preview_id IS NOT DISTINCT FROM OLD.preview_id
    AND NEW.preview_created_by IS NOT DISTINCT FROM OLD.preview_created_by AND NEW.not_found_count IS NOT DISTINCT FROM OLD.not_found_count
    AND NEW.actor_name IS NOT DISTINCT FROM OLD.actor_name
  ) THEN RAISE EXCEPTION 'a finished audit row cannot change'; END IF;
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.at IS DISTINCT FROM OLD.at OR NEW.actor IS DISTINCT FROM OLD.actor
    OR NEW.role IS DISTINCT FROM OLD.role OR NEW.instance_id IS DISTINCT FROM OLD.instance_id OR NEW.mode IS DISTINCT FROM OLD.mode
    OR NEW.target IS DISTINCT FROM OLD.target OR NEW.reason IS DISTINCT FROM OLD.reason OR NEW.replica_id IS DISTINCT FROM OLD.replica_id THEN
    RAISE EXCEPTION 'the intent of an audit row cannot change';
  END IF;
  RETURN NEW;
END $$;
`,
  },
  {
    version: 7,
    name: 'outbox: incident event deliveries per destination',
    sql: `
CREATE TABLE quell_outbox (
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
CREATE INDEX quell_outbox_due ON quell_outbox(next_attempt_at) WHERE status = 'pending';
CREATE INDEX quell_outbox_status ON quell_outbox(destination, status);
`,
  },
  {
    version: 8,
    name: 'approval requests of the two-person rule, and the approval behind an audit row',
    sql: `
ALTER TABLE quell_audit ADD COLUMN approval TEXT;
CREATE FUNCTION quell_audit_approval_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.approval IS DISTINCT FROM OLD.approval THEN RAISE EXCEPTION 'the approval of an audit row cannot change'; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER quell_audit_approval_fixed BEFORE UPDATE ON quell_audit FOR EACH ROW EXECUTE FUNCTION quell_audit_approval_fixed();

CREATE TABLE quell_approvals (
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
  break_glass SMALLINT NOT NULL DEFAULT 0,
  audit_id TEXT,
  data TEXT NOT NULL,
  UNIQUE (requested_by, idempotency_key)
);
CREATE INDEX quell_approvals_due ON quell_approvals(expires_at) WHERE status = 'pending';
`,
  },
];

/** Applies the missing migrations under an advisory lock; returns the versions this call applied. */
export async function migrate(pool: pg.Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await c.query('CREATE TABLE IF NOT EXISTS quell_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const done = new Set((await c.query<{ version: number }>('SELECT version FROM quell_migrations')).rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await c.query(m.sql);
      await c.query('INSERT INTO quell_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    await c.query('COMMIT');
    return applied;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

export interface PostgresStoreOptions {
  /** A replica's lease in quell_replicas; its pending audit rows become `unknown` once it lapses. Default 60 s. */
  leaseMs?: number;
  /** How long a commit waits for another commit holding the same Idempotency-Key. Default 30 s. */
  idempotencyWaitMs?: number;
  /** Pool size (default 10). */
  maxConnections?: number;
  /** Called when the periodic sweep marked rows of a lapsed replica `unknown`. */
  onSweep?: (count: number) => void;
  /** Called when a background heartbeat or sweep failed (never with the URL). */
  onBackgroundError?: (err: unknown) => void;
}

export interface PostgresStores {
  audit: AuditStore;
  previews: PreviewStore;
  idempotency: IdempotencyStore;
  sqlThrottles: SqlThrottleStore;
  outbox: OutboxStore;
  approvals: ApprovalStore;
  pool: pg.Pool;
  /** This process's id in quell_replicas and in the audit rows it writes. */
  replicaId: string;
  /** Renews this replica's lease and so proves the database accepts writes (for /readyz). */
  checkWritable(): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connects, applies migrations and takes a replica lease. Throws if PostgreSQL cannot be reached. */
export async function openPostgresStores(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStores> {
  const leaseMs = options.leaseMs ?? 60_000;
  const waitMs = options.idempotencyWaitMs ?? 30_000;
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', (err) => options.onBackgroundError?.(err));
  const replicaId = randomUUID();
  const heartbeat = async () => {
    await pool.query(
      `INSERT INTO quell_replicas (id, expires_at) VALUES ($1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at`,
      [replicaId, leaseMs],
    );
  };
  try {
    await migrate(pool);
    await heartbeat();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }

  const intentParams = (i: AuditIntent) => [
    i.id,
    i.at,
    i.actor,
    i.role,
    i.instanceId,
    i.mode,
    JSON.stringify(i.target),
    i.reason,
    JSON.stringify(i.excluded),
    i.idempotencyKey,
    i.previewId ?? null,
    replicaId,
    i.previewCreatedBy ?? null,
    i.notFoundCount ?? null,
    i.actorName ?? null,
    i.approval ? JSON.stringify(i.approval) : null,
  ];

  const markPendingUnknown = async (at: string) => {
    const r = await pool.query(
      `UPDATE quell_audit SET status = 'unknown', finished_at = $1
       WHERE status = 'pending' AND (replica_id IS NULL OR NOT EXISTS (
         SELECT 1 FROM quell_replicas r WHERE r.id = quell_audit.replica_id AND r.expires_at > now()))`,
      [at],
    );
    return r.rowCount ?? 0;
  };

  /** Runs `work` in one transaction on one connection. */
  const inTransaction = async <T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const out = await work(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  };
  const insertOutbox = async (c: pg.PoolClient, deliveries: OutboxDelivery[], at: string) => {
    for (const d of deliveries) {
      await c.query(`INSERT INTO quell_outbox (${OUTBOX_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id, destination) DO NOTHING`, outboxValues(d, at));
    }
  };

  const audit: AuditStore = {
    async appendIntent(intent) {
      await pool.query(
        `INSERT INTO quell_audit (id, at, actor, role, instance_id, mode, target, reason, status, excluded, idempotency_key, preview_id, replica_id, preview_created_by, not_found_count, actor_name, approval)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $11, $12, $13, $14, $15, $16)`,
        intentParams(intent),
      );
    },
    async recordOutcome(id, o: AuditOutcome, deliveries = []) {
      const finish = async (c: pg.Pool | pg.PoolClient) => {
        const r = await c.query(
          `UPDATE quell_audit SET status = $2, finished_at = $3, outcomes = $4, excluded = COALESCE($5, excluded), das_request_ids = $6, error = $7
           WHERE id = $1 AND status = 'pending'`,
          [id, o.status, o.finishedAt, JSON.stringify(o.outcomes), o.excluded ? JSON.stringify(o.excluded) : null, JSON.stringify(o.dasRequestIds), o.error ? JSON.stringify(o.error) : null],
        );
        if (r.rowCount !== 1) throw new Error(`audit row ${id} is not pending`);
      };
      // Without deliveries one statement is enough; with them, the outcome and its events commit together.
      if (deliveries.length === 0) return finish(pool);
      await inTransaction(async (c) => {
        await finish(c);
        await insertOutbox(c, deliveries, o.finishedAt);
      });
    },
    async appendRefusal(intent, error, at) {
      await pool.query(
        `INSERT INTO quell_audit (id, at, actor, role, instance_id, mode, target, reason, status, excluded, idempotency_key, preview_id, replica_id, preview_created_by, not_found_count, actor_name, approval, finished_at, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'failed', $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
        [...intentParams(intent), at, JSON.stringify(error)],
      );
    },
    async updateOutcomes(id, updates) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        // Row lock: two rechecks at once merge one after the other.
        const r = await c.query<{ outcomes: string }>('SELECT outcomes FROM quell_audit WHERE id = $1 FOR UPDATE', [id]);
        if (!r.rows[0]) throw new Error(`no audit row ${id}`);
        const stored = JSON.parse(r.rows[0].outcomes) as SessionOutcome[];
        const merged = mergeRollingBack(stored, updates);
        if (merged) await c.query('UPDATE quell_audit SET outcomes = $2 WHERE id = $1', [id, JSON.stringify(merged)]);
        await c.query('COMMIT');
        return merged ?? stored;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    },
    async get(id) {
      const r = await pool.query<AuditRow>('SELECT * FROM quell_audit WHERE id = $1', [id]);
      return r.rows[0] ? toEntry(r.rows[0]) : undefined;
    },
    async list(q: AuditQuery, maxBytes = AUDIT_PAGE_MAX_BYTES) {
      const where: string[] = [];
      const params: unknown[] = [];
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      if (q.id !== undefined) where.push(`id = ${p(q.id)}`);
      if (q.instanceId !== undefined) where.push(`instance_id = ${p(q.instanceId)}`);
      if (q.actor !== undefined) where.push(`actor = ${p(q.actor)}`);
      if (q.status !== undefined) where.push(`status = ${p(q.status)}`);
      if (q.outcome !== undefined) where.push(`EXISTS (SELECT 1 FROM jsonb_array_elements(outcomes::jsonb) o WHERE o->>'outcome' = ${p(q.outcome)})`);
      if (q.from !== undefined) where.push(`at >= ${p(new Date(q.from).toISOString())}`);
      if (q.to !== undefined) where.push(`at < ${p(new Date(q.to).toISOString())}`);
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = (await pool.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM quell_audit ${clause}`, params)).rows[0]!.n;
      // The page's rows with a running size; a row is kept while the size before it is under the budget
      // (the first row always), so the database stops the page, not JSON.parse.
      const rows = (
        await pool.query<AuditRow>(
          `SELECT * FROM (
             SELECT page.*, SUM(page.row_size) OVER (ORDER BY page.seq DESC) - page.row_size AS size_before
             FROM (SELECT quell_audit.*, ${ROW_SIZE_SQL} AS row_size FROM quell_audit ${clause} ORDER BY seq DESC LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}) page
           ) sized WHERE size_before = 0 OR size_before + row_size <= ${p(maxBytes)} ORDER BY seq DESC`,
          params,
        )
      ).rows;
      const entries = rows.map(toEntry);
      return { entries, total, nextOffset: nextOffsetOf(q.offset, entries.length, total) };
    },
    markPendingUnknown,
  };

  const previews: PreviewStore = {
    async save(pr: PreviewRecord) {
      await pool.query('INSERT INTO quell_previews (id, instance_id, created_by, created_at, expires_at, data) VALUES ($1, $2, $3, $4, $5, $6)', [
        pr.id,
        pr.instanceId,
        pr.createdBy,
        pr.createdAt,
        pr.expiresAt,
        JSON.stringify(pr),
      ]);
    },
    async get(id) {
      const r = await pool.query<{ data: string }>('SELECT data FROM quell_previews WHERE id = $1', [id]);
      return r.rows[0] ? (JSON.parse(r.rows[0].data) as PreviewRecord) : undefined;
    },
    async claim(id, auditId, at) {
      const r = await pool.query('UPDATE quell_previews SET committed_at = $1, audit_id = $2 WHERE id = $3 AND committed_at IS NULL', [at, auditId, id]);
      return r.rowCount === 1;
    },
    async purge(before) {
      return (await pool.query('DELETE FROM quell_previews WHERE expires_at < $1 OR committed_at < $1', [before])).rowCount ?? 0;
    },
  };

  const idempotency: IdempotencyStore = {
    async claim(actor, key, requestHash, at): Promise<IdempotencyClaim> {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const ins = await pool.query('INSERT INTO quell_idempotency (actor, key, request_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (actor, key) DO NOTHING', [
          actor,
          key,
          requestHash,
          at,
        ]);
        if (ins.rowCount === 1) return { state: 'claimed' };
        const r = await pool.query<{ request_hash: string; result: string | null }>('SELECT request_hash, result FROM quell_idempotency WHERE actor = $1 AND key = $2', [actor, key]);
        const row = r.rows[0];
        if (!row) continue; // released in between: claim it again
        if (row.result !== null) return { state: 'done', requestHash: row.request_hash, result: JSON.parse(row.result) as KillResult };
        // Another request (here or on another replica) holds the key and is still running: wait for its answer.
        if (row.request_hash !== requestHash || Date.now() >= deadline) return { state: 'in-progress', requestHash: row.request_hash };
        await sleep(100);
      }
    },
    async complete(actor, key, result) {
      await pool.query('UPDATE quell_idempotency SET result = $1 WHERE actor = $2 AND key = $3', [JSON.stringify(result), actor, key]);
    },
    async release(actor, key) {
      await pool.query('DELETE FROM quell_idempotency WHERE actor = $1 AND key = $2 AND result IS NULL', [actor, key]);
    },
    async purgeFinished(before) {
      return (await pool.query('DELETE FROM quell_idempotency WHERE created_at < $1 AND result IS NOT NULL', [before])).rowCount ?? 0;
    },
  };

  const sqlThrottles: SqlThrottleStore = {
    async save(t) {
      await pool.query(`INSERT INTO quell_sql_throttles (${THROTTLE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, throttleValues(t));
    },
    async setRuleId(id, ruleId) {
      await pool.query('UPDATE quell_sql_throttles SET rule_id = $1 WHERE id = $2', [ruleId, id]);
    },
    async get(id) {
      const r = await pool.query<SqlThrottleRow>('SELECT * FROM quell_sql_throttles WHERE id = $1', [id]);
      return r.rows[0] ? throttleFromRow(r.rows[0]) : undefined;
    },
    async listActive(instanceId) {
      const r = await pool.query<SqlThrottleRow>(`SELECT * FROM quell_sql_throttles WHERE instance_id = $1 AND status = 'active' ORDER BY expires_at, id`, [instanceId]);
      return r.rows.map(throttleFromRow);
    },
    async claimDue(now, owner, leaseUntil, limit) {
      // SKIP LOCKED: two replicas sweeping at once take different rows; the outer WHERE re-checks after the lock.
      const r = await pool.query<SqlThrottleRow>(
        `UPDATE quell_sql_throttles SET lease_owner = $1, lease_until = $2
         WHERE id IN (SELECT id FROM quell_sql_throttles WHERE status = 'active' AND expires_at <= $3 AND (lease_until IS NULL OR lease_until < $3)
                      ORDER BY expires_at LIMIT $4 FOR UPDATE SKIP LOCKED)
           AND status = 'active' AND (lease_until IS NULL OR lease_until < $3)
         RETURNING *`,
        [owner, leaseUntil, now, limit],
      );
      return r.rows.map(throttleFromRow);
    },
    async claim(id, owner, leaseUntil, now) {
      const r = await pool.query(`UPDATE quell_sql_throttles SET lease_owner = $1, lease_until = $2 WHERE id = $3 AND status = 'active' AND (lease_until IS NULL OR lease_until < $4)`, [
        owner,
        leaseUntil,
        id,
        now,
      ]);
      return r.rowCount === 1;
    },
    async finish(id, owner, status, at, by) {
      const r = await pool.query(
        `UPDATE quell_sql_throttles SET status = $1, ended_at = $2, ended_by = $3, lease_owner = NULL, lease_until = NULL WHERE id = $4 AND status = 'active' AND lease_owner = $5`,
        [status, at, by, id, owner],
      );
      return r.rowCount === 1;
    },
    async release(id, owner) {
      await pool.query('UPDATE quell_sql_throttles SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2', [id, owner]);
    },
  };

  const outbox: OutboxStore = {
    async enqueue(deliveries, at) {
      await inTransaction((c) => insertOutbox(c, deliveries, at));
    },
    async claimDue(now, owner, leaseUntil, limit, destinations) {
      if (destinations.length === 0) return [];
      // SKIP LOCKED: two replicas polling at once take different rows; the outer WHERE re-checks after the lock.
      const r = await pool.query<OutboxRow>(
        `UPDATE quell_outbox SET lease_owner = $1, lease_until = $2
         WHERE (event_id, destination) IN (
           SELECT event_id, destination FROM quell_outbox
           WHERE status = 'pending' AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until < $3) AND destination = ANY($5)
           ORDER BY created_at, event_id LIMIT $4 FOR UPDATE SKIP LOCKED)
           AND status = 'pending' AND (lease_until IS NULL OR lease_until < $3)
         RETURNING *`,
        [owner, leaseUntil, now, limit, destinations],
      );
      return r.rows.map(claimFromRow);
    },
    async markDelivered(eventId, destination, owner, at) {
      const r = await pool.query(
        `UPDATE quell_outbox SET status = 'delivered', delivered_at = $1, lease_owner = NULL, lease_until = NULL WHERE event_id = $2 AND destination = $3 AND status = 'pending' AND lease_owner = $4`,
        [at, eventId, destination, owner],
      );
      return r.rowCount === 1;
    },
    async markAttemptFailed(eventId, destination, owner, error, at, retryAt) {
      const r = await pool.query(
        `UPDATE quell_outbox SET attempts = attempts + 1, last_error = $1, last_error_at = $2, status = $3, next_attempt_at = COALESCE($4, next_attempt_at), lease_owner = NULL, lease_until = NULL
         WHERE event_id = $5 AND destination = $6 AND status = 'pending' AND lease_owner = $7`,
        [error, at, retryAt === null ? 'failed' : 'pending', retryAt, eventId, destination, owner],
      );
      return r.rowCount === 1;
    },
    async summary() {
      return (await pool.query<OutboxSummaryRow>(outboxSummarySql('quell_outbox'))).rows.map(summaryFromRow);
    },
    async listUndelivered(limit) {
      return (await pool.query<OutboxRow>(`SELECT * FROM quell_outbox WHERE status <> 'delivered' ORDER BY created_at DESC, event_id LIMIT $1`, [limit])).rows.map(entryFromRow);
    },
    async purgeDelivered(before) {
      return (await pool.query(`DELETE FROM quell_outbox WHERE status = 'delivered' AND delivered_at < $1`, [before])).rowCount ?? 0;
      },
    };

  const approvals: ApprovalStore = {
    async save(a) {
      const ins = await pool.query<ApprovalRow>(
        `INSERT INTO quell_approvals (${APPROVAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (requested_by, idempotency_key) DO NOTHING RETURNING *`,
        approvalValues(a),
      );
      if (ins.rows[0]) return approvalFromRow(ins.rows[0]);
      const r = await pool.query<ApprovalRow>('SELECT * FROM quell_approvals WHERE requested_by = $1 AND idempotency_key = $2', [a.requestedBy, a.idempotencyKey]);
      return approvalFromRow(r.rows[0]!);
    },
    async get(id) {
      const r = await pool.query<ApprovalRow>('SELECT * FROM quell_approvals WHERE id = $1', [id]);
      return r.rows[0] ? approvalFromRow(r.rows[0]) : undefined;
    },
    async listPending(now) {
      const r = await pool.query<ApprovalRow>(`SELECT * FROM quell_approvals WHERE status = 'pending' AND expires_at > $1 ORDER BY expires_at, id`, [now]);
      return r.rows.map(approvalFromRow);
    },
    async decide(id, d, now) {
      const r = await pool.query(
        `UPDATE quell_approvals SET status = $1, decided_by = $2, decided_at = $3, comment = $4, break_glass = $5 WHERE id = $6 AND status = 'pending' AND expires_at > $7`,
        [d.status, d.by, d.at, d.comment, d.breakGlass ? 1 : 0, id, now],
      );
      return r.rowCount === 1;
    },
    async expireDue(now, limit) {
      // SKIP LOCKED: two replicas sweeping at once take different rows; the outer WHERE re-checks after the lock.
      const r = await pool.query<ApprovalRow>(
        `UPDATE quell_approvals SET status = 'expired', decided_at = $1
         WHERE id IN (SELECT id FROM quell_approvals WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
           AND status = 'pending'
         RETURNING *`,
        [now, limit],
      );
      return r.rows.map(approvalFromRow);
    },
    async setAuditId(id, auditId) {
      await pool.query('UPDATE quell_approvals SET audit_id = $1 WHERE id = $2', [auditId, id]);
    },
  };

  const beat = setInterval(() => {
    heartbeat().catch((err: unknown) => options.onBackgroundError?.(err));
  }, Math.max(250, Math.floor(leaseMs / 3)));
  beat.unref();
  const sweep = setInterval(() => {
    markPendingUnknown(new Date().toISOString())
      .then((n) => {
        if (n > 0) options.onSweep?.(n);
      })
      .catch((err: unknown) => options.onBackgroundError?.(err));
  }, Math.max(500, leaseMs));
  sweep.unref();

  let closed = false;
  return {
    audit,
    previews,
    idempotency,
    sqlThrottles,
    outbox,
    approvals,
    pool,
    replicaId,
    checkWritable: heartbeat,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(beat);
      clearInterval(sweep);
      // Give the lease back: this replica has no kill in progress any more (the app drained first).
      await pool.query('DELETE FROM quell_replicas WHERE id = $1', [replicaId]).catch(() => undefined);
      await pool.end();
    },
  };
}
