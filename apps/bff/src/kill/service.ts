// The kill workflow: preview → commit (re-list, identity check, chunked kill, verify), broad mode, blind ids.
// Every attempt writes its audit intent before the first DAS call and its outcome after the last one.
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Role } from '@quell/contracts/common';
import type { BlindKillRequest, BroadKillRequest, CommitRequest, ExcludedSession, KillOutcome, KillPreview, KillPreviewRequest, KillResult, SessionOutcome } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';
import { DasApiError } from '@quell/das-client/errors';
import type { InstanceConfig } from '../config.ts';
import { AppError, ConflictError, NotFoundError, UpstreamError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { DasPort } from '../das/port.ts';
import { upstreamDetails } from '../das/port.ts';
import type { AuditIntent, FrozenTarget, PreviewRecord, Stores } from '../stores/types.ts';
import { chunk, commandStartMs, DEFAULT_START_TOLERANCE_MS, protectedUserReason, protectionOf, SYSTEM_USERS } from './policy.ts';

export interface Actor {
  username: string;
  role: Role;
}

export interface KillServiceOptions {
  instances: InstanceConfig[];
  das: (instance: InstanceConfig) => DasPort;
  stores: Stores;
  metrics: Metrics;
  logger: Logger;
  now: () => Date;
  previewTtlMs?: number;
  chunkSize?: number;
  /** Verification listings after a kill (a killed thread can take a moment to leave PROCESSLIST). */
  verifyAttempts?: number;
  verifyDelayMs?: number;
  startToleranceMs?: number;
  dasUserCacheMs?: number;
}

const EMPTY_SUMMARY = (): Partial<Record<KillOutcome, number>> => ({});

function summarize(outcomes: SessionOutcome[]): Partial<Record<KillOutcome, number>> {
  const s = EMPTY_SUMMARY();
  for (const o of outcomes) s[o.outcome] = (s[o.outcome] ?? 0) + 1;
  return s;
}

function outcomeFor(session: Pick<Session, 'id' | 'user' | 'host' | 'database'>, outcome: KillOutcome, error?: SessionOutcome['error']): SessionOutcome {
  return { sessionId: session.id, user: session.user, host: session.host, database: session.database, outcome, ...(error ? { error } : {}) };
}

/** The audit keeps who/where of excluded sessions but not their SQL text (it may hold literals such as passwords). */
function withoutSql(excluded: ExcludedSession[]): ExcludedSession[] {
  return excluded.map((e) => (e.session ? { ...e, session: { ...e.session, sql: '', state: '' } } : e));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A failed kill whose effect is unknown: no answer (timeout, reset) or a server error. A refusal (4xx, throttling, connection never opened) is certain. */
function outcomeUncertain(err: unknown): boolean {
  if (!(err instanceof DasApiError)) return true;
  if (err.retryable) return false;
  return !(err.httpStatus >= 400 && err.httpStatus < 500);
}

export class KillService {
  readonly #o: Required<Omit<KillServiceOptions, 'instances'>>;
  readonly #instances: Map<string, InstanceConfig>;
  readonly #dasUsers = new Map<string, { username: string; at: number }>();
  readonly #inFlightKeys = new Map<string, Promise<KillResult>>();
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: KillServiceOptions) {
    this.#instances = new Map(options.instances.map((i) => [i.id, i]));
    this.#o = {
      previewTtlMs: 60_000,
      chunkSize: 100,
      verifyAttempts: 5,
      verifyDelayMs: 300,
      startToleranceMs: DEFAULT_START_TOLERANCE_MS,
      dasUserCacheMs: 5 * 60_000,
      ...options,
    };
  }

  instance(id: string): InstanceConfig {
    const i = this.#instances.get(id);
    if (!i) throw new NotFoundError(`no instance "${id}" in the inventory`);
    return i;
  }

  /** Kills in progress right now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Resolves when every kill in progress has finished (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inFlight.add(p);
    const done = () => this.#inFlight.delete(p);
    p.then(done, done);
    return p;
  }

  #dbUserId(instance: InstanceConfig): string {
    if (!instance.dbUserId) throw new ConflictError(`instance "${instance.id}" has no dbUserId: an admin registers a DAS db user and sets it in the inventory`);
    return instance.dbUserId;
  }

  #das(instance: InstanceConfig): DasPort {
    return this.#o.das(instance);
  }

  #upstream(err: unknown, what: string): never {
    if (err instanceof DasApiError) {
      throw new UpstreamError(err.kind === 'timeout' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_ERROR', `DAS ${what} failed`, upstreamDetails(err));
    }
    throw err;
  }

  /** The MySQL account behind the instance's DAS db user (never killed). Cached. */
  async dasUsername(instance: InstanceConfig): Promise<string> {
    const dbUserId = this.#dbUserId(instance);
    const cached = this.#dasUsers.get(instance.id);
    const now = this.#o.now().getTime();
    if (cached && now - cached.at < this.#o.dasUserCacheMs) return cached.username;
    let users;
    try {
      users = await this.#das(instance).listDbUsers(instance.instanceId);
    } catch (err) {
      this.#upstream(err, 'db-user lookup');
    }
    const me = users.find((u) => u.dbUserId.toLowerCase() === dbUserId.toLowerCase());
    if (!me) throw new ConflictError(`the dbUserId of instance "${instance.id}" is not registered with DAS`);
    this.#dasUsers.set(instance.id, { username: me.dbUsername, at: now });
    return me.dbUsername;
  }

  forgetDasUser(instanceId: string): void {
    this.#dasUsers.delete(instanceId);
  }

  /** Every session matching the filter, all pages. */
  async listSessions(instance: InstanceConfig, filter: { user?: string; database?: string }): Promise<{ sessions: Session[]; listedAtMs: number }> {
    const dbUserId = this.#dbUserId(instance);
    try {
      const sessions = await this.#das(instance).listProcesses({ instanceId: instance.instanceId, dbUserId, ...filter });
      return { sessions, listedAtMs: this.#o.now().getTime() };
    } catch (err) {
      this.#upstream(err, 'session listing');
    }
  }

  async preview(actor: Actor, instance: InstanceConfig, req: KillPreviewRequest): Promise<KillPreview> {
    const dasUser = await this.dasUsername(instance);
    const filter = { ...(req.user !== undefined ? { user: req.user } : {}), ...(req.database !== undefined ? { database: req.database } : {}) };
    const { sessions, listedAtMs } = await this.listSessions(instance, filter);
    const wanted = req.sessionIds ? new Set(req.sessionIds) : undefined;
    const targets: FrozenTarget[] = [];
    const excluded: ExcludedSession[] = [];
    const seen = new Set<number>();
    for (const s of sessions) {
      if (seen.has(s.id)) continue;
      seen.add(s.id);
      if (wanted && !wanted.has(s.id)) continue;
      const p = protectionOf(s, instance, dasUser);
      if (p) excluded.push({ sessionId: s.id, session: s, reason: p.reason, explanation: p.explanation });
      else targets.push({ session: s, commandStartMs: commandStartMs(s, listedAtMs) });
    }
    if (wanted) {
      for (const id of wanted) {
        if (!seen.has(id)) excluded.push({ sessionId: id, reason: 'not-found', explanation: 'no session with this id matches the filter' });
      }
    }
    const createdAt = new Date(listedAtMs);
    const record: PreviewRecord = {
      id: randomUUID(),
      instanceId: instance.id,
      createdBy: actor.username,
      createdAt: createdAt.toISOString(),
      expiresAt: new Date(listedAtMs + this.#o.previewTtlMs).toISOString(),
      filter: { ...filter, ...(req.sessionIds ? { sessionIds: [...new Set(req.sessionIds)] } : {}) },
      targets,
      excluded,
      requiresTypedConfirmation: targets.length > instance.blastRadiusCap,
    };
    await this.#o.stores.previews.save(record);
    return this.#toKillPreview(record, instance);
  }

  #toKillPreview(r: PreviewRecord, instance: InstanceConfig): KillPreview {
    return {
      previewId: r.id,
      instanceId: r.instanceId,
      instanceName: instance.name,
      filter: r.filter,
      targets: r.targets.map((t) => t.session),
      excluded: r.excluded,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      blastRadiusCap: instance.blastRadiusCap,
      requiresTypedConfirmation: r.requiresTypedConfirmation,
    };
  }

  async #refuse(intent: AuditIntent, error: AppError): Promise<never> {
    try {
      await this.#o.stores.audit.appendRefusal({ ...intent, excluded: withoutSql(intent.excluded) }, { code: error.code, message: error.message }, this.#o.now().toISOString());
    } catch (err) {
      this.#o.metrics.auditWriteFailures.inc();
      this.#o.logger.error({ err, auditId: intent.id }, 'audit write failed (refusal)');
    }
    throw error;
  }

  async #writeIntent(intent: AuditIntent): Promise<void> {
    try {
      await this.#o.stores.audit.appendIntent({ ...intent, excluded: withoutSql(intent.excluded) });
    } catch (err) {
      this.#o.metrics.auditWriteFailures.inc();
      this.#o.logger.error({ err, auditId: intent.id }, 'audit intent write failed: nothing was sent to DAS');
      throw new AppError('INTERNAL', 'the audit trail could not be written, so nothing was killed');
    }
  }

  async #finish(auditId: string, result: KillResult, status: 'completed' | 'failed', error?: { code: string; message: string }): Promise<void> {
    try {
      await this.#o.stores.audit.recordOutcome(auditId, {
        status,
        finishedAt: result.finishedAt,
        outcomes: result.outcomes,
        excluded: withoutSql(result.excluded),
        dasRequestIds: result.dasRequestIds,
        error: error ?? null,
      });
    } catch (err) {
      this.#o.metrics.auditWriteFailures.inc();
      this.#o.logger.error({ err, auditId }, 'audit outcome write failed; the row stays pending and becomes unknown at restart');
    }
  }

  /**
   * Sends process_ids in chunks, never retrying a chunk; returns per-id errors and DAS request ids.
   * `uncertain`: ids of chunks that failed without a definite refusal (no answer, a timeout, a 5xx):
   * DAS may still have killed them, so they are verified like sent ones.
   */
  async #killChunks(instance: InstanceConfig, ids: number[]): Promise<{ failed: Map<number, SessionOutcome['error']>; uncertain: Set<number>; sent: Set<number>; requestIds: string[] }> {
    const dbUserId = this.#dbUserId(instance);
    const failed = new Map<number, SessionOutcome['error']>();
    const uncertain = new Set<number>();
    const sent = new Set<number>();
    const requestIds: string[] = [];
    for (const part of chunk(ids, this.#o.chunkSize)) {
      try {
        const { requestId } = await this.#das(instance).deleteProcess({ instanceId: instance.instanceId, dbUserId, processIds: part });
        if (requestId) requestIds.push(requestId);
        for (const id of part) sent.add(id);
      } catch (err) {
        const details = upstreamDetails(err);
        if (details.dasRequestId) requestIds.push(details.dasRequestId);
        this.#o.logger.warn({ instance: instance.id, operation: 'DeleteProcess', upstream: details, count: part.length }, 'DAS kill chunk failed');
        for (const id of part) failed.set(id, details);
        if (outcomeUncertain(err)) for (const id of part) uncertain.add(id);
      }
    }
    return { failed, uncertain, sent, requestIds };
  }

  /** Commit a preview. Idempotent per (actor, Idempotency-Key). */
  commit(actor: Actor, previewId: string, req: CommitRequest, idempotencyKey: string): Promise<{ result: KillResult; replayed: boolean }> {
    return this.#track(this.#commit(actor, previewId, req, idempotencyKey));
  }

  async #commit(actor: Actor, previewId: string, req: CommitRequest, idempotencyKey: string): Promise<{ result: KillResult; replayed: boolean }> {
    const requestHash = createHash('sha256').update(`commit\n${previewId}`).digest('hex');
    const mapKey = `${actor.username}\n${idempotencyKey}`;
    const nowIso = this.#o.now().toISOString();
    const claim = await this.#o.stores.idempotency.claim(actor.username, idempotencyKey, requestHash, nowIso);
    if (claim.state !== 'claimed') {
      if (claim.requestHash !== requestHash) throw new ConflictError('this Idempotency-Key was already used for a different request');
      if (claim.state === 'done') return { result: claim.result, replayed: true };
      const running = this.#inFlightKeys.get(mapKey);
      if (running) return { result: await running, replayed: true };
      throw new ConflictError('a commit with this Idempotency-Key is still in progress');
    }
    // The key is checked first, so a replay answers even after the preview itself was purged.
    const run = (async () => {
      const preview = await this.#o.stores.previews.get(previewId);
      if (!preview) throw new NotFoundError('no such preview');
      return this.#commitClaimed(actor, preview, this.instance(preview.instanceId), req, idempotencyKey);
    })();
    this.#inFlightKeys.set(mapKey, run);
    try {
      const result = await run;
      await this.#o.stores.idempotency.complete(actor.username, idempotencyKey, result);
      return { result, replayed: false };
    } catch (err) {
      // Refused before anything was sent to DAS: the key may be used again.
      await this.#o.stores.idempotency.release(actor.username, idempotencyKey).catch(() => undefined);
      throw err;
    } finally {
      this.#inFlightKeys.delete(mapKey);
    }
  }

  async #commitClaimed(actor: Actor, preview: PreviewRecord, instance: InstanceConfig, req: CommitRequest, idempotencyKey: string): Promise<KillResult> {
    const auditId = randomUUID();
    const intent: AuditIntent = {
      id: auditId,
      at: this.#o.now().toISOString(),
      actor: actor.username,
      role: actor.role,
      instanceId: instance.id,
      mode: 'preview',
      target: { ...preview.filter, sessionIds: preview.targets.map((t) => t.session.id) },
      reason: req.reason,
      excluded: preview.excluded,
      idempotencyKey,
      previewId: preview.id,
    };
    if (this.#o.now().getTime() > Date.parse(preview.expiresAt)) {
      await this.#refuse(intent, new AppError('PREVIEW_EXPIRED', 'this preview has expired: preview again'));
    }
    if (preview.requiresTypedConfirmation && req.confirmInstanceName !== instance.name) {
      await this.#refuse(
        intent,
        new AppError('CONFIRMATION_REQUIRED', `more than ${instance.blastRadiusCap} sessions: type the instance name to confirm`, {
          issues: [{ field: 'confirmInstanceName', message: 'must be the instance name' }],
          targetCount: preview.targets.length,
          blastRadiusCap: instance.blastRadiusCap,
        }),
      );
    }
    if (!(await this.#o.stores.previews.claim(preview.id, auditId, intent.at))) {
      await this.#refuse(intent, new ConflictError('this preview was already committed'));
    }
    await this.#writeIntent(intent);

    const outcomes = new Map<number, SessionOutcome>();
    const dasRequestIds: string[] = [];
    const finish = async (status: 'completed' | 'failed', error?: { code: string; message: string }): Promise<KillResult> => {
      const ordered = preview.targets.map((t) => outcomes.get(t.session.id) ?? outcomeFor(t.session, 'unknown'));
      const result: KillResult = {
        auditId,
        instanceId: instance.id,
        mode: 'preview',
        outcomes: ordered,
        summary: summarize(ordered),
        excluded: preview.excluded,
        dasRequestIds,
        verification: 'verified',
        finishedAt: this.#o.now().toISOString(),
      };
      await this.#finish(auditId, result, status, error);
      const killed = result.summary.killed ?? 0;
      if (killed > 0) this.#o.metrics.sessionsKilled.inc({ instance: instance.id, mode: 'preview' }, killed);
      return result;
    };

    if (preview.targets.length === 0) return finish('completed');

    // 1. Re-list and compare identities.
    const filter = { ...(preview.filter.user !== undefined ? { user: preview.filter.user } : {}), ...(preview.filter.database !== undefined ? { database: preview.filter.database } : {}) };
    let dasUser: string;
    let current: { sessions: Session[]; listedAtMs: number };
    try {
      dasUser = await this.dasUsername(instance);
      current = await this.listSessions(instance, filter);
    } catch (err) {
      const up = err instanceof AppError ? ((err.details?.upstream as SessionOutcome['error']) ?? undefined) : undefined;
      for (const t of preview.targets) outcomes.set(t.session.id, outcomeFor(t.session, 'failed', up));
      if (up?.dasRequestId) dasRequestIds.push(up.dasRequestId);
      return finish('failed', { code: err instanceof AppError ? err.code : 'INTERNAL', message: 'the sessions could not be listed again, so nothing was killed' });
    }
    const byId = new Map(current.sessions.map((s) => [s.id, s]));
    const toKill: FrozenTarget[] = [];
    const missing: FrozenTarget[] = [];
    for (const t of preview.targets) {
      const now = byId.get(t.session.id);
      if (!now) missing.push(t);
      else if (!this.#same(t, now, current.listedAtMs) || protectionOf(now, instance, dasUser)) outcomes.set(t.session.id, outcomeFor(now, 'changed-skipped'));
      else toKill.push(t);
    }
    // A session missing from a database-filtered listing may have switched database: look for it by user.
    if (missing.length > 0) {
      const found = new Map<number, { s: Session; listedAtMs: number }>();
      if (filter.database !== undefined) {
        const users = [...new Set(missing.map((t) => t.session.user))].slice(0, 20);
        for (const user of users) {
          try {
            const l = await this.listSessions(instance, { user });
            for (const s of l.sessions) found.set(s.id, { s, listedAtMs: l.listedAtMs });
          } catch {
            /* not found is the safe reading: it is not killed either way */
          }
        }
      }
      for (const t of missing) {
        const f = found.get(t.session.id);
        outcomes.set(t.session.id, f && f.s.user === t.session.user && f.s.host === t.session.host ? outcomeFor(f.s, 'changed-skipped') : outcomeFor(t.session, 'gone-before-kill'));
      }
    }

    // 2. Kill in chunks (never retried).
    const { failed, uncertain, sent, requestIds } = await this.#killChunks(instance, toKill.map((t) => t.session.id));
    dasRequestIds.push(...requestIds);
    for (const t of toKill) {
      if (failed.has(t.session.id)) outcomes.set(t.session.id, outcomeFor(t.session, 'failed', failed.get(t.session.id)));
    }

    // 3. Verify: a sent session whose identity is still listed is still present. A chunk whose outcome is
    // uncertain (timeout, reset, 5xx) is verified too: gone → killed; still there → failed if DAS answered,
    // unknown if it never did (the kill may still land).
    let pending = toKill.filter((t) => sent.has(t.session.id) || uncertain.has(t.session.id));
    let verified = true;
    for (let attempt = 0; pending.length > 0 && attempt < this.#o.verifyAttempts; attempt++) {
      if (attempt > 0) await sleep(this.#o.verifyDelayMs);
      let after: { sessions: Session[]; listedAtMs: number };
      try {
        after = await this.listSessions(instance, filter);
      } catch {
        verified = false;
        break;
      }
      verified = true;
      const stillById = new Map(after.sessions.map((s) => [s.id, s]));
      const next: FrozenTarget[] = [];
      for (const t of pending) {
        const s = stillById.get(t.session.id);
        if (s && this.#same(t, s, after.listedAtMs)) next.push(t);
        else outcomes.set(t.session.id, outcomeFor(t.session, 'killed'));
      }
      pending = next;
    }
    for (const t of pending) {
      const error = failed.get(t.session.id);
      if (error) outcomes.set(t.session.id, outcomeFor(t.session, verified && error.httpStatus > 0 ? 'failed' : 'unknown', error));
      else outcomes.set(t.session.id, outcomeFor(t.session, verified ? 'still-present' : 'sent-unverified'));
    }
    return finish('completed');
  }

  #same(t: FrozenTarget, s: Session, listedAtMs: number): boolean {
    return (
      t.session.id === s.id &&
      t.session.user === s.user &&
      t.session.host === s.host &&
      t.session.database === s.database &&
      Math.abs(t.commandStartMs - commandStartMs(s, listedAtMs)) <= this.#o.startToleranceMs
    );
  }

  /** Broad mode (admin): DAS kills every session of the user/database at execution time. */
  broad(actor: Actor, instance: InstanceConfig, req: BroadKillRequest, _idempotencyKey?: string): Promise<KillResult> {
    return this.#track(this.#broad(actor, instance, req));
  }

  async #broad(actor: Actor, instance: InstanceConfig, req: BroadKillRequest): Promise<KillResult> {
    const filter = { ...(req.user !== undefined ? { user: req.user } : {}), ...(req.database !== undefined ? { database: req.database } : {}) };
    const auditId = randomUUID();
    const intent: AuditIntent = {
      id: auditId,
      at: this.#o.now().toISOString(),
      actor: actor.username,
      role: actor.role,
      instanceId: instance.id,
      mode: 'broad',
      target: filter,
      reason: req.reason,
      excluded: [],
      idempotencyKey: null,
    };
    if (req.confirmInstanceName !== instance.name) {
      await this.#refuse(intent, new AppError('CONFIRMATION_REQUIRED', 'type the instance name to confirm a broad kill', { issues: [{ field: 'confirmInstanceName', message: 'must be the instance name' }] }));
    }
    let dasUser: string | undefined;
    try {
      dasUser = await this.dasUsername(instance);
    } catch (err) {
      if (err instanceof AppError) await this.#refuse(intent, err);
      throw err;
    }
    if (req.user !== undefined) {
      const p = protectedUserReason(req.user, instance, dasUser);
      if (p) await this.#refuse(intent, new AppError('PROTECTED_TARGET', `refused: ${p.explanation}`, { issues: [{ field: 'user', message: p.explanation }], reason: p.reason }));
    }
    await this.#writeIntent(intent);
    const dasRequestIds: string[] = [];
    const fail = async (code: string, message: string, outcomes: SessionOutcome[], excluded: ExcludedSession[], before: number | null) => {
      const result: KillResult = { auditId, instanceId: instance.id, mode: 'broad', outcomes, summary: summarize(outcomes), excluded, dasRequestIds, verification: 'unverifiable', finishedAt: this.#o.now().toISOString(), observed: { before, after: null } };
      await this.#finish(auditId, result, 'failed', { code, message });
      return result;
    };
    // List before: for information, and to refuse if a protected session matches right now.
    let before: Session[];
    try {
      before = (await this.listSessions(instance, filter)).sessions;
    } catch (err) {
      await fail(err instanceof AppError ? err.code : 'INTERNAL', 'the sessions could not be listed, so nothing was killed', [], [], null);
      throw err;
    }
    const protectedNow: ExcludedSession[] = [];
    for (const s of before) {
      const p = protectionOf(s, instance, dasUser);
      if (p) protectedNow.push({ sessionId: s.id, session: s, reason: p.reason, explanation: p.explanation });
    }
    if (protectedNow.length > 0) {
      const e = new AppError('PROTECTED_TARGET', `refused: ${protectedNow.length} protected session(s) match this filter; use a preview instead`, { excluded: protectedNow });
      await fail(e.code, e.message, [], protectedNow, before.length);
      throw e;
    }
    const dbUserId = this.#dbUserId(instance);
    let killError: SessionOutcome['error'];
    let killUncertain = false;
    try {
      const { requestId } = await this.#das(instance).deleteProcess({ instanceId: instance.instanceId, dbUserId, ...filter });
      if (requestId) dasRequestIds.push(requestId);
    } catch (err) {
      killError = upstreamDetails(err);
      killUncertain = outcomeUncertain(err);
      if (killError.dasRequestId) dasRequestIds.push(killError.dasRequestId);
    }
    let after: number | null = null;
    try {
      after = (await this.listSessions(instance, filter)).sessions.length;
    } catch {
      after = null;
    }
    const outcomes = before.map((s) => outcomeFor(s, killError ? (killUncertain ? 'unknown' : 'failed') : 'sent-unverified', killError));
    const result: KillResult = {
      auditId,
      instanceId: instance.id,
      mode: 'broad',
      outcomes,
      summary: summarize(outcomes),
      excluded: [],
      dasRequestIds,
      verification: 'unverifiable',
      finishedAt: this.#o.now().toISOString(),
      observed: { before: before.length, after },
    };
    await this.#finish(auditId, result, killError ? 'failed' : 'completed', killError ? { code: 'UPSTREAM_ERROR', message: 'DAS refused the kill' } : undefined);
    if (!killError && before.length > 0) this.#o.metrics.sessionsKilled.inc({ instance: instance.id, mode: 'broad' }, before.length);
    return result;
  }

  /** Blind ids (admin): sent without a listing; checked only against sessions of protected accounts. */
  blind(actor: Actor, instance: InstanceConfig, req: BlindKillRequest, _idempotencyKey?: string): Promise<KillResult> {
    return this.#track(this.#blind(actor, instance, req));
  }

  async #blind(actor: Actor, instance: InstanceConfig, req: BlindKillRequest): Promise<KillResult> {
    const ids = [...new Set(req.sessionIds)];
    const auditId = randomUUID();
    const intent: AuditIntent = {
      id: auditId,
      at: this.#o.now().toISOString(),
      actor: actor.username,
      role: actor.role,
      instanceId: instance.id,
      mode: 'blind',
      target: { sessionIds: ids },
      reason: req.reason,
      excluded: [],
      idempotencyKey: null,
    };
    if (instance.protectedHosts.length > 0) {
      await this.#refuse(
        intent,
        new AppError('PROTECTED_TARGET', 'this instance protects hosts, and ids without a filter cannot be checked against them: use a preview with a user or database', {
          issues: [{ field: 'sessionIds', message: 'cannot be checked against protected hosts' }],
        }),
      );
    }
    let dasUser: string;
    try {
      dasUser = await this.dasUsername(instance);
    } catch (err) {
      if (err instanceof AppError) await this.#refuse(intent, err);
      throw err;
    }
    await this.#writeIntent(intent);
    const dasRequestIds: string[] = [];
    // Which of the ids belong to protected accounts? List each protected account's sessions.
    const excluded: ExcludedSession[] = [];
    const wanted = new Set(ids);
    const accounts = [...new Set([dasUser, ...instance.protectedUsers, ...SYSTEM_USERS])];
    try {
      for (const user of accounts) {
        const { sessions } = await this.listSessions(instance, { user });
        for (const s of sessions) {
          if (!wanted.has(s.id)) continue;
          const p = protectionOf(s, instance, dasUser) ?? { reason: 'protected-user' as const, explanation: `"${s.user}" is protected` };
          excluded.push({ sessionId: s.id, session: s, reason: p.reason, explanation: p.explanation });
          wanted.delete(s.id);
        }
      }
    } catch (err) {
      const result: KillResult = { auditId, instanceId: instance.id, mode: 'blind', outcomes: [], summary: {}, excluded, dasRequestIds, verification: 'unverifiable', finishedAt: this.#o.now().toISOString() };
      await this.#finish(auditId, result, 'failed', { code: err instanceof AppError ? err.code : 'INTERNAL', message: 'protected sessions could not be listed, so nothing was killed' });
      throw err;
    }
    const toSend = ids.filter((id) => wanted.has(id));
    const { failed, uncertain, requestIds } = await this.#killChunks(instance, toSend);
    dasRequestIds.push(...requestIds);
    const outcomes: SessionOutcome[] = toSend.map((id) => (failed.has(id) ? { sessionId: id, outcome: uncertain.has(id) ? 'unknown' : 'failed', error: failed.get(id) } : { sessionId: id, outcome: 'sent-unverified' }));
    const result: KillResult = {
      auditId,
      instanceId: instance.id,
      mode: 'blind',
      outcomes,
      summary: summarize(outcomes),
      excluded,
      dasRequestIds,
      verification: 'unverifiable',
      finishedAt: this.#o.now().toISOString(),
    };
    await this.#finish(auditId, result, failed.size > 0 && failed.size === toSend.length ? 'failed' : 'completed', failed.size > 0 ? { code: 'UPSTREAM_ERROR', message: `DAS refused ${failed.size} of ${toSend.length} ids` } : undefined);
    const sentCount = toSend.length - failed.size;
    if (sentCount > 0) this.#o.metrics.sessionsKilled.inc({ instance: instance.id, mode: 'blind' }, sentCount);
    return result;
  }
}
