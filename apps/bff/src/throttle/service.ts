// SQL throttles per instance: preview (which running statements the rule matches now), create (switch
// on when needed, the rule, its due time in the store), list, remove early, and the sweeper that removes
// every due throttle — at start and on an interval, under a lease so one replica removes each one once.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CreateThrottleRequest, Throttle, ThrottlePatternResponse, ThrottlePreview, ThrottlePreviewRequest } from '@quell/contracts/throttles';
import { THROTTLE_SQL_TYPES, type ThrottleSqlType } from '@quell/contracts/throttles';
import { splitPattern } from '@quell/das-client/sql-limit-pattern';
import type { InstanceConfig } from '../config.ts';
import type { DasPort } from '../das/port.ts';
import { AppError, ConflictError, ValidationError } from '../errors.ts';
import type { KillService } from '../kill/service.ts';
import type { Actor, AuditIntent } from '../kill/types.ts';
import type { Metrics } from '../metrics.ts';
import type { AuditNotifier } from '../notify/outbox.ts';
import type { Stores } from '../stores/types.ts';
import { ThrottleAudit } from './audit.ts';
import { checkRule, explainRule, matchingSessions, PROTECTED_NOTICE } from './rule.ts';
import { ensureSwitchOn } from './switch.ts';
import type { SqlThrottleRecord } from './types.ts';

export interface ThrottleSettings {
  /** How often the sweeper looks for due throttles (default 15 s). */
  sweepIntervalMs: number;
  /** How long a removal lease holds before another replica may take it (default 60 s). */
  leaseMs: number;
  /** Switch job polling (default every 500 ms, for up to 60 s). */
  jobPollMs: number;
  jobTimeoutMs: number;
}

export interface ThrottleServiceOptions extends Partial<ThrottleSettings> {
  /** The inventory and the session listing (shared with the kill workflow). */
  kill: Pick<KillService, 'instance' | 'listSessions' | 'dasUsername'>;
  das: (instance: InstanceConfig) => DasPort;
  stores: Pick<Stores, 'audit' | 'sqlThrottles'>;
  metrics: Metrics;
  logger: Logger;
  now: () => Date;
  /** The incident events of throttle steps (absent: none). */
  notify?: AuditNotifier;
}

/** Who removes a throttle at its expiry. */
const EXPIRY_ACTOR = 'quell';

export function toThrottle(t: SqlThrottleRecord): Throttle {
  return {
    id: t.id,
    instanceId: t.instanceId,
    sqlType: t.sqlType,
    pattern: t.pattern,
    maxConcurrency: t.maxConcurrency,
    reason: t.reason,
    createdBy: t.createdBy,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    killAuditId: t.killAuditId,
    auditId: t.auditId,
    ruleId: t.ruleId,
  };
}

const codeOf = (err: unknown) => (err instanceof AppError ? err.code : 'INTERNAL');
const messageOf = (err: unknown) => (err instanceof AppError ? err.message : 'unexpected error');

export class ThrottleService {
  readonly #o: ThrottleServiceOptions;
  readonly #s: ThrottleSettings;
  readonly #audit: ThrottleAudit;
  /** This process's lease owner id. */
  readonly #owner = randomUUID();
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<number> | undefined;

  constructor(o: ThrottleServiceOptions) {
    this.#o = o;
    this.#s = { sweepIntervalMs: o.sweepIntervalMs ?? 15_000, leaseMs: o.leaseMs ?? 60_000, jobPollMs: o.jobPollMs ?? 500, jobTimeoutMs: o.jobTimeoutMs ?? 60_000 };
    this.#audit = new ThrottleAudit({ audit: o.stores.audit, metrics: o.metrics, logger: o.logger, now: o.now, ...(o.notify ? { notify: o.notify } : {}) });
  }

  #nowIso(plusMs = 0): string {
    return new Date(this.#o.now().getTime() + plusMs).toISOString();
  }

