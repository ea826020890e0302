// GET /api/instances/:id/filter-suggestions end to end: a real open transaction on MariaDB read through
// das-local's lock views, a real kill in the audit trail, and what happens when DAS cannot be read.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathOf, routes } from '@quell/contracts/routes';
import type { FilterSuggestionsResponse } from '@quell/contracts/sessions';
import { eventually } from '@quell/test-kit/eventually';
import { startStack, type Stack } from '@quell/test-kit/stack';

let h: Stack;

beforeAll(async () => {
  h = await startStack({
    label: 'suggest',
    extraInstances: (base) => [{ ...base, id: 'stranger', name: 'stranger-db', dbUserId: randomUUID() }],
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function suggestions(instanceId = 'main'): Promise<FilterSuggestionsResponse> {
  const { agent } = await h.login('viewer');
  const r = await agent.get(pathOf(routes.filterSuggestions, { instanceId }));
  if (r.status !== 200) throw new Error(`filter-suggestions: ${r.status} ${r.text}`);
  return r.body as FilterSuggestionsResponse;
}

describe('filter suggestions', () => {
  it('a viewer gets the user and database of an open transaction and of a kill, each labelled by where it came from', async () => {
    const writer = await h.open(h.accounts.app, h.db1);
    await writer.conn.query(`CREATE TABLE suggest_rows (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB`);
    await writer.conn.query('INSERT INTO suggest_rows VALUES (1, 0)');
    await writer.conn.query('BEGIN');
    await writer.conn.query('UPDATE suggest_rows SET v = 1 WHERE id = 1');
    const victim = await h.open(h.accounts.oth, h.db2);
    const bystander = await h.open(h.accounts.oth, h.db1);

    const before = await eventually(() => suggestions(), (s) => s.users.some((u) => u.name === h.accounts.app.user), 10_000, 250);
    expect(before.transactionsError).toBeNull();
    expect(before.users.find((u) => u.name === h.accounts.app.user)).toMatchObject({ sources: ['open-transaction'], lastKilledAt: null, openTransactions: 1 });
    expect(before.databases.find((d) => d.name === h.db1)).toMatchObject({ sources: ['open-transaction'] });
    expect(before.users.some((u) => u.name === h.accounts.oth.user)).toBe(false);

    const op = await h.login('operator');
    const p = await op.agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set('X-CSRF-Token', op.csrf).send({ user: h.accounts.oth.user, database: h.db2, sessionIds: [victim.id] });
    expect(p.status).toBe(201);
    const c = await op.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', op.csrf).set('Idempotency-Key', randomUUID()).send({ reason: 'INC-7 suggestion test' });
    expect(c.body.summary).toEqual({ killed: 1 });
    expect(await h.aliveIds([writer.id, bystander.id].sort((a, b) => a - b))).toEqual([writer.id, bystander.id].sort((a, b) => a - b));

    const after = await suggestions();
    const killed = after.users.find((u) => u.name === h.accounts.oth.user);
    expect(killed).toMatchObject({ sources: ['recent-kill'], openTransactions: 0 });
    expect(Date.parse(killed!.lastKilledAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(after.databases.find((d) => d.name === h.db2)).toMatchObject({ sources: ['recent-kill'] });
    // the trail of another instance names nothing here
    const other = await suggestions('stranger');
    expect(other.users.some((u) => u.name === h.accounts.oth.user)).toBe(false);
    await writer.conn.query('ROLLBACK');
  }, 60_000);

  it('lock views DAS refuses leave the kills and say why, instead of failing the answer', async () => {
    const refused = await suggestions('stranger');
    expect(refused.transactionsError).toMatchObject({ code: 'UPSTREAM_ERROR' });
    const fault = h.faults.failWith500({ operations: ['ListInnodbLocks'] });
    try {
      const failed = await suggestions();
      expect(failed.transactionsError).toMatchObject({ code: 'UPSTREAM_ERROR' });
      expect(failed.users.every((u) => u.openTransactions === 0)).toBe(true);
    } finally {
      h.faults.remove(fault);
    }
  }, 60_000);

  it('an instance id that is not one is a 400 naming it, an unknown one a 404, no login a 401', async () => {
    const { agent } = await h.login('viewer');
    const bad = await agent.get('/api/instances/Not%20One/filter-suggestions');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual(['instanceId']);
    const missing = await agent.get(pathOf(routes.filterSuggestions, { instanceId: 'nope' }));
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    expect((await h.anon().get(pathOf(routes.filterSuggestions, { instanceId: 'main' }))).status).toBe(401);
  });
});
