// The outbox as the rest of Quell sees it: an EventSink whose emit only stores the event (once per
// destination that hears about its instance's environment) and nudges the delivery worker; and the
// deliveries of an audit outcome, which the audit store enqueues in the outcome's own transaction.
import type { IncidentEvent } from '@quell/contracts/events';
import type { AuditIntent, AuditOutcome } from '../kill/types.ts';
import type { OutboxDelivery, OutboxStore } from '../stores/types.ts';
import { eventOfOutcome, type EventInstance } from './audit-events.ts';
import type { Destination } from './destinations.ts';
import type { EventSink } from './sink.ts';

/** What the audit trails need: the deliveries of an outcome (to store with it), and a nudge once it is stored. */
export interface AuditNotifier {
  deliveriesOf(intent: AuditIntent, outcome: AuditOutcome): OutboxDelivery[];
  enqueued(): void;
}

export class Outbox implements EventSink, AuditNotifier {
  readonly #o: { store: OutboxStore; destinations: Destination[]; instances: EventInstance[]; publicUrl?: string; now: () => Date; nudge: () => void };

  constructor(o: { store: OutboxStore; destinations: Destination[]; instances: EventInstance[]; publicUrl?: string; now: () => Date; nudge: () => void }) {
    this.#o = o;
  }

  /** One delivery per destination that takes events of the event's instance environment. */
  deliveriesOfEvent(event: IncidentEvent): OutboxDelivery[] {
    return this.#o.destinations.filter((d) => !d.environments || d.environments.includes(event.instance.environment)).map((d) => ({ destination: d.name, event }));
  }

  async emit(event: IncidentEvent): Promise<void> {
    const deliveries = this.deliveriesOfEvent(event);
    if (deliveries.length === 0) return;
    await this.#o.store.enqueue(deliveries, this.#o.now().toISOString());
    this.#o.nudge();
  }

  deliveriesOf(intent: AuditIntent, outcome: AuditOutcome): OutboxDelivery[] {
    if (this.#o.destinations.length === 0) return [];
    const instance = this.#o.instances.find((i) => i.id === intent.instanceId);
    if (!instance) return [];
    const event = eventOfOutcome(intent, outcome, instance, this.#o.publicUrl);
    return event ? this.deliveriesOfEvent(event) : [];
  }

  enqueued(): void {
    this.#o.nudge();
  }
}
