// Two replicas over one PostgreSQL outbox: each runs its own delivery worker against the same receiver,
// and every event is delivered exactly once (leases with SKIP LOCKED), whichever replica stored it.
import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IncidentEvent } from '@quell/contracts/events';
import { eventually } from '@quell/test-kit/eventually';
import { createTestDatabase, type TestDatabase } from '@quell/test-kit/services';
import { startWebhookReceiver, type WebhookReceiver } from '@quell/test-kit/webhook-receiver';
import { createMetrics } from '../metrics.ts';
import { openPostgresStores, type PostgresStores } from '../stores/postgres.ts';
import { Notifications } from './notifications.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
let db: TestDatabase;
let receiver: WebhookReceiver;
let stores: PostgresStores[] = [];
let replicas: Notifications[] = [];
const metrics = [createMetrics(), createMetrics()];

beforeAll(async () => {
  [db, receiver] = await Promise.all([createTestDatabase(), startWebhookReceiver()]);
  stores = await Promise.all([openPostgresStores(db.url), openPostgresStores(db.url)]);
  replicas = stores.map(
    (s, n) =>
      new Notifications({
        config: { destinations: [{ name: 'siem', type: 'webhook', url: receiver.url, secret: SECRET }] },
        instances: [{ id: 'main', name: 'main-db', environment: 'prod' }],
        store: s.outbox,
        metrics: metrics[n]!,
        logger: pino({ level: 'silent' }),
        now: () => new Date(),
        settings: { pollMs: 20, batchSize: 3, backoffBaseMs: 20, backoffMaxMs: 50 },
      }),
  );
}, 60_000);
afterAll(async () => {
  for (const r of replicas) await r.stop();
  for (const s of stores) await s.close();
  await receiver?.close();
  await db?.drop();
});

const event = (n: number): IncidentEvent => ({
  id: randomUUID(),
  type: 'kill.committed',
  occurredAt: new Date().toISOString(),
  instance: { id: 'main', name: 'main-db', environment: 'prod' },
  actor: 'alice',
  reason: `event ${n}`,
  counts: { killed: n },
});

it('delivers each event once across two replicas polling one PostgreSQL outbox', async () => {
  const events = Array.from({ length: 40 }, (_, n) => event(n));
  // Both replicas store events (as two BFFs behind a load balancer would) while both deliver.
  for (const r of replicas) r.start();
  await Promise.all(events.map((e, n) => replicas[n % 2]!.outbox.emit(e)));
  await eventually(
    async () => (await stores[0]!.outbox.summary()).find((d) => d.destination === 'siem'),
    (d) => d?.delivered === events.length && d.pending === 0,
    30_000,
  );
  // Both workers idle: a duplicate, had two of them held one event, would have been sent by now.
  for (const r of replicas) await r.stop();
  const ids = receiver.received.map((r) => (new Webhook(SECRET).verify(r.body, r.headers) as IncidentEvent).id);
  expect(ids.length).toBe(events.length);
  expect([...ids].sort()).toEqual(events.map((e) => e.id).sort());
  const counted = await Promise.all(metrics.map(async (m) => (await m.notificationsDelivered.get()).values.reduce((sum, v) => sum + v.value, 0)));
  expect(counted[0]! + counted[1]!).toBe(events.length);
}, 60_000);
