// Incident notifications end to end: kills of real MariaDB sessions through the BFF, events delivered
// by the outbox to real HTTP receivers on loopback (a Slack incoming webhook and a Standard Webhooks
// receiver), with receivers that fail, hang, and go down.
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncidentEvent } from '@quell/contracts/events';
import { pathOf, routes } from '@quell/contracts/routes';
import { eventually } from '@quell/test-kit/eventually';
import { startStack, type Stack } from '@quell/test-kit/stack';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '@quell/test-kit/webhook-receiver';
import type { SlackMessage } from './slack.ts';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const PUBLIC_URL = 'https://quell.example.com';
let h: Stack;
let slack: WebhookReceiver;
let hook: WebhookReceiver;

beforeAll(async () => {
  [slack, hook] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()]);
  h = await startStack({
    label: 'notify',
    extraInstances: (base) => [{ ...base, id: 'orders', name: 'orders-db', environment: 'prod' }],
    notify: {
      publicUrl: PUBLIC_URL,
      destinations: [
        { name: 'team-slack', type: 'slack', url: slack.url, environments: ['prod'] },
        { name: 'siem', type: 'webhook', url: hook.url, secret: SECRET },
      ],
    },
    // Short waits so that retries happen within the test; the backoff doubles up to 200 ms.
    deliveryOptions: { pollMs: 100, backoffBaseMs: 50, backoffMaxMs: 200, timeoutMs: 5_000, leaseMs: 10_000 },
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await slack?.close();
  await hook?.close();
});

type Agent = Awaited<ReturnType<Stack['login']>>;

async function killByPreview(agent: Agent, instanceId: string, user: string, database: string, reason: string) {
  const p = await agent.agent.post(pathOf(routes.killPreviews, { instanceId })).set('X-CSRF-Token', agent.csrf).send({ user, database });
  expect(p.status).toBe(201);
  const c = await agent.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', agent.csrf).set('Idempotency-Key', randomUUID()).send({ reason });
  expect(c.status).toBe(200);
  return c.body as { auditId: string; summary: Record<string, number> };
}

/** The events a receiver got for one audit entry, each verified with the Standard Webhooks library. */
function verifiedEvents(requests: ReceivedRequest[], auditId: string): IncidentEvent[] {
  return requests
    .filter((r) => r.body.includes(auditId))
    .map((r) => IncidentEvent.parse(new Webhook(SECRET).verify(r.body, r.headers)));
}

const outboxRows = async (eventId: string) => (await h.stores.outbox.listUndelivered(1000)).filter((d) => d.eventId === eventId);

