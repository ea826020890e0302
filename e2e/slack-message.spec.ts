// The Slack message of a kill on production, as Quell sent it: a BFF (in this process, on the test kit's
// stack) kills real MariaDB sessions, its outbox delivers the event to a Slack-like incoming webhook on
// loopback, and the payload that receiver got is rendered as HTML and photographed for the README.
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { pathOf, routes } from '@quell/contracts/routes';
import type { SlackMessage } from '@quell/bff/notify/slack';
import { eventually } from '@quell/test-kit/eventually';
import { startStack } from '@quell/test-kit/stack';
import { startWebhookReceiver } from '@quell/test-kit/webhook-receiver';
import { slackMessageHtml } from './support/slack-render.ts';

test('the Slack message of a kill on production reads on a phone', async ({ page }) => {
  const slack = await startWebhookReceiver();
  const h = await startStack({
    label: 'slack',
    extraInstances: (base) => [{ ...base, id: 'orders', name: 'orders-db', environment: 'prod' }],
    notify: { publicUrl: 'https://quell.example.com', destinations: [{ name: 'team-slack', type: 'slack', url: slack.url }] },
    deliveryOptions: { pollMs: 200 },
  });
  try {
    const targets = [await h.open(h.accounts.app, h.db1), await h.open(h.accounts.app, h.db1), await h.open(h.accounts.app, h.db1)];
    const bystander = await h.open(h.accounts.oth, h.db1);
    const op = await h.login('operator');
    const p = await op.agent.post(pathOf(routes.killPreviews, { instanceId: 'orders' })).set('X-CSRF-Token', op.csrf).send({ user: h.accounts.app.user, database: h.db1 });
    expect(p.status).toBe(201);
    const c = await op.agent
      .post(pathOf(routes.commitPreview, { previewId: p.body.previewId }))
      .set('X-CSRF-Token', op.csrf)
      .set('Idempotency-Key', randomUUID())
      .send({ reason: 'Runaway monthly report is holding locks on orders (INC-4711)' });
    expect(c.status).toBe(200);
    expect(await eventually(() => h.aliveIds(targets.map((t) => t.id)), (v) => v.length === 0)).toEqual([]);
    expect(await h.aliveIds([bystander.id])).toEqual([bystander.id]);

    const received = await eventually(async () => slack.received.find((r) => r.body.includes(c.body.auditId)), (r) => r !== undefined, 15_000);
    expect(received).toBeDefined();
    const message = JSON.parse(received!.body) as SlackMessage;
    await page.setViewportSize({ width: 400, height: 640 });
    await page.setContent(slackMessageHtml(message, 'A rendering of the Block Kit message Quell sent to the Slack incoming webhook in this test'));
    const card = page.locator('#message');
    await expect(card).toContainText('PRODUCTION · Sessions killed on orders-db');
    await expect(card).toContainText('3 killed');
    await expect(card).toContainText('INC-4711');
    await expect(page.getByRole('link', { name: 'Open the audit entry' })).toHaveAttribute('href', `https://quell.example.com/audit?id=${c.body.auditId}`);
    await page.locator('#shot').screenshot({ path: 'docs/screenshots/slack-message.png' });
  } finally {
    await h.close();
    await slack.close();
  }
});
