// Storage interfaces. SQLite implements them all today (sqlite.ts); every method is async so that
// PostgreSQL (audit, previews, idempotency) and Redis (login sessions, throttling) can implement them later.
import type { AuditEntry, AuditQuery } from '@quell/contracts/audit';
import type { Role } from '@quell/contracts/common';
import type { KillResult, SessionOutcome } from '@quell/contracts/kill';
import type { IncidentEvent } from '@quell/contracts/events';
import type { ApprovalDecision, ApprovalRecord } from '../approvals/types.ts';
import type { AuditIntent, AuditOutcome, PreviewRecord } from '../kill/types.ts';
import type { SqlThrottleRecord } from '../throttle/types.ts';

export interface AuditStore {
  /** Written before anything is sent to DAS; status 'pending'. */
  appendIntent(intent: AuditIntent): Promise<void>;
  /**
   * Written once, after DAS answered (or failed); a row can leave 'pending' only once. The incident
   * event deliveries are enqueued in the same transaction: an outcome and its notifications are
   * stored together or not at all.
   */
  recordOutcome(id: string, outcome: AuditOutcome, deliveries?: OutboxDelivery[]): Promise<void>;
  /** A refused attempt (policy said no before DAS was called): intent and outcome in one row. */
  appendRefusal(intent: AuditIntent, error: { code: string; message: string }, at: string): Promise<void>;
  get(id: string): Promise<AuditEntry | undefined>;
  /**
   * The one change a finished row allows: a `rolling-back` outcome becomes `killed`, `still-present` or
   * stays rolling back (new seconds). Updates for sessions no longer rolling back are ignored; anything
   * else throws. Returns the row's outcomes as stored afterwards.
   */
  updateOutcomes(id: string, updates: SessionOutcome[]): Promise<SessionOutcome[]>;
  /**
   * Newest first: at most `query.limit` rows, and no more than about `maxBytes` of them (default
   * AUDIT_PAGE_MAX_BYTES; at least one row). `nextOffset` is where the next page starts (null at the end).
   */
  list(query: AuditQuery, maxBytes?: number): Promise<AuditPage>;
  /** At process start: rows left 'pending' by a crash become 'unknown'. Returns how many. */
  markPendingUnknown(at: string): Promise<number>;
}

export interface AuditPage {
  entries: AuditEntry[];
  total: number;
  nextOffset: number | null;
}

export interface PreviewStore {
  save(preview: PreviewRecord): Promise<void>;
  get(id: string): Promise<PreviewRecord | undefined>;
  /** Atomically marks the preview committed by `auditId`; false if it was already committed. */
  claim(id: string, auditId: string, at: string): Promise<boolean>;
  /** Drops previews that expired, or were committed, before `before`. */
  purge(before: string): Promise<number>;
}

/**
 * SQL throttles and their due times. Removal is leased, as a preview is claimed: of several replicas
 * (or a sweep and an early removal) exactly one holds a throttle at a time, and a lease that lapsed
 * (its holder died) may be taken again.
 */
export interface SqlThrottleStore {
  /** Saves a new throttle (status 'active'), before DAS is asked for the rule. */
  save(record: SqlThrottleRecord): Promise<void>;
  /** Records DAS's rule id once it is known. */
  setRuleId(id: string, ruleId: string): Promise<void>;
  get(id: string): Promise<SqlThrottleRecord | undefined>;
  /** The active throttles of an instance, soonest due first. */
  listActive(instanceId: string): Promise<SqlThrottleRecord[]>;
  /** Leases (to `owner` until `leaseUntil`) up to `limit` active throttles due at `now` whose lease is free or lapsed. */
  claimDue(now: string, owner: string, leaseUntil: string, limit: number): Promise<SqlThrottleRecord[]>;
  /** Leases one active throttle whose lease is free or lapsed at `now`; false otherwise. */
  claim(id: string, owner: string, leaseUntil: string, now: string): Promise<boolean>;
  /** Ends a throttle `owner` holds: once; false when it does not hold it (any more). */
  finish(id: string, owner: string, status: 'expired' | 'removed' | 'failed', at: string, by: string): Promise<boolean>;
  /** Gives a lease back (the removal failed; the next sweep tries again). */
  release(id: string, owner: string): Promise<void>;
}

/** One incident event for one destination: the unit the outbox delivers (at least once) and retries. */
export interface OutboxDelivery {
  destination: string;
  event: IncidentEvent;
}

/** A delivery leased to a worker: the event, and how many attempts failed before. */
export interface OutboxClaim extends OutboxDelivery {
  attempts: number;
}

