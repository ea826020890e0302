// Blind ids (admin): sent without a listing of their own; checked only against the sessions of protected
// accounts, and refused outright where hosts are protected (ids cannot be checked against hosts). More ids
// than the blast-radius cap need the typed instance name.
import type { BlindKillRequest, ExcludedSession, KillResult, SessionOutcome } from '@quell/contracts/kill';
import type { InstanceConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import type { KillContext } from './context.ts';
import { killResult } from './outcomes.ts';
import { protectionCheck, SYSTEM_USERS } from './policy.ts';
import { sendKills } from './send.ts';
import type { Actor } from './types.ts';

export async function blindKill(c: KillContext, actor: Actor, instance: InstanceConfig, req: BlindKillRequest, idempotencyKey: string): Promise<KillResult> {
  const ids = [...new Set(req.sessionIds)];
  const intent = c.audit.intent(actor, instance, { mode: 'blind', target: { sessionIds: ids }, reason: req.reason, idempotencyKey });
  if (instance.protectedHosts.length > 0) {
    await c.audit.refuse(
      intent,
      new AppError('PROTECTED_TARGET', 'this instance protects hosts, and ids without a filter cannot be checked against them: use a preview with a user or database', {
        issues: [{ field: 'sessionIds', message: 'cannot be checked against protected hosts' }],
      }),
    );
  }
  if (ids.length > instance.blastRadiusCap && req.confirmInstanceName !== instance.name) {
    await c.audit.refuse(
      intent,
      new AppError('CONFIRMATION_REQUIRED', `more than ${instance.blastRadiusCap} sessions: type the instance name to confirm`, {
        issues: [{ field: 'confirmInstanceName', message: 'must be the instance name' }],
        targetCount: ids.length,
        blastRadiusCap: instance.blastRadiusCap,
      }),
    );
  }
  let dasUser: string;
  try {
    dasUser = await c.inventory.dasUsername(instance);
  } catch (err) {
    if (err instanceof AppError) await c.audit.refuse(intent, err);
    throw err;
  }
  await c.audit.open(intent);
  const dasRequestIds: string[] = [];
  const result = (outcomes: SessionOutcome[], excluded: ExcludedSession[]) =>
    killResult({ auditId: intent.id, instanceId: instance.id, mode: 'blind', outcomes, excluded, dasRequestIds, verification: 'unverifiable', finishedAt: c.now() });

  // Which of the ids belong to protected accounts? List each protected account's sessions.
  const excluded: ExcludedSession[] = [];
  const wanted = new Set(ids);
  const accounts = [...new Set([dasUser, ...instance.protectedUsers, ...SYSTEM_USERS])];
  const protectionOf = protectionCheck(instance, dasUser);
  try {
    for (const user of accounts) {
      const { sessions } = await c.inventory.listSessions(instance, { user });
      for (const s of sessions) {
        if (!wanted.has(s.id)) continue;
        const p = protectionOf(s) ?? { reason: 'protected-user' as const, explanation: `"${s.user}" is protected` };
        excluded.push({ sessionId: s.id, session: s, reason: p.reason, explanation: p.explanation });
        wanted.delete(s.id);
      }
    }
  } catch (err) {
    await c.audit.finish(intent, result([], excluded), 'failed', { code: err instanceof AppError ? err.code : 'INTERNAL', message: 'protected sessions could not be listed, so nothing was killed' });
    throw err;
  }
  const toSend = ids.filter((id) => wanted.has(id));
  const { failed, uncertain, requestIds } = await sendKills(c, instance, toSend);
  dasRequestIds.push(...requestIds);
  const outcomes: SessionOutcome[] = toSend.map((id) => {
    const error = failed.get(id);
    return error ? { sessionId: id, outcome: uncertain.has(id) ? 'unknown' : 'failed', error } : { sessionId: id, outcome: 'sent-unverified' };
  });
  const done = result(outcomes, excluded);
  const status = failed.size > 0 && failed.size === toSend.length ? 'failed' : 'completed';
  await c.audit.finish(intent, done, status, failed.size > 0 ? { code: 'UPSTREAM_ERROR', message: `DAS refused ${failed.size} of ${toSend.length} ids` } : undefined);
  const sentCount = toSend.length - failed.size;
  if (sentCount > 0) c.metrics.sessionsKilled.inc({ instance: instance.id, mode: 'blind' }, sentCount);
  return done;
}
