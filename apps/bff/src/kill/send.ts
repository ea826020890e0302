// Sending kills by id: in chunks, each chunk sent once and never retried.
import type { SessionOutcome } from '@quell/contracts/kill';
import type { InstanceConfig } from '../config.ts';
import { UpstreamError } from '../errors.ts';
import type { KillContext } from './context.ts';

export interface SentKills {
  /** Ids whose chunk failed, with what DAS (or the network) said. */
  failed: Map<number, SessionOutcome['error']>;
  /** Failed ids whose effect is unknown (no answer, a timeout, a 5xx): DAS may still have killed them. */
  uncertain: Set<number>;
  sent: Set<number>;
  requestIds: string[];
}

/**
 * Chunks sent at once. The server's KILL costs most of a large commit (at 5 000 threads each one looks
 * the thread up among all of them): two chunks keep two of the instance's cores on it where one keeps one.
 */
export const KILL_CHUNKS_IN_FLIGHT = 2;

export interface KillSender {
  /** Queues ids to kill; a chunk goes out as soon as `chunkSize` ids are queued and a slot is free. */
  add(ids: readonly number[]): void;
  /** Sends nothing more of what is queued: those ids are dropped and returned. */
  stop(): number[];
  /** Sends what is still queued (a last, shorter chunk) and waits for every chunk's answer: what was sent so far. */
  flush(): Promise<SentKills>;
}

export function killSender(c: KillContext, instance: InstanceConfig): KillSender {
  const dbUserId = c.inventory.dbUserId(instance);
  const das = c.inventory.das(instance);
  const out: SentKills = { failed: new Map(), uncertain: new Set(), sent: new Set(), requestIds: [] };
  let queued: number[] = [];
  let flushing = false;
  const inFlight = new Set<Promise<void>>();
  const sendChunk = async (part: number[]): Promise<void> => {
    try {
      const { requestId } = await das.deleteProcess({ instanceId: instance.instanceId, dbUserId, processIds: part });
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
  };
  const pump = (): void => {
    while (inFlight.size < KILL_CHUNKS_IN_FLIGHT && (queued.length >= c.settings.chunkSize || (flushing && queued.length > 0))) {
      const part = queued.slice(0, c.settings.chunkSize);
      queued = queued.slice(part.length);
      const sending: Promise<void> = sendChunk(part).then(() => {
        inFlight.delete(sending);
        pump();
      });
      inFlight.add(sending);
    }
  };
  return {
    add(ids) {
      queued.push(...ids);
      pump();
    },
    stop() {
      const dropped = queued;
      queued = [];
      return dropped;
    },
    async flush() {
      flushing = true;
      pump();
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      flushing = false;
      return out;
    },
  };
}

export async function sendKills(c: KillContext, instance: InstanceConfig, ids: number[]): Promise<SentKills> {
  const sender = killSender(c, instance);
  sender.add(ids);
  return sender.flush();
}
