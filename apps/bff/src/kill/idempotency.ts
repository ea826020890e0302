// One kill per (actor, Idempotency-Key): a repeated request replays the first result; a key reused for a
// different request is refused. A request refused before anything was sent frees its key.
import { createHash } from 'node:crypto';
import type { KillResult } from '@quell/contracts/kill';
import { ConflictError } from '../errors.ts';
import type { IdempotencyStore } from '../stores/types.ts';

/** What a key is bound to: the kind of kill and its target, not the wording of the reason. */
export function requestHash(...parts: Array<string | number>): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

export class Idempotency {
  readonly #store: IdempotencyStore;
  readonly #now: () => Date;
  /** Requests running in this process, so a concurrent repeat waits for the same answer. */
  readonly #running = new Map<string, Promise<KillResult>>();

  constructor(store: IdempotencyStore, now: () => Date) {
    this.#store = store;
    this.#now = now;
  }

  async once(actor: string, key: string, hash: string, run: () => Promise<KillResult>): Promise<{ result: KillResult; replayed: boolean }> {
    const mapKey = `${actor}\n${key}`;
    const claim = await this.#store.claim(actor, key, hash, this.#now().toISOString());
    if (claim.state !== 'claimed') {
      if (claim.requestHash !== hash) throw new ConflictError('this Idempotency-Key was already used for a different request');
      if (claim.state === 'done') return { result: claim.result, replayed: true };
      const running = this.#running.get(mapKey);
      if (running) return { result: await running, replayed: true };
      throw new ConflictError('a request with this Idempotency-Key is still in progress');
    }
    const p = run();
    this.#running.set(mapKey, p);
    try {
      const result = await p;
      await this.#store.complete(actor, key, result);
      return { result, replayed: false };
    } catch (err) {
      // Thrown only when refused before anything was sent to DAS: the key may be used again.
      await this.#store.release(actor, key).catch(() => undefined);
      throw err;
    } finally {
      this.#running.delete(mapKey);
    }
  }
}
