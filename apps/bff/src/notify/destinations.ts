// Sending one incident event to one destination: a Slack incoming webhook (Block Kit), or a generic
// webhook signed by the Standard Webhooks scheme (`webhook-id` is the event id, so a receiver drops
// duplicates). A failure is a DeliveryError whose message is Quell's own words: an HTTP status or a
// network error code, never the URL (a Slack URL is a secret) nor anything the receiver answered.
import { Webhook } from 'standardwebhooks';
import type { IncidentEvent } from '@quell/contracts/events';
import type { Environment } from '@quell/contracts/instances';
import type { DestinationType } from '@quell/contracts/notifications';
import type { DestinationConfig } from './config.ts';
import { slackMessage } from './slack.ts';

export interface Destination {
  name: string;
  type: DestinationType;
  environments?: Environment[];
  send(event: IncidentEvent, signal: AbortSignal): Promise<void>;
}

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
}

/** The message of a failed attempt, safe to store and show: never the URL, the secret or a body. */
export function deliveryErrorText(err: unknown): string {
  if (err instanceof DeliveryError) return err.message;
  const e = err as { name?: unknown; cause?: { code?: unknown; name?: unknown } } | null;
  if (e?.name === 'TimeoutError') return 'timed out waiting for the receiver';
  if (e?.name === 'AbortError') return 'stopped (Quell shut down)';
  const code = e?.cause?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return `network error ${code}`;
  return 'network error';
}

async function post(url: string, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'Quell', ...headers }, body, signal, redirect: 'error' });
  // The body is read (so the connection is reused) but never kept: a receiver may echo anything.
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new DeliveryError(`HTTP ${res.status}`);
}

export function createDestination(c: DestinationConfig): Destination {
  const common = { name: c.name, type: c.type, ...(c.environments ? { environments: c.environments } : {}) };
  if (c.type === 'slack') {
    return { ...common, send: (event, signal) => post(c.url, {}, JSON.stringify(slackMessage(event)), signal) };
  }
  const signer = new Webhook(c.secret!);
  return {
    ...common,
    async send(event, signal) {
      const body = JSON.stringify(event);
      const at = new Date();
      const headers = { 'webhook-id': event.id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signer.sign(event.id, at, body) };
      await post(c.url, headers, body, signal);
    },
  };
}
