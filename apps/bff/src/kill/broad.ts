// Broad mode (admin): DAS kills every session of the user/database at execution time, so it cannot be
// verified per session. Refused when the typed name is wrong, the user is protected, or a protected
// session matches right now.
import type { BroadKillRequest, ExcludedSession, KillResult, SessionOutcome } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';
import { requiresApproval, type InstanceConfig } from '../config.ts';
import { AppError, UpstreamError } from '../errors.ts';
import type { KillContext } from './context.ts';
import { killResult, outcomeFor } from './outcomes.ts';
import { protectedUserReason, protectionCheck } from './policy.ts';
import { listFilter } from './preview.ts';
import type { Actor } from './types.ts';

export async function broadKill(c: KillContext, actor: Actor, instance: InstanceConfig, req: BroadKillRequest, idempotencyKey: string): Promise<KillResult> {
  const filter = listFilter(req);
  const intent = c.audit.intent(actor, instance, { mode: 'broad', target: filter, reason: req.reason, idempotencyKey });
  if (req.confirmInstanceName !== instance.name) {
    await c.audit.refuse(intent, new AppError('CONFIRMATION_REQUIRED', 'type the instance name to confirm a broad kill', { issues: [{ field: 'confirmInstanceName', message: 'must be the instance name' }] }));
  }
  let dasUser: string;
  try {
    dasUser = await c.inventory.dasUsername(instance);
  } catch (err) {
    if (err instanceof AppError) await c.audit.refuse(intent, err);
    throw err;
  }
  if (req.user !== undefined) {
    const p = protectedUserReason(req.user, instance, dasUser);
    if (p) await c.audit.refuse(intent, new AppError('PROTECTED_TARGET', `refused: ${p.explanation}`, { issues: [{ field: 'user', message: p.explanation }], reason: p.reason }));
  }
  // Two-person rule: the filter is frozen as a listing for a second engineer instead of killed now.
  if (requiresApproval(instance)) await c.askApproval({ kind: 'broad', actor, instance, filter, reason: req.reason, idempotencyKey });
  await c.audit.open(intent);
  const dasRequestIds: string[] = [];
  const result = (outcomes: SessionOutcome[], excluded: ExcludedSession[], observed: NonNullable<KillResult['observed']>) =>
    killResult({ auditId: intent.id, instanceId: instance.id, mode: 'broad', outcomes, excluded, dasRequestIds, verification: 'unverifiable', finishedAt: c.now(), observed });

  // List before: for information, and to refuse if a protected session matches right now.
  let before: Session[];
  try {
    before = (await c.inventory.listSessions(instance, filter)).sessions;
  } catch (err) {
    await c.audit.finish(intent, result([], [], { before: null, after: null }), 'failed', { code: err instanceof AppError ? err.code : 'INTERNAL', message: 'the sessions could not be listed, so nothing was killed' });
    throw err;
  }
  const protectedNow: ExcludedSession[] = [];
  const protectionOf = protectionCheck(instance, dasUser);
  for (const s of before) {
    const p = protectionOf(s);
    if (p) protectedNow.push({ sessionId: s.id, session: s, reason: p.reason, explanation: p.explanation });
  }
  if (protectedNow.length > 0) {
    const e = new AppError('PROTECTED_TARGET', `refused: ${protectedNow.length} protected session(s) match this filter; use a preview instead`, { excluded: protectedNow });
    await c.audit.finish(intent, result([], protectedNow, { before: before.length, after: null }), 'failed', { code: e.code, message: e.message });
    throw e;
  }

  let killError: UpstreamError | undefined;
  try {
    const { requestId } = await c.inventory.das(instance).deleteProcess({ instanceId: instance.instanceId, dbUserId: c.inventory.dbUserId(instance), ...filter });
    if (requestId) dasRequestIds.push(requestId);
  } catch (err) {
    killError = err instanceof UpstreamError ? err : new UpstreamError('UPSTREAM_ERROR', 'DAS kill failed', { httpStatus: 0, errorMsg: 'unexpected error' }, true);
    if (killError.upstream.dasRequestId) dasRequestIds.push(killError.upstream.dasRequestId);
  }
  let after: number | null = null;
  try {
    after = (await c.inventory.listSessions(instance, filter)).sessions.length;
  } catch {
    after = null;
  }
  const outcomes = before.map((s) => outcomeFor(s, killError ? (killError.uncertain ? 'unknown' : 'failed') : 'sent-unverified', killError?.upstream));
  const done = result(outcomes, [], { before: before.length, after });
  await c.audit.finish(intent, done, killError ? 'failed' : 'completed', killError ? { code: 'UPSTREAM_ERROR', message: 'DAS refused the kill' } : undefined);
  if (!killError && before.length > 0) c.metrics.sessionsKilled.inc({ instance: instance.id, mode: 'broad' }, before.length);
  return done;
}
