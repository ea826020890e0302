import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

let r: WebhookReceiver;
beforeAll(async () => {
  r = await startWebhookReceiver();
});
afterAll(() => r.close());

const post = (body: string) => fetch(r.url, { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' }, body });

it('records raw bodies and headers and answers from the script, then by default', async () => {
  r.answerNext(500, 503);
  const statuses = [];
  for (const n of [1, 2, 3]) statuses.push((await post(`{"n":${n}}`)).status);
  expect(statuses).toEqual([500, 503, 200]);
  expect(r.received.map((q) => [q.body, q.answer, q.headers['webhook-id'], q.path])).toEqual([
    ['{"n":1}', 500, 'msg_1', new URL(r.url).pathname],
    ['{"n":2}', 503, 'msg_1', new URL(r.url).pathname],
    ['{"n":3}', 200, 'msg_1', new URL(r.url).pathname],
  ]);
});

it('holds a request open until released', async () => {
  r.answerNext('hang');
  const pending = post('{}');
  await expect.poll(() => r.hanging()).toBe(1);
  r.release(202);
  expect((await pending).status).toBe(202);
  expect(r.hanging()).toBe(0);
});

it('goes down (connections refused) and comes back on the same port', async () => {
  await r.down();
  await expect(post('{}')).rejects.toThrow();
  await r.up();
  expect((await post('{"back":true}')).status).toBe(200);
  expect(r.received.at(-1)?.body).toBe('{"back":true}');
});
