// A killed session that must undo a big transaction: MariaDB lists it as `Killed` until the rollback
// ends. The commit says rolling-back; a recheck records killed once it is gone. Real MariaDB, das-local.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eventually } from '@quell/test-kit/eventually';
import { startStack, type Stack } from '@quell/test-kit/stack';
import { pathOf, routes } from '@quell/contracts/routes';

// Enough rows that undoing them takes seconds here, far longer than the commit's verification listings.
const ROWS = 400_000;

let h: Stack;

beforeAll(async () => {
  h = await startStack({ label: 'rollback', killOptions: { verifyAttempts: 2 } });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('a session rolling back after its kill', () => {
  it('is rolling-back after the commit, listed as Killed, and killed in the result and the audit row once the recheck sees it gone', async () => {
    const op = await h.login('operator');
    const viewer = await h.login('viewer');
    const bystander = await h.open(h.accounts.oth, h.db1);
    const s = await h.open(h.accounts.app, h.db1);
    await s.conn.query('CREATE TABLE rollback_load (id INT AUTO_INCREMENT PRIMARY KEY, pad CHAR(200) NOT NULL) ENGINE=InnoDB');
    await s.conn.query('SET SESSION max_recursive_iterations = 1000000');
    await s.conn.query('BEGIN');
    await s.conn.query(`INSERT INTO rollback_load (pad) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS}) SELECT REPEAT('x', 200) FROM n`);

    const p = await op.agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set('X-CSRF-Token', op.csrf).send({ user: h.accounts.app.user, sessionIds: [s.id] });
    expect(p.status).toBe(201);
    const c = await op.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', op.csrf).set('Idempotency-Key', randomUUID()).send({ reason: 'rollback test' });
    expect(c.status).toBe(200);
    const who = { sessionId: s.id, user: h.accounts.app.user, database: h.db1 };
    expect(c.body.outcomes).toEqual([expect.objectContaining({ ...who, outcome: 'rolling-back', rollingBackSeconds: expect.any(Number) })]);
    // Only a listing with the thread as `Killed` gives rolling-back: das-local lists the processlist as is, as DAS does.
    expect(c.body.summary).toEqual({ 'rolling-back': 1 });

    const recheck = () => viewer.agent.post(pathOf(routes.recheckKill, { auditId: c.body.auditId })).set('X-CSRF-Token', viewer.csrf);
    const final = await eventually(recheck, (r) => r.status !== 200 || r.body.rollingBack === 0, 120_000, 500);
    expect(final.status).toBe(200);
    expect(final.body).toMatchObject({ auditId: c.body.auditId, rollingBack: 0, summary: { killed: 1 } });
    expect(final.body.outcomes).toEqual([expect.objectContaining({ ...who, outcome: 'killed' })]);
    expect(final.body.outcomes[0].rollingBackSeconds).toBeUndefined();
    expect((await h.stores.audit.get(c.body.auditId))?.outcomes).toEqual(final.body.outcomes);
    expect(await h.aliveIds([s.id, bystander.id])).toEqual([bystander.id]);
    // Resolved: a further recheck lists nothing and changes nothing.
    const before = h.dasLines.length;
    expect((await recheck()).body.outcomes).toEqual(final.body.outcomes);
    expect(h.count('ListProcesses', before)).toBe(0);
  });

  it('an unknown audit id is a 404, and one that is not a uuid a 400 naming the field', async () => {
    const viewer = await h.login('viewer');
    expect((await viewer.agent.post(pathOf(routes.recheckKill, { auditId: randomUUID() })).set('X-CSRF-Token', viewer.csrf)).status).toBe(404);
    const bad = await viewer.agent.post(pathOf(routes.recheckKill, { auditId: 'nope' })).set('X-CSRF-Token', viewer.csrf);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('auditId');
  });
});