  async list(instance: InstanceConfig): Promise<Throttle[]> {
    return (await this.#o.stores.sqlThrottles.listActive(instance.id)).map(toThrottle);
  }

  /** DAS's suggested pattern for a sample statement, with its type when it has one Quell can throttle. */
  async parse(instance: InstanceConfig, sql: string): Promise<ThrottlePatternResponse> {
    const pattern = await this.#o.das(instance).parseSqlLimitRules({ instanceId: instance.instanceId, originalSql: sql, useTemplate: true, keepOperators: false });
    const first = (splitPattern(pattern)[0] ?? '').toUpperCase();
    const sqlType = (THROTTLE_SQL_TYPES as readonly string[]).includes(first) ? (first as ThrottleSqlType) : null;
    return { sqlType, pattern, explanation: sqlType ? explainRule(sqlType, pattern) : 'DAS throttles only SELECT, UPDATE, DELETE and INSERT statements.' };
  }

  async preview(instance: InstanceConfig, req: ThrottlePreviewRequest): Promise<ThrottlePreview> {
    checkRule(req, undefined);
    const filter = { ...(req.user !== undefined ? { user: req.user } : {}), ...(req.database !== undefined ? { database: req.database } : {}) };
    const [dasUser, listed] = await Promise.all([this.#o.kill.dasUsername(instance), this.#o.kill.listSessions(instance, filter)]);
    const { matches, excluded } = matchingSessions(req.sqlType, req.pattern, listed.sessions, instance, dasUser);
    return {
      instanceId: instance.id,
      sqlType: req.sqlType,
      pattern: req.pattern,
      keywords: splitPattern(req.pattern),
      explanation: explainRule(req.sqlType, req.pattern),
      matches,
      excluded,
      notice: excluded.length > 0 ? PROTECTED_NOTICE : null,
      listedAt: new Date(listed.listedAtMs).toISOString(),
    };
  }

  /** Checks what DAS must never see (pattern grammar, the role's expiry limit): a 400 naming the field. */
  check(actor: Actor, req: { sqlType: ThrottleSqlType; pattern: string; durationMinutes?: number }, prefix = ''): void {
    checkRule(req, actor.role, prefix);
  }

  async create(actor: Actor, instance: InstanceConfig, req: CreateThrottleRequest): Promise<Throttle> {
    this.check(actor, req);
    const createdAt = this.#o.now();
    const record: SqlThrottleRecord = {
      id: randomUUID(),
      instanceId: instance.id,
      sqlType: req.sqlType,
      pattern: req.pattern,
      maxConcurrency: req.maxConcurrency,
      reason: req.reason,
      createdBy: actor.username,
      role: actor.role,
      createdAt: createdAt.toISOString(),
      expiresAt: new Date(createdAt.getTime() + req.durationMinutes * 60_000).toISOString(),
      killAuditId: req.killAuditId ?? null,
      auditId: randomUUID(),
      ruleId: null,
      status: 'active',
      endedAt: null,
      endedBy: null,
    };
    if ((req.user !== undefined || req.database !== undefined) && !req.acknowledgeProtected) {
      const seen = await this.preview(instance, { sqlType: req.sqlType, pattern: req.pattern, ...(req.user !== undefined ? { user: req.user } : {}), ...(req.database !== undefined ? { database: req.database } : {}) });
      if (seen.excluded.length > 0) {
        await this.#audit.refuse(
          actor,
          record,
          req.reason,
          new AppError('CONFIRMATION_REQUIRED', `${seen.excluded.length} protected session(s) match this rule: ${PROTECTED_NOTICE}`, {
            issues: [{ field: 'acknowledgeProtected', message: 'must be true to throttle statements of protected users' }],
          }),
        );
      }
    }
    const intent = await this.#audit.open('throttle-create', actor, record, req.reason, record.auditId);
    // The due time is durable before DAS is asked: whatever happens next, the sweeper removes the rule.
    try {
      await this.#o.stores.sqlThrottles.save(record);
    } catch (err) {
      await this.#audit.finish(intent, 'failed', [], { code: 'INTERNAL', message: 'the throttle could not be stored, so no rule was created' });
      this.#o.logger.error({ err }, 'throttle store write failed');
      throw new AppError('INTERNAL', 'the throttle could not be stored, so no rule was created');
    }
    const das = this.#o.das(instance);
    const requestIds: Array<string | undefined> = [];
    let ruleRequested = false;
    try {
      requestIds.push(...(await ensureSwitchOn(das, instance, { pollMs: this.#s.jobPollMs, timeoutMs: this.#s.jobTimeoutMs })));
      const before = new Set((await das.listSqlLimitRules({ instanceId: instance.instanceId })).map((r) => r.id));
      ruleRequested = true;
      const created = await das.createSqlLimitRules({ instanceId: instance.instanceId, rules: [{ sqlType: req.sqlType, pattern: req.pattern, maxConcurrency: req.maxConcurrency }] });
      requestIds.push(created.requestId);
      // DAS does not return the new id: the rule listed now that was not listed before, with this type and pattern.
      const after = await das.listSqlLimitRules({ instanceId: instance.instanceId });
      const rule = after.find((r) => !before.has(r.id) && r.sqlType.toUpperCase() === req.sqlType && r.pattern === req.pattern);
      if (rule) {
        record.ruleId = rule.id;
        await this.#o.stores.sqlThrottles.setRuleId(record.id, rule.id);
      }
    } catch (err) {
      if (!ruleRequested) {
        // No rule was asked for: the throttle ends here.
        if (await this.#o.stores.sqlThrottles.claim(record.id, this.#owner, this.#nowIso(this.#s.leaseMs), this.#nowIso())) {
          await this.#o.stores.sqlThrottles.finish(record.id, this.#owner, 'failed', this.#nowIso(), actor.username);
        }
        await this.#audit.finish(intent, 'failed', requestIds, { code: codeOf(err), message: messageOf(err) });
      } else {
        // The rule may exist: the throttle stays due, and the sweeper removes whatever DAS made of it.
        await this.#audit.finish(intent, 'failed', requestIds, { code: codeOf(err), message: `${messageOf(err)}; any rule DAS made is removed at ${record.expiresAt}` });
      }
      throw err;
    }
    await this.#audit.finish(intent, 'completed', requestIds);
    return toThrottle(record);
  }

  /** An active throttle of the instance; any other id is bad input naming `throttleId` (nothing reaches DAS). */
  async get(instance: InstanceConfig, id: string): Promise<SqlThrottleRecord> {
    const t = await this.#o.stores.sqlThrottles.get(id);
    if (!t || t.instanceId !== instance.id || t.status !== 'active') {
      throw new ValidationError([{ field: 'throttleId', message: 'names no active throttle on this instance (it may have expired or been removed)' }], 'no such throttle on this instance');
    }
    return t;
  }

  /** Early removal. */
  async remove(actor: Actor, instance: InstanceConfig, id: string): Promise<void> {
    const t = await this.get(instance, id);
    if (!(await this.#o.stores.sqlThrottles.claim(id, this.#owner, this.#nowIso(this.#s.leaseMs), this.#nowIso()))) {
      throw new ConflictError('this throttle is being removed right now');
    }
    await this.#end(t, 'removed', { username: actor.username, role: actor.role }, `removed early by ${actor.username}`, true);
  }

  /** Deletes the rule and ends a throttle this process holds; on failure gives the lease back (and rethrows when asked). */
  async #end(t: SqlThrottleRecord, status: 'expired' | 'removed', actor: Actor, reason: string, rethrow: boolean): Promise<boolean> {
    const store = this.#o.stores.sqlThrottles;
    let intent: AuditIntent;
    try {
      intent = await this.#audit.open(status === 'expired' ? 'throttle-expire' : 'throttle-remove', actor, t, reason);
    } catch (err) {
      await store.release(t.id, this.#owner);
      if (rethrow) throw err;
      return false;
    }
    try {
      const requestIds = await this.#deleteRule(t);
      await store.finish(t.id, this.#owner, status, this.#nowIso(), actor.username);
      await this.#audit.finish(intent, 'completed', requestIds);
      return true;
    } catch (err) {
      await store.release(t.id, this.#owner).catch(() => undefined);
      await this.#audit.finish(intent, 'failed', [], { code: codeOf(err), message: messageOf(err) });
      this.#o.logger.warn({ err, throttleId: t.id }, 'throttle removal failed; it stays due');
      if (rethrow) throw err;
      return false;
    }
  }

  /** The rule's id, or (never seen listed) the rules with its type and pattern that no other active throttle owns. */
  async #deleteRule(t: SqlThrottleRecord): Promise<Array<string | undefined>> {
    const instance = this.#o.kill.instance(t.instanceId);
    const das = this.#o.das(instance);
    let ids = t.ruleId ? [t.ruleId] : [];
    if (!t.ruleId) {
      const owned = new Set((await this.#o.stores.sqlThrottles.listActive(t.instanceId)).filter((o) => o.id !== t.id && o.ruleId).map((o) => o.ruleId));
      ids = (await das.listSqlLimitRules({ instanceId: instance.instanceId })).filter((r) => r.sqlType.toUpperCase() === t.sqlType && r.pattern === t.pattern && !owned.has(r.id)).map((r) => r.id);
    }
    if (ids.length === 0) return [];
    return [(await das.deleteSqlLimitRules({ instanceId: instance.instanceId, ruleIds: ids })).requestId];
  }

  /** Removes every due throttle this process can lease; returns how many it removed. One sweep at a time. */
  sweep(): Promise<number> {
    if (this.#sweeping) return this.#sweeping;
    this.#sweeping = this.#sweepOnce().finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  async #sweepOnce(): Promise<number> {
    const due = await this.#o.stores.sqlThrottles.claimDue(this.#nowIso(), this.#owner, this.#nowIso(this.#s.leaseMs), 50);
    let removed = 0;
    for (const t of due) {
      try {
        this.#o.kill.instance(t.instanceId);
      } catch {
        this.#o.logger.warn({ throttleId: t.id, instanceId: t.instanceId }, 'a due throttle belongs to an instance no longer in the inventory');
        await this.#o.stores.sqlThrottles.release(t.id, this.#owner);
        continue;
      }
      if (await this.#end(t, 'expired', { username: EXPIRY_ACTOR, role: t.role }, `expired: ${t.reason}`, false)) removed++;
    }
    return removed;
  }

  /** Sweeps now (a restart leaves no due rule behind) and then on the interval. */
  start(): void {
    if (this.#timer) return;
    const run = () => {
      this.sweep().catch((err: unknown) => this.#o.logger.warn({ err }, 'throttle sweep failed'));
    };
    run();
    this.#timer = setInterval(run, this.#s.sweepIntervalMs);
    this.#timer.unref();
  }

  /** Stops the sweeper and waits for a sweep in progress. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sweeping?.catch(() => undefined);
  }
}
