// The two-person rule: a kill held back for a second engineer becomes an approval request with its
// preview frozen; another operator or admin approves it (which commits exactly that preview, with the
// usual identity re-check) or denies it; an admin may approve their own as break-glass; unanswered, it
// expires at its due time. Every decision is atomic in the store, written to the audit trail and emitted.
import { randomUUID } from 'node:crypto';
import type { ApprovalRequest, ApproveRequest, AuditApproval, DenyRequest } from '@quell/contracts/approvals';
import type { IncidentEvent } from '@quell/contracts/events';
import type { CommitRequest, KillResult } from '@quell/contracts/kill';
import type { InstanceConfig } from '../config.ts';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { ApprovalAsk, KillContext } from '../kill/context.ts';
import { createPreview } from '../kill/preview.ts';
import type { Actor, PreviewRecord } from '../kill/types.ts';
import type { EventSink } from '../notify/sink.ts';
import type { ApprovalRecord } from './types.ts';

export interface ApprovalSettings {
  /** How long a request waits for a second engineer (default 10 min; an instance's approvalTtlSeconds wins). */
  ttlMs: number;
  /** How often due requests are expired (default 5 s). */
  sweepMs: number;
  /** Quell's public URL: events link to the approval screen when it is known. */
  publicUrl?: string;
}

/** Runs the commit of a frozen preview (the kill workflow's one commit path). */
export type CommitFrozen = (actor: Actor, preview: PreviewRecord, req: CommitRequest, idempotencyKey: string, approval: AuditApproval) => Promise<KillResult>;

const SWEEP_BATCH = 100;

export class ApprovalService {
  readonly #c: KillContext;
  readonly #events: EventSink;
  readonly #commit: CommitFrozen;
  readonly #s: ApprovalSettings;
  #sweep: NodeJS.Timeout | undefined;

  constructor(o: { context: KillContext; events: EventSink; commit: CommitFrozen; settings: ApprovalSettings }) {
    this.#c = o.context;
    this.#events = o.events;
    this.#commit = o.commit;
    this.#s = o.settings;
  }

