// The kill workflow's one entry point for the routes: inventory and DAS db users, preview → commit,
// broad mode and blind ids, each kill idempotent per (actor, Idempotency-Key) and tracked until it ends.
// Every attempt writes its audit intent before the first DAS call and its outcome after the last one.
import type { Logger } from 'pino';
import type { DbUserRecord } from '@quell/das-client/types';
import type { ApprovalRequest, ApproveRequest, DenyRequest } from '@quell/contracts/approvals';
import type { BlindKillRequest, BroadKillRequest, CommitRequest, KillPreview, KillPreviewRequest, KillResult, RecheckResult } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';
import type { InstanceConfig } from '../config.ts';
import type { DasPort } from '../das/port.ts';
import { NotFoundError } from '../errors.ts';
import { ApprovalService, type ApprovalSettings } from '../approvals/service.ts';
import type { Metrics } from '../metrics.ts';
import type { AuditNotifier } from '../notify/outbox.ts';
import type { EventSink } from '../notify/sink.ts';
import type { Stores } from '../stores/types.ts';
import { AuditTrail } from './audit-trail.ts';
import { blindKill } from './blind.ts';
import { broadKill } from './broad.ts';
import { commitPreview } from './commit.ts';
import { recheckKill } from './recheck.ts';
import type { KillContext, KillSettings } from './context.ts';
import { Idempotency, requestHash } from './idempotency.ts';
import { InFlight } from './in-flight.ts';
import { Inventory, type SessionListFilter, type SessionPage } from './inventory.ts';
import { DEFAULT_START_TOLERANCE_MS } from './policy.ts';
import { createPreview } from './preview.ts';
import { PreviewRate } from './preview-rate.ts';
import type { Actor } from './types.ts';

export interface KillServiceOptions extends Partial<KillSettings> {
  instances: InstanceConfig[];
  das: (instance: InstanceConfig) => DasPort;
  stores: Stores;
  metrics: Metrics;
  logger: Logger;
  now: () => Date;
  dasUserCacheMs?: number;
  /** Previews per user and window (default PREVIEW_RATE). */
  previewRate?: { max: number; windowMs: number };
  /** The incident events of kill outcomes (absent: none). */
  notify?: AuditNotifier;
  /** Where approval requests' state changes go (the team's channel). */
  events: EventSink;
  /** Two-person rule tuning (request expiry, sweep interval, public URL for links). */
  approvals?: Partial<ApprovalSettings>;
}

export type KillAnswer = { result: KillResult; replayed: boolean };

export class KillService {
  readonly #c: KillContext;
  readonly #inventory: Inventory;
  readonly #idempotency: Idempotency;
  readonly #inFlight = new InFlight();
  readonly #previewRate: PreviewRate;
  readonly #approvals: ApprovalService;

