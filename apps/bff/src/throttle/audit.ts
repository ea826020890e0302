// The audit rows of a throttle's life: created (or refused/failed), expired, removed early; each names
// the rule, its expiry and the kill that led to it. One row per step, opened before DAS is called.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditEntry } from '@quell/contracts/audit';
import type { Role } from '@quell/contracts/common';
import { AppError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { AuditIntent } from '../kill/types.ts';
import type { AuditNotifier } from '../notify/outbox.ts';
import type { AuditStore } from '../stores/types.ts';
import type { SqlThrottleRecord } from './types.ts';

export type ThrottleStep = 'throttle-create' | 'throttle-expire' | 'throttle-remove';

export interface StepActor {
  username: string;
  role: Role;
}

export class ThrottleAudit {
  readonly #o: { audit: AuditStore; metrics: Metrics; logger: Logger; now: () => Date; notify?: AuditNotifier };

  constructor(o: { audit: AuditStore; metrics: Metrics; logger: Logger; now: () => Date; notify?: AuditNotifier }) {
    this.#o = o;
  }

  #target(t: SqlThrottleRecord): AuditEntry['target'] {
    return { throttle: { throttleId: t.id, sqlType: t.sqlType, pattern: t.pattern, maxConcurrency: t.maxConcurrency, expiresAt: t.expiresAt, ruleId: t.ruleId, killAuditId: t.killAuditId } };
  }

  /** Opens the row of a step; if it cannot be written, nothing may be sent to DAS. Returns its intent, for `finish`. */
  async open(step: ThrottleStep, actor: StepActor, t: SqlThrottleRecord, reason: string, id: string = randomUUID()): Promise<AuditIntent> {
    const intent: AuditIntent = { id, at: this.#o.now().toISOString(), actor: actor.username, role: actor.role, instanceId: t.instanceId, mode: step, target: this.#target(t), reason, excluded: [], idempotencyKey: null };
    try {
      await this.#o.audit.appendIntent(intent);
      return intent;
    } catch (err) {
      this.#o.metrics.auditWriteFailures.inc();
      this.#o.logger.error({ err, throttleId: t.id }, 'throttle audit intent write failed: nothing was sent to DAS');
      throw new AppError('INTERNAL', 'the audit trail could not be written, so nothing was sent to DAS');
    }
  }

  /** Records how the step ended (its notification needs the intent's step, actor and throttle). A failed write leaves the row pending (unknown at restart). */
  async finish(intent: AuditIntent, status: 'completed' | 'failed', dasRequestIds: Array<string | undefined>, error?: { code: string; message: string }): Promise<void> {
    const id = intent.id;
    const outcome = { status, finishedAt: this.#o.now().toISOString(), outcomes: [], dasRequestIds: dasRequestIds.filter((r): r is string => r !== undefined), error: error ?? null };
    try {
      const deliveries = this.#o.notify ? this.#o.notify.deliveriesOf(intent, outcome) : [];
      await this.#o.audit.recordOutcome(id, outcome, deliveries);
      if (deliveries.length > 0) this.#o.notify!.enqueued();
    } catch (err) {
      this.#o.metrics.auditWriteFailures.inc();
      this.#o.logger.error({ err, auditId: id }, 'throttle audit outcome write failed; the row stays pending');
    }
  }

  /** A request refused before DAS was called: one failed row, then the error is thrown. */
  async refuse(actor: StepActor, t: SqlThrottleRecord, reason: string, error: AppError): Promise<never> {
    try {
      await this.#o.audit.appendRefusal(
        { id: randomUUID(), at: this.#o.now().toISOString(), actor: actor.username, role: actor.role, instanceId: t.instanceId, mode: 'throttle-create', target: this.#target(t), reason, excluded: [], idempotencyKey: null },
        { code: error.code, message: error.message },
        this.#o.now().toISOString(),
      );
    } catch (err) {
      this.#o.metrics.auditWriteFailures.inc();
      this.#o.logger.error({ err, throttleId: t.id }, 'audit write failed (throttle refusal)');
    }
    throw error;
  }
}
