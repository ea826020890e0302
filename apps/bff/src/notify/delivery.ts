// The background delivery of the outbox: a worker leases due deliveries (of several replicas exactly one
// holds each), sends them, and records the result: delivered, or a failed attempt due again after an
// exponential backoff (capped), until the last attempt allowed. A kill never waits for any of this.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.ts';
import type { OutboxClaim, OutboxStore } from '../stores/types.ts';
import { deliveryErrorText, type Destination } from './destinations.ts';

export interface DeliverySettings {
  /** How often the outbox is looked at when nothing nudged the worker. */
  pollMs: number;
  batchSize: number;
  /** A lease outlives one attempt (timeoutMs) with room to record it; a holder that died frees it by then. */
  leaseMs: number;
  /** One attempt's deadline. */
  timeoutMs: number;
  /** The wait after the first failed attempt; it doubles after each one, up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** After this many failed attempts a delivery is given up (`failed`, shown on the admin page). */
  maxAttempts: number;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  pollMs: 2_000,
  batchSize: 20,
  leaseMs: 60_000,
  timeoutMs: 10_000,
  backoffBaseMs: 2_000,
  backoffMaxMs: 10 * 60_000,
  // With the defaults: about 16 hours of a receiver being down before an event is given up.
  maxAttempts: 100,
};

/** The wait before the next attempt, after `failures` failed attempts (1 → the base). */
export function backoffMs(failures: number, s: Pick<DeliverySettings, 'backoffBaseMs' | 'backoffMaxMs'>): number {
  return Math.min(s.backoffMaxMs, s.backoffBaseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
}

export class DeliveryWorker {
  readonly owner = randomUUID();
  readonly #o: { store: OutboxStore; destinations: Destination[]; metrics: Metrics; logger: Logger; now: () => Date; settings: DeliverySettings };
  readonly #byName: Map<string, Destination>;
  readonly #stopping = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(o: { store: OutboxStore; destinations: Destination[]; metrics: Metrics; logger: Logger; now: () => Date; settings: DeliverySettings }) {
    this.#o = o;
    this.#byName = new Map(o.destinations.map((d) => [d.name, d]));
  }

  start(): void {
    if (this.#byName.size === 0 || this.#timer) return;
    this.#timer = setInterval(() => this.nudge(), this.#o.settings.pollMs);
    this.#timer.unref();
    this.nudge();
  }

  /** Looks at the outbox now (after an enqueue), or once more after the look in progress. */
  nudge(): void {
    if (this.#byName.size === 0 || this.#stopping.signal.aborted) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain()
      .catch((err: unknown) => this.#o.logger.warn({ err }, 'notification delivery round failed; the next one retries'))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.nudge();
        }
      });
  }

  /** Stops polling and aborts attempts in flight (recorded as failed attempts, due again at once). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#stopping.abort();
    await this.#running;
  }

  async #drain(): Promise<void> {
    const s = this.#o.settings;
    for (;;) {
      const now = this.#o.now();
      const claims = await this.#o.store.claimDue(now.toISOString(), this.owner, new Date(now.getTime() + s.leaseMs).toISOString(), s.batchSize, [...this.#byName.keys()]);
      await Promise.all(claims.map((c) => this.#deliver(c)));
      if (claims.length < s.batchSize || this.#stopping.signal.aborted) break;
    }
    await this.#refreshPending();
  }

  async #deliver(c: OutboxClaim): Promise<void> {
    const destination = this.#byName.get(c.destination)!;
    const s = this.#o.settings;
    const eventId = c.event.id;
    try {
      await destination.send(c.event, AbortSignal.any([this.#stopping.signal, AbortSignal.timeout(s.timeoutMs)]));
    } catch (err) {
      const text = deliveryErrorText(err);
      const failures = c.attempts + 1;
      const now = this.#o.now();
      const stopped = this.#stopping.signal.aborted;
      const retryAt = stopped ? now.toISOString() : failures >= s.maxAttempts ? null : new Date(now.getTime() + backoffMs(failures, s)).toISOString();
      this.#o.metrics.notificationsFailed.inc({ destination: c.destination });
      this.#o.logger.warn({ destination: c.destination, eventId, type: c.event.type, attempt: failures, reason: text, retryAt }, retryAt ? 'notification delivery failed; will retry' : 'notification delivery failed for good');
      await this.#o.store.markAttemptFailed(eventId, c.destination, this.owner, text, now.toISOString(), retryAt);
      return;
    }
    this.#o.metrics.notificationsDelivered.inc({ destination: c.destination });
    // False when the lease lapsed and another worker took it: the receiver may see this event twice (same webhook-id).
    await this.#o.store.markDelivered(eventId, c.destination, this.owner, this.#o.now().toISOString());
  }

  /** Sets the pending gauge of every destination from the store (all replicas' deliveries). */
  async #refreshPending(): Promise<void> {
    const summary = new Map((await this.#o.store.summary()).map((d) => [d.destination, d.pending]));
    for (const name of this.#byName.keys()) this.#o.metrics.notificationsPending.set({ destination: name }, summary.get(name) ?? 0);
  }
}
