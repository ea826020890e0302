// The kill workflow end to end: BFF → das-local → real MariaDB sessions opened by this test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createHarness, eventually, type Harness } from '../test/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({
    extraInstances: (base) => [
      { ...base, id: 'capped', name: 'capped-db', blastRadiusCap: 1 },
      { ...base, id: 'hosts', name: 'hosts-db', protectedHosts: ['localhost', '127.0.0.1'] },
    ],
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function preview(agent: Awaited<ReturnType<Harness['login']>>, instance: string, body: Record<string, unknown>) {
  return agent.agent.post(`/api/instances/${instance}/kill-previews`).set('X-CSRF-Token', agent.csrf).send(body);
}
async function commit(agent: Awaited<ReturnType<Harness['login']>>, previewId: string, body: Record<string, unknown>, key = randomUUID()) {
  return agent.agent.post(`/api/kill-previews/${previewId}/commit`).set('X-CSRF-Token', agent.csrf).set('Idempotency-Key', key).send(body);
}

describe('preview → commit', () => {
  it('kills exactly the previewed sessions, verified, and leaves the others alive', async () => {
    const op = await h.login('operator');
    const targets = [await h.open(h.accounts.app, h.db1), await h.open(h.accounts.app, h.db1)];
    const bystanders = [await h.open(h.accounts.oth, h.db1), await h.open(h.accounts.app, h.db2)];
    const p = await preview(op, 'main', { user: h.accounts.app.user, database: h.db1 });
    expect(p.status).toBe(201);
    expect(p.body.targets.map((s: { id: number }) => s.id).sort()).toEqual(targets.map((t) => t.id).sort());
    expect(p.body.requiresTypedConfirmation).toBe(false);
    expect(Date.parse(p.body.expiresAt) - Date.parse(p.body.createdAt)).toBe(60_000);

    const c = await commit(op, p.body.previewId, { reason: 'runaway sessions in test' });
    expect(c.status).toBe(200);
    expect(c.body.verification).toBe('verified');
    expect(c.body.summary).toEqual({ killed: 2 });
    expect(c.body.dasRequestIds.length).toBeGreaterThan(0);
    expect(await eventually(() => h.aliveIds(targets.map((t) => t.id)), (v) => v.length === 0)).toEqual([]);
    expect(await h.aliveIds(bystanders.map((b) => b.id))).toEqual(bystanders.map((b) => b.id).sort((a, b) => a - b));

    const audit = await op.agent.get(`/api/audit?instanceId=main`);
    const entry = audit.body.entries.find((e: { id: string }) => e.id === c.body.auditId);
    expect(entry.status).toBe('completed');
    expect(entry.actor).toBe('operator-user');
    expect(entry.reason).toBe('runaway sessions in test');
    expect(entry.outcomes.map((o: { outcome: string }) => o.outcome)).toEqual(['killed', 'killed']);
  });
});
