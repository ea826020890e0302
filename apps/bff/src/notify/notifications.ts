// Incident notifications, put together: the destinations from the configuration, the outbox sink the
// kill, throttle and approval modules hand their events to, and the worker that delivers them.
import type { Logger } from 'pino';
import { NOTIFICATION_LIST_LIMIT, type NotificationStatusResponse } from '@quell/contracts/notifications';
import type { Metrics } from '../metrics.ts';
import type { OutboxStore } from '../stores/types.ts';
import type { EventInstance } from './audit-events.ts';
import type { NotifyConfig } from './config.ts';
import { DEFAULT_DELIVERY_SETTINGS, DeliveryWorker, type DeliverySettings } from './delivery.ts';
import { createDestination, type Destination } from './destinations.ts';
import { Outbox } from './outbox.ts';

export interface NotificationsOptions {
  config: NotifyConfig;
  instances: EventInstance[];
  store: OutboxStore;
  metrics: Metrics;
  logger: Logger;
  now: () => Date;
  settings?: Partial<DeliverySettings>;
}

export class Notifications {
  /** The EventSink (and the audit trails' notifier): stores events in the outbox, never sends. */
  readonly outbox: Outbox;
  readonly #destinations: Destination[];
  readonly #worker: DeliveryWorker;
  readonly #store: OutboxStore;

  constructor(o: NotificationsOptions) {
    this.#destinations = o.config.destinations.map(createDestination);
    this.#store = o.store;
    this.#worker = new DeliveryWorker({ store: o.store, destinations: this.#destinations, metrics: o.metrics, logger: o.logger, now: o.now, settings: { ...DEFAULT_DELIVERY_SETTINGS, ...o.settings } });
    this.outbox = new Outbox({ store: o.store, destinations: this.#destinations, instances: o.instances, ...(o.config.publicUrl ? { publicUrl: o.config.publicUrl } : {}), now: o.now, nudge: () => this.#worker.nudge() });
  }

  start(): void {
    this.#worker.start();
  }

  stop(): Promise<void> {
    return this.#worker.stop();
  }

  /** For the admin page: every configured destination with its counts, and the deliveries not made yet. */
  async status(): Promise<NotificationStatusResponse> {
    const [summary, undelivered] = await Promise.all([this.#store.summary(), this.#store.listUndelivered(NOTIFICATION_LIST_LIMIT)]);
    const byName = new Map(summary.map((s) => [s.destination, s]));
    const destinations = this.#destinations.map((d) => {
      const s = byName.get(d.name);
      return {
        name: d.name,
        type: d.type,
        environments: d.environments ?? null,
        pending: s?.pending ?? 0,
        failed: s?.failed ?? 0,
        delivered: s?.delivered ?? 0,
        lastError: s?.lastError ?? null,
        lastErrorAt: s?.lastErrorAt ?? null,
        oldestPendingAt: s?.oldestPendingAt ?? null,
      };
    });
    return { destinations, undelivered };
  }
}
