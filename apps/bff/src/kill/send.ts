// Sending kills by id: in chunks, each chunk sent once and never retried.
import type { SessionOutcome } from '@quell/contracts/kill';
import type { InstanceConfig } from '../config.ts';
import { UpstreamError } from '../errors.ts';
import { chunk } from './policy.ts';
import type { KillContext } from './context.ts';

export interface SentKills {
  /** Ids whose chunk failed, with what DAS (or the network) said. */
  failed: Map<number, SessionOutcome['error']>;
  /** Failed ids whose effect is unknown (no answer, a timeout, a 5xx): DAS may still have killed them. */
  uncertain: Set<number>;
  sent: Set<number>;
  requestIds: string[];
}

export async function sendKills(c: KillContext, instance: InstanceConfig, ids: number[]): Promise<SentKills> {
  const dbUserId = c.inventory.dbUserId(instance);
  const out: SentKills = { failed: new Map(), uncertain: new Set(), sent: new Set(), requestIds: [] };
  for (const part of chunk(ids, c.settings.chunkSize)) {
    try {
      const { requestId } = await c.inventory.das(instance).deleteProcess({ instanceId: instance.instanceId, dbUserId, processIds: part });
      if (requestId) out.requestIds.push(requestId);
      for (const id of part) out.sent.add(id);
    } catch (err) {
      const upstream = err instanceof UpstreamError ? err.upstream : { httpStatus: 0, errorMsg: 'unexpected error' };
      if (upstream.dasRequestId) out.requestIds.push(upstream.dasRequestId);
      c.logger.warn({ instance: instance.id, operation: 'DeleteProcess', upstream, count: part.length }, 'DAS kill chunk failed');
      for (const id of part) out.failed.set(id, upstream);
      // Only a definite refusal is certain; anything else may have landed.
      if (!(err instanceof UpstreamError) || err.uncertain) for (const id of part) out.uncertain.add(id);
    }
  }
  return out;
}