  start(): void {
    if (this.#sweep) return;
    this.#sweep = setInterval(() => {
      this.expireDue().catch((err: unknown) => this.#c.logger.warn({ err }, 'approval expiry sweep failed'));
    }, this.#s.sweepMs);
    this.#sweep.unref();
  }

  stop(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  /** Creates the request for a held-back kill (or finds the one the same Idempotency-Key made) and throws APPROVAL_REQUIRED. */
  async ask(ask: ApprovalAsk): Promise<never> {
    const now = this.#c.now();
    const preview = ask.kind === 'preview' ? ask.preview : await this.#freeze(ask.actor, ask.instance, ask.filter);
    const record: ApprovalRecord = {
      id: randomUUID(),
      instanceId: ask.instance.id,
      kind: ask.kind,
      status: 'pending',
      reason: ask.reason,
      requestedBy: ask.actor.username,
      requestedByName: ask.actor.displayName ?? null,
      requestedRole: ask.actor.role,
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + (ask.instance.approvalTtlSeconds !== undefined ? ask.instance.approvalTtlSeconds * 1000 : this.#s.ttlMs)).toISOString(),
      idempotencyKey: ask.idempotencyKey,
      preview,
      decidedBy: null,
      decidedAt: null,
      comment: null,
      breakGlass: false,
      auditId: null,
    };
    const stored = await this.#c.stores.approvals.save(record);
    if (stored.id === record.id) await this.#emit('approval.requested', stored, stored.requestedBy);
    throw new AppError('APPROVAL_REQUIRED', `${ask.instance.name} follows the two-person rule: approval requested, waiting for a second engineer`, {
      approvalId: stored.id,
      expiresAt: stored.expiresAt,
    });
  }

  /** The pending requests, soonest due first. */
  async listPending(): Promise<ApprovalRequest[]> {
    await this.expireDue();
    const pending = await this.#c.stores.approvals.listPending(this.#c.now().toISOString());
    // A request on an instance that has since left the inventory cannot be approved: it is not shown.
    return pending.filter((a) => this.#known(a.instanceId)).map((a) => this.#view(a));
  }

  async get(id: string): Promise<ApprovalRequest> {
    return this.#view(await this.#load(id));
  }

  /** Approves and commits the frozen preview. The caller makes it idempotent per (approver, key). */
  async approve(actor: Actor, id: string, body: ApproveRequest, idempotencyKey: string): Promise<KillResult> {
    const a = await this.#pending(id);
    const own = a.requestedBy === actor.username;
    if (own && actor.role !== 'admin') throw new ForbiddenError('you asked for this kill: another operator or admin must approve it');
    if (own && !body.breakGlass) throw new ForbiddenError('you asked for this kill: another engineer must approve it, or approve it as break-glass with a reason');
    if (!own && body.breakGlass) throw new ValidationError([{ field: 'breakGlass', message: 'is only for an admin approving their own request' }]);
    const at = this.#c.now().toISOString();
    const comment = body.comment ? body.comment : null;
    await this.#decide(a, { status: 'approved', by: actor.username, at, comment, breakGlass: body.breakGlass });
    const decided: ApprovalRecord = { ...a, status: 'approved', decidedBy: actor.username, decidedAt: at, comment, breakGlass: body.breakGlass };
    const instance = this.#c.inventory.instance(a.instanceId);
    // The requester typed the instance name when asking; the approval's due time is the preview's life now.
    const preview = { ...a.preview, expiresAt: a.expiresAt };
    let result: KillResult;
    try {
      result = await this.#commit(actor, preview, { reason: a.reason, confirmInstanceName: instance.name }, idempotencyKey, this.#auditApproval(decided));
    } catch (err) {
      // The request stays decided (its preview is spent), but the kill did not run: the channel hears that too.
      await this.#emit('approval.granted', decided, actor.username, undefined, 'failed');
      throw err;
    }
    await this.#c.stores.approvals.setAuditId(a.id, result.auditId);
    await this.#emit('approval.granted', { ...decided, auditId: result.auditId }, actor.username, result);
    return result;
  }

  /** Denies a request: nothing is killed; the audit trail records who denied it and why. */
  async deny(actor: Actor, id: string, body: DenyRequest): Promise<ApprovalRequest> {
    const a = await this.#pending(id);
    const at = this.#c.now().toISOString();
    await this.#decide(a, { status: 'denied', by: actor.username, at, comment: body.comment, breakGlass: false });
    const decided: ApprovalRecord = { ...a, status: 'denied', decidedBy: actor.username, decidedAt: at, comment: body.comment };
    const auditId = await this.#recordEnd(decided, actor, { code: 'APPROVAL_DENIED', message: `denied by ${actor.username}: nothing was killed` });
    await this.#emit('approval.denied', { ...decided, auditId }, actor.username);
    return this.#view({ ...decided, auditId });
  }

  /** Expires every request past its due time; each is recorded and emitted by exactly one caller (or replica). */
  async expireDue(): Promise<number> {
    const expired = await this.#c.stores.approvals.expireDue(this.#c.now().toISOString(), SWEEP_BATCH);
    for (const a of expired) {
      const requester: Actor = { username: a.requestedBy, role: a.requestedRole, ...(a.requestedByName ? { displayName: a.requestedByName } : {}) };
      const auditId = await this.#recordEnd(a, requester, { code: 'APPROVAL_EXPIRED', message: 'no second engineer approved it in time: nothing was killed' });
      await this.#emit('approval.expired', { ...a, auditId }, a.requestedBy);
    }
    return expired.length;
  }

  #known(instanceId: string): boolean {
    try {
      this.#c.inventory.instance(instanceId);
      return true;
    } catch {
      return false;
    }
  }

  /** The listing of a broad kill's filter, frozen as a preview: an approval kills at most these sessions. */
  async #freeze(actor: Actor, instance: InstanceConfig, filter: { user?: string; database?: string }): Promise<PreviewRecord> {
    const shown = await createPreview(this.#c, actor, instance, filter);
    const stored = await this.#c.stores.previews.get(shown.previewId);
    if (!stored) throw new AppError('INTERNAL', 'the frozen preview could not be read back, so no approval was requested');
    return stored;
  }

  async #load(id: string): Promise<ApprovalRecord> {
    const a = await this.#c.stores.approvals.get(id);
    if (!a) throw new NotFoundError(`no approval request "${id}"`);
    if (a.status === 'pending' && Date.parse(a.expiresAt) <= this.#c.now().getTime()) {
      await this.expireDue();
      return (await this.#c.stores.approvals.get(id)) ?? a;
    }
    return a;
  }

  async #pending(id: string): Promise<ApprovalRecord> {
    const a = await this.#load(id);
    if (a.status === 'expired') throw this.#expired(a);
    if (a.status !== 'pending') throw new ConflictError(`this request was already ${a.status} by ${a.decidedBy ?? 'someone else'}`, { status: a.status });
    return a;
  }

  /** The atomic step: of several approvers (or replicas) at once, one wins; after the due time nobody does. */
  async #decide(a: ApprovalRecord, d: Parameters<KillContext['stores']['approvals']['decide']>[1]): Promise<void> {
    if (await this.#c.stores.approvals.decide(a.id, d, this.#c.now().toISOString())) return;
    const now = await this.#load(a.id);
    if (now.status === 'expired' || now.status === 'pending') throw this.#expired(now);
    throw new ConflictError(`this request was already ${now.status} by ${now.decidedBy ?? 'someone else'}`, { status: now.status });
  }

  #expired(a: ApprovalRecord): AppError {
    return new AppError('APPROVAL_EXPIRED', `this approval request expired at ${a.expiresAt}: nothing was killed; ask again if the kill is still needed`, { expiresAt: a.expiresAt });
  }

  #auditApproval(a: ApprovalRecord): AuditApproval {
    const decision = a.status === 'pending' ? 'expired' : a.status;
    return {
      requestId: a.id,
      kind: a.kind,
      requestedBy: a.requestedBy,
      requestedAt: a.requestedAt,
      decision,
      ...(decision === 'approved' && a.decidedBy ? { approvedBy: a.decidedBy } : {}),
      ...(decision === 'denied' && a.decidedBy ? { deniedBy: a.decidedBy } : {}),
      decidedAt: a.decidedAt ?? this.#c.now().toISOString(),
      ...(a.comment ? { comment: a.comment } : {}),
      breakGlass: a.breakGlass,
    };
  }