  constructor(o: KillServiceOptions) {
    this.#inventory = new Inventory({ instances: o.instances, das: o.das, now: o.now, dasUserCacheMs: o.dasUserCacheMs ?? 5 * 60_000 });
    this.#idempotency = new Idempotency(o.stores.idempotency, o.now);
    this.#previewRate = new PreviewRate(o.now, o.previewRate);
    this.#c = {
      inventory: this.#inventory,
      audit: new AuditTrail({ audit: o.stores.audit, metrics: o.metrics, logger: o.logger, now: o.now, ...(o.notify ? { notify: o.notify } : {}) }),
      stores: o.stores,
      metrics: o.metrics,
      logger: o.logger,
      now: o.now,
      settings: {
        previewTtlMs: o.previewTtlMs ?? 60_000,
        chunkSize: o.chunkSize ?? 100,
        verifyAttempts: o.verifyAttempts ?? 5,
        verifyDelayMs: o.verifyDelayMs ?? 300,
        startToleranceMs: o.startToleranceMs ?? DEFAULT_START_TOLERANCE_MS,
      },
      askApproval: (ask) => this.#approvals.ask(ask),
    };
    this.#approvals = new ApprovalService({
      context: this.#c,
      events: o.events,
      commit: (actor, preview, req, key, approval) => commitPreview(this.#c, actor, preview, req, key, approval),
      settings: { ttlMs: o.approvals?.ttlMs ?? 10 * 60_000, sweepMs: o.approvals?.sweepMs ?? 5_000, ...(o.approvals?.publicUrl ? { publicUrl: o.approvals.publicUrl } : {}) },
    });
  }

  /** Starts expiring approval requests at their due time. */
  start(): void {
    this.#approvals.start();
  }

  instance(id: string): InstanceConfig {
    return this.#inventory.instance(id);
  }

  /** The inventory the kill workflow uses, for reads that need the same instances and DAS db users (the lock views). */
  get inventory(): Inventory {
    return this.#inventory;
  }

  /** Kills in progress right now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Stops the expiry sweep, then resolves when every kill in progress has finished (graceful shutdown). */
  drain(): Promise<void> {
    this.#approvals.stop();
    return this.#inFlight.drain();
  }

  /** The MySQL account behind the instance's DAS db user (never killed). Cached. */
  dasUsername(instance: InstanceConfig): Promise<string> {
    return this.#inventory.dasUsername(instance);
  }

  forgetDasUser(instanceId: string): void {
    this.#inventory.forgetDasUser(instanceId);
  }

  listDbUsers(instance: InstanceConfig): Promise<(DbUserRecord & { inUse: boolean })[]> {
    return this.#inventory.listDbUsers(instance);
  }

  registerDbUser(instance: InstanceConfig, dbUsername: string, dbUserPassword: string): Promise<string> {
    return this.#inventory.registerDbUser(instance, dbUsername, dbUserPassword);
  }

  deleteDbUser(instance: InstanceConfig, dbUserId: string): Promise<void> {
    return this.#inventory.deleteDbUser(instance, dbUserId);
  }

  /** Every session matching the filter, all pages. */
  listSessions(instance: InstanceConfig, filter: SessionListFilter): Promise<{ sessions: Session[]; listedAtMs: number }> {
    return this.#inventory.listSessions(instance, filter);
  }

  sessionPages(instance: InstanceConfig, filter: SessionListFilter): AsyncIterable<SessionPage> {
    return this.#inventory.sessionPages(instance, filter);
  }

  /** The wall clock, as the listings stamp it. */
  now(): Date {
    return this.#c.now();
  }

  async preview(actor: Actor, instance: InstanceConfig, req: KillPreviewRequest): Promise<KillPreview> {
    if (actor.role === 'viewer') this.#previewRate.take(actor.username);
    return createPreview(this.#c, actor, instance, req);
  }

  /** Commit a preview. The key is checked first, so a replay answers even after the preview itself was purged. */
  commit(actor: Actor, previewId: string, req: CommitRequest, idempotencyKey: string): Promise<KillAnswer> {
    return this.#inFlight.track(
      this.#idempotency.once(actor.username, idempotencyKey, requestHash('commit', previewId), async () => {
        const preview = await this.#c.stores.previews.get(previewId);
        if (!preview) throw new NotFoundError('no such preview');
        return commitPreview(this.#c, actor, preview, req, idempotencyKey);
      }),
    );
  }

  /** Broad mode (admin): DAS kills every session of the user/database at execution time. */
  broad(actor: Actor, instance: InstanceConfig, req: BroadKillRequest, idempotencyKey: string): Promise<KillAnswer> {
    const hash = requestHash('broad', instance.id, req.user ?? '', req.database ?? '');
    return this.#inFlight.track(this.#idempotency.once(actor.username, idempotencyKey, hash, () => broadKill(this.#c, actor, instance, req, idempotencyKey)));
  }

  /** Blind ids (admin): sent without a listing; checked only against sessions of protected accounts. */
  blind(actor: Actor, instance: InstanceConfig, req: BlindKillRequest, idempotencyKey: string): Promise<KillAnswer> {
    const hash = requestHash('blind', instance.id, ...[...new Set(req.sessionIds)].sort((a, b) => a - b));
    return this.#inFlight.track(this.#idempotency.once(actor.username, idempotencyKey, hash, () => blindKill(this.#c, actor, instance, req, idempotencyKey)));
  }

  /** Approval requests waiting for a second engineer. */
  pendingApprovals(): Promise<ApprovalRequest[]> {
    return this.#approvals.listPending();
  }

  approval(id: string): Promise<ApprovalRequest> {
    return this.#approvals.get(id);
  }

  /** Approves a request and commits its frozen preview, once per (approver, Idempotency-Key). */
  approve(actor: Actor, approvalId: string, req: ApproveRequest, idempotencyKey: string): Promise<KillAnswer> {
    return this.#inFlight.track(this.#idempotency.once(actor.username, idempotencyKey, requestHash('approve', approvalId), () => this.#approvals.approve(actor, approvalId, req, idempotencyKey)));
  }

  deny(actor: Actor, approvalId: string, req: DenyRequest): Promise<ApprovalRequest> {
    return this.#approvals.deny(actor, approvalId, req);
  }

  /** Expires the requests past their due time now (the sweep does it every few seconds). */
  expireApprovals(): Promise<number> {
    return this.#approvals.expireDue();
  }

  /** Lists the rolling-back sessions of a kill again and records the ones that resolved. */
  recheck(auditId: string): Promise<RecheckResult> {
    return recheckKill(this.#c, auditId);
  }
}