describe('incident notifications', () => {
  it('a kill on prod reaches the Slack channel as Block Kit and the webhook signed, with counts and a link to the audit entry', async () => {
    const op = await h.login('operator');
    const targets = [await h.open(h.accounts.app, h.db1), await h.open(h.accounts.app, h.db1)];
    const bystander = await h.open(h.accounts.oth, h.db1);
    const c = await killByPreview(op, 'orders', h.accounts.app.user, h.db1, 'runaway <!channel> report');
    expect(c.summary).toEqual({ killed: 2 });
    expect(await eventually(() => h.aliveIds(targets.map((t) => t.id)), (v) => v.length === 0)).toEqual([]);
    expect(await h.aliveIds([bystander.id])).toEqual([bystander.id]);

    const [event] = await eventually(async () => verifiedEvents(hook.received, c.auditId), (e) => e.length === 1);
    expect(event).toMatchObject({
      type: 'kill.committed',
      status: 'completed',
      instance: { id: 'orders', name: 'orders-db', environment: 'prod' },
      actor: 'operator-user',
      reason: 'runaway <!channel> report',
      auditId: c.auditId,
      counts: { killed: 2 },
      link: `${PUBLIC_URL}/audit?id=${c.auditId}`,
    });
    const signed = hook.received.find((r) => r.body.includes(c.auditId))!;
    expect(signed.headers['webhook-id']).toBe(event!.id);
    expect(signed.headers['content-type']).toBe('application/json');
    // A tampered body fails verification: the signature covers it.
    expect(() => new Webhook(SECRET).verify(signed.body.replace('operator-user', 'someone-else'), signed.headers)).toThrow();

    const slackRequest = await eventually(async () => slack.received.find((r) => r.body.includes(c.auditId)), (r) => r !== undefined);
    const message = JSON.parse(slackRequest!.body) as SlackMessage;
    expect(message.text).toContain('[PROD]');
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { text: expect.stringContaining('PRODUCTION') } });
    expect(JSON.stringify(message.blocks)).toContain('2 killed');
    // The reason cannot ping the channel: Slack's control characters are escaped.
    expect(slackRequest!.body).not.toContain('<!channel>');
    expect(message.blocks.find((b) => b.type === 'actions')).toMatchObject({ elements: [{ url: `${PUBLIC_URL}/audit?id=${c.auditId}` }] });
    // The Slack destination takes prod only: a kill on the test instance goes to the webhook alone.
    await h.open(h.accounts.app, h.db2);
    const onTest = await killByPreview(op, 'main', h.accounts.app.user, h.db2, 'test instance');
    await eventually(async () => verifiedEvents(hook.received, onTest.auditId), (e) => e.length === 1);
    expect(slack.received.some((r) => r.body.includes(onTest.auditId))).toBe(false);
    // The audit page's deep link finds exactly that entry.
    const one = await op.agent.get(`${pathOf(routes.audit)}?id=${c.auditId}`);
    expect(one.body.entries.map((e: { id: string }) => e.id)).toEqual([c.auditId]);
  });

  it('broad and blind kills are events of their own', async () => {
    const ad = await h.login('admin');
    const s = await h.open(h.accounts.oth, h.db2);
    const r = await ad.agent
      .post(pathOf(routes.broadKills, { instanceId: 'main' }))
      .set('X-CSRF-Token', ad.csrf)
      .set('Idempotency-Key', randomUUID())
      .send({ user: h.accounts.oth.user, database: h.db2, reason: 'broad in test', confirmInstanceName: 'main-db' });
    expect(r.status).toBe(200);
    await eventually(() => h.aliveIds([s.id]), (v) => v.length === 0);
    const [event] = await eventually(async () => verifiedEvents(hook.received, r.body.auditId), (e) => e.length === 1);
    expect(event).toMatchObject({ type: 'kill.broad', actor: 'admin-user', reason: 'broad in test', instance: { id: 'main', environment: 'test' } });
    const b = await h.open(h.accounts.oth, h.db2);
    const blind = await ad.agent.post(pathOf(routes.blindKills, { instanceId: 'main' })).set('X-CSRF-Token', ad.csrf).set('Idempotency-Key', randomUUID()).send({ sessionIds: [b.id], reason: 'blind in test' });
    expect(blind.status).toBe(200);
    const [blindEvent] = await eventually(async () => verifiedEvents(hook.received, blind.body.auditId), (e) => e.length === 1);
    expect(blindEvent).toMatchObject({ type: 'kill.blind', actor: 'admin-user', reason: 'blind in test', counts: { 'sent-unverified': 1 } });
  });

  it('is retried after the receiver failed twice, and then delivered, with the same event id every time', async () => {
    const before = hook.received.length;
    hook.answerNext(500, 500);
    const op = await h.login('operator');
    await h.open(h.accounts.app, h.db1);
    const c = await killByPreview(op, 'main', h.accounts.app.user, h.db1, 'retry me');
    const attempts = await eventually(async () => hook.received.slice(before).filter((r) => r.body.includes(c.auditId)), (a) => a.length === 3);
    expect(attempts.map((a) => a.answer)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
    for (const a of attempts) expect(() => new Webhook(SECRET).verify(a.body, a.headers)).not.toThrow();
    const eventId = attempts[0]!.headers['webhook-id']!;
    await eventually(async () => outboxRows(eventId), (rows) => rows.length === 0);
    const failed = await h.quell.metrics.registry.getSingleMetricAsString('quell_notifications_failed_total');
    expect(failed).toMatch(/quell_notifications_failed_total\{destination="siem"\} [2-9]/);
    expect(await h.quell.metrics.registry.getSingleMetricAsString('quell_notifications_delivered_total')).toMatch(/destination="siem"\} \d+/);
  });

  it("the kill's answer does not wait for a receiver that hangs", async () => {
    const before = hook.received.length;
    hook.answerNext('hang');
    const op = await h.login('operator');
    await h.open(h.accounts.app, h.db1);
    const c = await killByPreview(op, 'main', h.accounts.app.user, h.db1, 'receiver hangs');
    // The commit has answered; the delivery is still pending, its request held open by the receiver.
    const held = await eventually(async () => hook.received.slice(before).find((r) => r.body.includes(c.auditId)), (r) => r !== undefined);
    expect(held!.answer).toBe('hang');
    expect(hook.hanging()).toBe(1);
    const eventId = held!.headers['webhook-id']!;
    expect((await outboxRows(eventId)).map((r) => r.status)).toEqual(['pending']);
    hook.release(200);
    await eventually(async () => outboxRows(eventId), (rows) => rows.length === 0);
  });

  it('a receiver down the whole time leaves the events pending, visible to admins without its URL, and they arrive when it is back', async () => {
    await hook.down();
    const op = await h.login('operator');
    await h.open(h.accounts.app, h.db1);
    const c = await killByPreview(op, 'main', h.accounts.app.user, h.db1, 'receiver down');
    // An event from another module (the approvals) goes through the same outbox.
    const approval: IncidentEvent = {
      id: randomUUID(),
      type: 'approval.requested',
      occurredAt: new Date().toISOString(),
      instance: { id: 'main', name: 'main-db', environment: 'test' },
      actor: 'operator-user',
      reason: 'broad kill needs a second pair of eyes',
      approval: { id: randomUUID(), requester: 'operator-user', targetCount: 3, expiresAt: new Date(Date.now() + 600_000).toISOString() },
    };
    await h.quell.events.emit(approval);
    const status = await eventually(
      async () => (await (await h.login('admin')).agent.get(pathOf(routes.notifications))).body,
      (b) => b.undelivered?.filter((d: { destination: string; attempts: number }) => d.destination === 'siem' && d.attempts >= 2).length === 2,
    );
    const siem = status.destinations.find((d: { name: string }) => d.name === 'siem');
    expect(siem).toMatchObject({ type: 'webhook', environments: null, failed: 0 });
    expect(siem.pending).toBe(2);
    expect(siem.lastError).toBe('network error ECONNREFUSED');
    expect(status.destinations.find((d: { name: string }) => d.name === 'team-slack')).toMatchObject({ type: 'slack', environments: ['prod'] });
    const text = JSON.stringify(status);
    expect(text).not.toContain(hook.url.split('/hooks/')[1]);
    expect(text).not.toContain(slack.url.split('/hooks/')[1]);
    expect(text).not.toContain(SECRET);
    expect(await h.quell.metrics.registry.getSingleMetricAsString('quell_notifications_pending')).toContain('quell_notifications_pending{destination="siem"} 2');
    // Only admins see it.
    expect((await op.agent.get(pathOf(routes.notifications))).status).toBe(403);

    const before = hook.received.length;
    await hook.up();
    const arrived = await eventually(
      async () => hook.received.slice(before).map((r) => IncidentEvent.parse(new Webhook(SECRET).verify(r.body, r.headers))),
      (events) => events.some((e) => e.id === approval.id) && events.some((e) => e.auditId === c.auditId),
    );
    expect(arrived.find((e) => e.id === approval.id)).toEqual(approval);
    await eventually(async () => (await h.stores.outbox.summary()).find((d) => d.destination === 'siem')?.pending, (n) => n === 0);
  });
});
