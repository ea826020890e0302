// The audit trail of kill attempts: an intent written before the first DAS call, then its outcome;
// or, for an attempt policy refused before DAS was called, one refusal row. Built here and only here.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { KillResult, SessionOutcome } from '@quell/contracts/kill';
import type { InstanceConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { AuditNotifier } from '../notify/outbox.ts';
import type { AuditStore } from '../stores/types.ts';
import { excludedWithoutSql } from './redact.ts';
import type { Actor, AuditIntent } from './types.ts';

export interface AttemptFields {
  mode: AuditIntent['mode'];
  target: AuditIntent['target'];
  reason: string;
  idempotencyKey: string;
  excluded?: AuditIntent['excluded'];
  previewId?: string;
  previewCreatedBy?: string;
  notFoundCount?: number;
  approval?: AuditIntent['approval'];
}

export class AuditTrail {
  readonly #o: { audit: AuditStore; metrics: Metrics; logger: Logger; now: () => Date; notify?: AuditNotifier };
  constructor(options: { audit: AuditStore; metrics: Metrics; logger: Logger; now: () => Date; notify?: AuditNotifier }) {
    this.#o = options;
  }

  /** The intent of one attempt, with a fresh audit id. */
  intent(actor: Actor, instance: InstanceConfig, f: AttemptFields): AuditIntent {
    return {
      id: randomUUID(),
      at: this.#o.now().toISOString(),
      actor: actor.username,
      ...(actor.displayName !== undefined ? { actorName: actor.displayName } : {}),
      role: actor.role,
      instanceId: instance.id,
      mode: f.mode,
      target: f.target,
      reason: f.reason,
      excluded: f.excluded ?? [],
      idempotencyKey: f.idempotencyKey,
      ...(f.previewId !== undefined ? { previewId: f.previewId } : {}),
      ...(f.previewCreatedBy !== undefined ? { previewCreatedBy: f.previewCreatedBy } : {}),
      ...(f.notFoundCount !== undefined ? { notFoundCount: f.notFoundCount } : {}),
      ...(f.approval !== undefined ? { approval: f.approval } : {}),
    };
  }

  /** Records a refusal (nothing was sent to DAS) and throws `error`. */
  async refuse(intent: AuditIntent, error: AppError): Promise<never> {
    await this.refusal(intent, { code: error.code, message: error.message });
    throw error;
  }

  /** Records an attempt that ended before DAS was called (a refusal, or an approval request denied or expired). */
  async refusal(intent: AuditIntent, error: { code: string; message: string }): Promise<void> {
    try {
      await this.#o.audit.appendRefusal({ ...intent, excluded: excludedWithoutSql(intent.excluded) }, error, this.#o.now().toISOString());
    } catch (err) {
      this.#o.metrics.auditWriteFailures.inc();
      this.#o.logger.error({ err, auditId: intent.id }, 'audit write failed (refusal)');
    }
  }

  /** Writes the intent; if it cannot be written, nothing may be sent to DAS. */
  async open(intent: AuditIntent): Promise<void> {
    try {
      await this.#o.audit.appendIntent({ ...intent, excluded: excludedWithoutSql(intent.excluded) });
    } catch (err) {
      this.#o.metrics.auditWriteFailures.inc();
      this.#o.logger.error({ err, auditId: intent.id }, 'audit intent write failed: nothing was sent to DAS');
      throw new AppError('INTERNAL', 'the audit trail could not be written, so nothing was killed');
    }
  }

  /** Records the outcome of an opened intent (its notification needs the intent's actor, reason and mode). A failed write leaves the row pending (unknown at restart). */
  async finish(intent: AuditIntent, result: KillResult, status: 'completed' | 'failed', error?: { code: string; message: string }): Promise<void> {
    const outcome = { status, finishedAt: result.finishedAt, outcomes: result.outcomes, excluded: excludedWithoutSql(result.excluded), dasRequestIds: result.dasRequestIds, error: error ?? null };
    try {
      // The team's notification is stored with the outcome, in its transaction; it is delivered later.
      const deliveries = this.#o.notify ? this.#o.notify.deliveriesOf(intent, outcome) : [];
      await this.#o.audit.recordOutcome(result.auditId, outcome, deliveries);
      if (deliveries.length > 0) this.#o.notify!.enqueued();
    } catch (err) {
      this.#o.metrics.auditWriteFailures.inc();
      this.#o.logger.error({ err, auditId: result.auditId }, 'audit outcome write failed; the row stays pending and becomes unknown at restart');
    }
  }

  /** Records what rolling-back sessions became (the one change a finished row allows); returns the row's outcomes. */
  async resolveRollingBack(auditId: string, updates: SessionOutcome[]): Promise<SessionOutcome[]> {
    try {
      return await this.#o.audit.updateOutcomes(auditId, updates);
    } catch (err) {
      this.#o.metrics.auditWriteFailures.inc();
      this.#o.logger.error({ err, auditId }, 'audit write failed (rolling-back outcomes)');
      throw new AppError('INTERNAL', 'the audit trail could not be updated: check again');
    }
  }
}
