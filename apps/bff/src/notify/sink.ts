// Where modules hand incident events for the team's channel. The outbox implements it: an event
// handed here is stored and delivered in the background; emitting never waits for a receiver.
import type { IncidentEvent } from '@quell/contracts/events';

export interface EventSink {
  emit(event: IncidentEvent): Promise<void>;
}

/** For wiring without any destination configured, and for tests that do not look at events. */
export const discardEvents: EventSink = { emit: async () => {} };
