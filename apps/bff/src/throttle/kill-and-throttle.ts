// Kill and throttle in one confirmed step: the throttle is checked before anything is killed, the kill
// runs as any commit does (idempotent, audited), then the throttle is created linked to the kill's
// audit row. A throttle that fails after the kill is reported beside the kill, which stands.
import type { KillAndThrottleRequest, KillAndThrottleResult } from '@quell/contracts/throttles';
import { AppError } from '../errors.ts';
import type { KillService } from '../kill/service.ts';
import type { Actor } from '../kill/types.ts';
import type { ThrottleService } from './service.ts';

export async function killAndThrottle(
  kill: KillService,
  throttles: ThrottleService,
  actor: Actor,
  previewId: string,
  req: KillAndThrottleRequest,
  idempotencyKey: string,
): Promise<{ answer: KillAndThrottleResult; replayed: boolean }> {
  throttles.check(actor, req.throttle, 'throttle.');
  const { throttle: spec, ...commit } = req;
  const { result, replayed } = await kill.commit(actor, previewId, commit, idempotencyKey);
  const instance = kill.instance(result.instanceId);
  if (replayed) {
    const existing = (await throttles.list(instance)).find((t) => t.killAuditId === result.auditId) ?? null;
    return { answer: { kill: result, throttle: existing, throttleError: existing ? null : { code: 'CONFLICT', message: 'a replay: the throttle of this kill is not active (any more)' } }, replayed };
  }
  try {
    const throttle = await throttles.create(actor, instance, { ...spec, reason: req.reason, killAuditId: result.auditId });
    return { answer: { kill: result, throttle, throttleError: null }, replayed };
  } catch (err) {
    const error = err instanceof AppError ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: 'the throttle could not be created' };
    return { answer: { kill: result, throttle: null, throttleError: error }, replayed };
  }
}