/** A delivery not (yet) made, as the admin page shows it. */
export interface OutboxEntry {
  eventId: string;
  destination: string;
  type: IncidentEvent['type'];
  status: 'pending' | 'failed';
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface OutboxDestinationSummary {
  destination: string;
  pending: number;
  /** Gave up after the last attempt allowed. */
  failed: number;
  delivered: number;
  lastError: string | null;
  lastErrorAt: string | null;
  oldestPendingAt: string | null;
}

/**
 * Incident event deliveries. Each (event, destination) is leased to one worker at a time (as a due
 * throttle is): of several replicas exactly one holds it, and a lease that lapsed (its holder died)
 * may be taken again, so delivery is at least once.
 */
export interface OutboxStore {
  /** Stores deliveries as pending, due at `at` (an (event, destination) already stored is kept as it is). */
  enqueue(deliveries: OutboxDelivery[], at: string): Promise<void>;
  /** Leases (to `owner` until `leaseUntil`) up to `limit` pending deliveries to `destinations` due at `now`, oldest first. */
  claimDue(now: string, owner: string, leaseUntil: string, limit: number, destinations: string[]): Promise<OutboxClaim[]>;
  /** Marks a delivery `owner` holds as delivered; false when it does not hold it (any more). */
  markDelivered(eventId: string, destination: string, owner: string, at: string): Promise<boolean>;
  /** Records a failed attempt of a delivery `owner` holds and frees it: due again at `retryAt`, or `failed` for good when null. */
  markAttemptFailed(eventId: string, destination: string, owner: string, error: string, at: string, retryAt: string | null): Promise<boolean>;
  /** Counts per destination that has any delivery. */
  summary(): Promise<OutboxDestinationSummary[]>;
  /** Pending and failed deliveries, newest first. */
  listUndelivered(limit: number): Promise<OutboxEntry[]>;
  /** Forgets deliveries made before `before`. */
  purgeDelivered(before: string): Promise<number>;
}

/**
 * Approval requests of the two-person rule. Deciding is atomic: of several approvers (or replicas) at
 * once exactly one changes a pending request, and only before its due time; expiring is the same.
 */
export interface ApprovalStore {
  /** Saves a new pending request; when the requester's Idempotency-Key already made one, returns that one instead. */
  save(record: ApprovalRecord): Promise<ApprovalRecord>;
  get(id: string): Promise<ApprovalRecord | undefined>;
  /** Pending requests not yet due at `now`, soonest due first. */
  listPending(now: string): Promise<ApprovalRecord[]>;
  /** Approves or denies a request still pending and not due at `now`; false otherwise (someone else decided, or it is due). */
  decide(id: string, decision: ApprovalDecision, now: string): Promise<boolean>;
  /** Marks up to `limit` pending requests due at `now` expired and returns them: each is returned to exactly one caller. */
  expireDue(now: string, limit: number): Promise<ApprovalRecord[]>;
  /** Links a decided request to the audit entry it led to. */
  setAuditId(id: string, auditId: string): Promise<void>;
}

export type IdempotencyClaim =
  | { state: 'claimed' }
  | { state: 'done'; requestHash: string; result: KillResult }
  | { state: 'in-progress'; requestHash: string };

export interface IdempotencyStore {
  /** Claims (actor, key) for a request; if already claimed, says what happened to it. */
  claim(actor: string, key: string, requestHash: string, at: string): Promise<IdempotencyClaim>;
  complete(actor: string, key: string, result: KillResult): Promise<void>;
  /** Frees a claim whose request was refused before anything was sent (so the key may be used again). */
  release(actor: string, key: string): Promise<void>;
  /** Forgets finished keys claimed before `before` (a replay after that is a new request). */
  purgeFinished(before: string): Promise<number>;
}

export interface LoginSession {
  /** Opaque id as stored (a keyed hash of the cookie value, never the cookie itself). */
  idHash: string;
  username: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  /** Set for an identity-provider sign-in: the role its groups gave at sign-in (no local account behind it). */
  role?: Role;
  /** The IdP's display name of the user (identity-provider sign-ins only). */
  displayName?: string;
}

export interface LoginSessionStore {
  create(session: LoginSession): Promise<void>;
  get(idHash: string): Promise<LoginSession | undefined>;
  touch(idHash: string, at: number): Promise<void>;
  destroy(idHash: string): Promise<void>;
  destroyForUser(username: string): Promise<void>;
  purgeIdle(idleBefore: number): Promise<number>;
}

export interface Stores {
  audit: AuditStore;
  previews: PreviewStore;
  idempotency: IdempotencyStore;
  sqlThrottles: SqlThrottleStore;
  outbox: OutboxStore;
  approvals: ApprovalStore;
  loginSessions: LoginSessionStore;
  /** Proves the store accepts writes (for /readyz). */
  checkWritable(): Promise<void>;
  close(): Promise<void>;
  /** What backs each part, for /readyz (absent: SQLite for everything, rate limits in memory). */
  kinds?: StoreKinds;
  /** Proves the login-session store answers, when it is not the same database as the rest (Redis). */
  checkSessions?(): Promise<void>;
}

/** Which engine holds what: the embedded default, or the shared ones of several replicas. */
export interface StoreKinds {
  store: 'sqlite' | 'postgres';
  sessions: 'sqlite' | 'redis';
  rateLimits: 'memory' | 'redis';
}