  /** The audit row of a request that ended without a kill (denied or expired). */
  async #recordEnd(a: ApprovalRecord, actor: Actor, error: { code: string; message: string }): Promise<string | null> {
    let instance: InstanceConfig;
    try {
      instance = this.#c.inventory.instance(a.instanceId);
    } catch {
      return null; // the instance left the inventory: nothing to attach the row to
    }
    const intent = this.#c.audit.intent(actor, instance, {
      mode: a.kind,
      target: { ...a.preview.filter, sessionIds: a.preview.targets.map((t) => t.session.id) },
      reason: a.reason,
      excluded: a.preview.excluded,
      idempotencyKey: a.idempotencyKey,
      previewId: a.preview.id,
      previewCreatedBy: a.preview.createdBy,
      approval: this.#auditApproval(a),
    });
    await this.#c.audit.refusal(intent, error);
    await this.#c.stores.approvals.setAuditId(a.id, intent.id);
    return intent.id;
  }

  /** Hands an event to the sink; a failure is logged and never fails the decision. */
  async #emit(type: Extract<IncidentEvent['type'], `approval.${string}`>, a: ApprovalRecord, actor: string, result?: KillResult, status?: 'failed'): Promise<void> {
    let instance: InstanceConfig;
    try {
      instance = this.#c.inventory.instance(a.instanceId);
    } catch {
      return;
    }
    const link = this.#s.publicUrl ? `${this.#s.publicUrl.replace(/\/+$/, '')}/approvals/${encodeURIComponent(a.id)}` : undefined;
    const event: IncidentEvent = {
      id: randomUUID(),
      type,
      occurredAt: this.#c.now().toISOString(),
      instance: { id: instance.id, name: instance.name, environment: instance.environment },
      actor,
      reason: a.reason,
      ...(link ? { link } : {}),
      ...(a.auditId ? { auditId: a.auditId } : {}),
      ...(status ? { status } : {}),
      ...(result ? { counts: Object.fromEntries(Object.entries(result.summary).filter((e): e is [string, number] => e[1] !== undefined)) } : {}),
      approval: {
        id: a.id,
        requester: a.requestedBy,
        ...(a.decidedBy && type !== 'approval.expired' ? { approver: a.decidedBy } : {}),
        ...(a.comment ? { comment: a.comment } : {}),
        ...(a.breakGlass ? { breakGlass: true } : {}),
        targetCount: a.preview.targets.length,
        expiresAt: a.expiresAt,
      },
    };
    try {
      await this.#events.emit(event);
    } catch (err) {
      this.#c.logger.error({ err, approvalId: a.id, type }, 'approval event could not be handed over');
    }
  }

  #view(a: ApprovalRecord): ApprovalRequest {
    const instance = this.#c.inventory.instance(a.instanceId);
    return {
      id: a.id,
      instanceId: a.instanceId,
      instanceName: instance.name,
      environment: instance.environment,
      kind: a.kind,
      status: a.status,
      reason: a.reason,
      requestedBy: a.requestedBy,
      requestedByName: a.requestedByName,
      requestedAt: a.requestedAt,
      expiresAt: a.expiresAt,
      filter: a.preview.filter,
      targets: a.preview.targets.map((t) => t.session),
      excluded: a.preview.excluded,
      blastRadiusCap: instance.blastRadiusCap,
      decidedBy: a.decidedBy,
      decidedAt: a.decidedAt,
      comment: a.comment,
      breakGlass: a.breakGlass,
      auditId: a.auditId,
    };
  }
}
