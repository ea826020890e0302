// GET /api/instances/:id/locks end to end: real lock chains on MariaDB, read by the BFF through das-local,
// and the root killed through the usual preview → commit.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LockSession, LocksResponse } from '@quell/contracts/locks';
import { pathOf, routes } from '@quell/contracts/routes';
import { eventually } from '@quell/test-kit/eventually';
import { closeSessions, withAdmin, type DbSession } from '@quell/test-kit/mariadb';
import { startStack, type Stack } from '@quell/test-kit/stack';

let h: Stack;
const opened: DbSession[] = [];

beforeAll(async () => {
  h = await startStack({
    label: 'locks',
    extraInstances: (base) => [{ ...base, id: 'stranger', name: 'stranger-db', dbUserId: randomUUID() }],
  });
  await withAdmin(async (admin) => {
    for (const t of ['queue', 'chain', 'ddl']) {
      await admin.query(`CREATE TABLE \`${h.db1}\`.${t} (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB`);
      await admin.query(`INSERT INTO \`${h.db1}\`.${t} VALUES (1, 0), (2, 0), (3, 0)`);
    }
  });
}, 60_000);
afterEach(async () => {
  await closeSessions(opened.splice(0));
});
afterAll(async () => {
  await h?.close();
});

/** A session of the app account in db1 whose lock waits outlast the test. */
async function session(): Promise<DbSession> {
  const s = await h.open(h.accounts.app, h.db1);
  opened.push(s);
  await s.conn.query('SET SESSION innodb_lock_wait_timeout = 60, lock_wait_timeout = 60');
  return s;
}
/** Sends a statement that will block; resolves 'done' when it completes, or with its error. */
const blocked = (s: DbSession, sql: string) => s.conn.query(sql).then(() => 'done' as const, (err: unknown) => err);

async function locks(query = ''): Promise<LocksResponse> {
  const { agent } = await h.login('viewer');
  const r = await agent.get(`${pathOf(routes.locks, { instanceId: 'main' })}${query}`);
  if (r.status !== 200) throw new Error(`locks: ${r.status} ${r.text}`);
  return r.body as LocksResponse;
}
/** Polls (slower than InnoDB's 0.1 s cache refresh) until `ok` holds for the sessions of these ids. */
async function graphOf(ids: number[], ok: (of: (id: number) => LockSession | undefined) => boolean): Promise<(id: number) => LockSession> {
  const answer = await eventually(
    () => locks(),
    (g) => ok((id) => g.sessions.find((s) => s.id === id)),
    10_000,
    250,
  );
  const of = (id: number) => {
    const s = answer.sessions.find((x) => x.id === id);
    if (!s) throw new Error(`session ${id} is not in the graph: ${JSON.stringify(answer.sessions.filter((x) => ids.includes(x.id)))}`);
    return s;
  };
  return of;
}

describe('the lock graph on real chains', () => {
  it('one holder with three row-lock waiters: the holder is the root; killing it through preview → commit lets them run', async () => {
    const holder = await session();
    await holder.conn.query('BEGIN');
    await holder.conn.query('UPDATE queue SET v = v + 1 WHERE id = 1');
    await holder.conn.query('UPDATE queue SET v = v + 1 WHERE id = 2');
    const waiters = [await session(), await session(), await session()];
    const done: Array<Promise<unknown>> = [];
    for (const w of waiters) {
      done.push(blocked(w, 'UPDATE queue SET v = v + 1 WHERE id = 1'));
      // One at a time, so that the queue has an order.
      await eventually(() => locks(), (g) => g.sessions.some((s) => s.id === w.id), 10_000, 250);
    }
    const bystander = await session();
    const of = await graphOf([holder.id, ...waiters.map((w) => w.id)], (of) => of(holder.id)?.blockingTotal === 3);
    const root = of(holder.id);
    expect(root).toMatchObject({ root: true, waitsFor: [], blockingTotal: 3, user: h.accounts.app.user, database: h.db1 });
    expect(root.transaction).toMatchObject({ rowsModified: 2 });
    expect(root.transaction!.rowsLocked).toBeGreaterThanOrEqual(2);
    for (const w of waiters) expect(of(w.id)).toMatchObject({ root: false, waitsFor: [{ kind: 'row', table: `${h.db1}.queue`, index: 'PRIMARY' }] });
    // Each waiter counts once: directly behind the holder, or queued behind the one ahead.
    const direct = [root, ...waiters.map((w) => of(w.id))].reduce((n, s) => n + s.blockingDirect, 0);
    expect(direct).toBe(3);
    expect(of(waiters[0]!.id).waitsFor[0]).toMatchObject({ blockerId: holder.id, queued: false });
    const all = await locks();
    expect(all.roots).toContain(holder.id);
    expect(all.transactions.find((t) => t.sessionId === holder.id)).toMatchObject({ rowsModified: 2 });

    const op = await h.login('operator');
    const p = await op.agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set('X-CSRF-Token', op.csrf).send({ user: h.accounts.app.user, sessionIds: [holder.id] });
    expect(p.status).toBe(201);
    expect(p.body.targets.map((t: { id: number }) => t.id)).toEqual([holder.id]);
    const c = await op.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', op.csrf).set('Idempotency-Key', randomUUID()).send({ reason: 'root blocker in test' });
    expect(c.status).toBe(200);
    expect(c.body.summary).toEqual({ killed: 1 });
    // Every waiter's UPDATE completes, and nobody else died.
    expect(await Promise.all(done)).toEqual(['done', 'done', 'done']);
    const survivors = [...waiters, bystander].map((s) => s.id).sort((a, b) => a - b);
    expect(await h.aliveIds(survivors)).toEqual(survivors);
    expect(await h.aliveIds([holder.id])).toEqual([]);
  }, 60_000);

  it('a two-level row chain: A blocks B, B blocks C', async () => {
    const a = await session();
    await a.conn.query('BEGIN');
    await a.conn.query('UPDATE chain SET v = 1 WHERE id = 1');
    const b = await session();
    await b.conn.query('BEGIN');
    await b.conn.query('UPDATE chain SET v = 1 WHERE id = 2');
    void blocked(b, 'UPDATE chain SET v = 2 WHERE id = 1');
    const c = await session();
    void blocked(c, 'UPDATE chain SET v = 2 WHERE id = 2');
    const of = await graphOf([a.id, b.id, c.id], (of) => of(a.id)?.blockingTotal === 2 && of(c.id) !== undefined);
    expect(of(a.id)).toMatchObject({ root: true, blockingDirect: 1, blockingTotal: 2 });
    expect(of(b.id)).toMatchObject({ root: false, blockingDirect: 1, blockingTotal: 1, waitsFor: [{ blockerId: a.id, kind: 'row', table: `${h.db1}.chain`, queued: false }] });
    expect(of(c.id)).toMatchObject({ root: false, blockingDirect: 0, waitsFor: [{ blockerId: b.id, kind: 'row', table: `${h.db1}.chain` }] });
    expect(of(b.id).transaction).toMatchObject({ rowsModified: 1, state: 'LOCK WAIT' });

    // ?threadId= narrows the answer to this chain.
    const only = await locks(`?threadId=${c.id}`);
    expect(only.sessions.map((s) => s.id).sort((x, y) => x - y)).toEqual([a.id, b.id, c.id].sort((x, y) => x - y));
  }, 60_000);

  it('an idle transaction holding a metadata lock blocks an ALTER, which blocks two SELECTs', async () => {
    const reader = await session();
    await reader.conn.query('BEGIN');
    await reader.conn.query('SELECT * FROM ddl');
    const alter = await session();
    void blocked(alter, 'ALTER TABLE ddl ADD COLUMN extra INT');
    await eventually(() => locks(), (g) => g.sessions.some((s) => s.id === alter.id), 10_000, 250);
    const selects = [await session(), await session()];
    for (const s of selects) void blocked(s, 'SELECT * FROM ddl');
    // INNODB_TRX (which gives the reader's transaction) is a cache InnoDB refreshes only after 0.1 s unread: poll for it too.
    const of = await graphOf([reader.id, alter.id, ...selects.map((s) => s.id)], (of) => of(reader.id)?.blockingTotal === 3 && of(reader.id)?.transaction != null);
    expect(of(reader.id)).toMatchObject({ root: true, blockingDirect: 1, blockingTotal: 3, command: 'Sleep' });
    expect(of(reader.id).transaction?.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(of(alter.id)).toMatchObject({ root: false, blockingDirect: 2, blockingTotal: 2, waitsFor: [{ blockerId: reader.id, kind: 'metadata', table: `${h.db1}.ddl`, mode: 'MDL_EXCLUSIVE', queued: false }] });
    for (const s of selects) expect(of(s.id)).toMatchObject({ root: false, waitsFor: [{ blockerId: alter.id, kind: 'metadata', table: `${h.db1}.ddl`, queued: true }] });
  }, 60_000);
});

describe('rollback risk in the kill preview', () => {
  it('names the targets whose open transaction modified rows, with its age; unknown when the InnoDB view fails', async () => {
    const writer = await session();
    await writer.conn.query('BEGIN');
    await writer.conn.query('UPDATE chain SET v = v + 10 WHERE id IN (1, 2, 3)');
    const idle = await session();
    // The listing counts transaction age in whole seconds: only a transaction older than 0 s is looked up.
    await new Promise((r) => setTimeout(r, 1200));
    const op = await h.login('operator');
    const preview = () => op.agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set('X-CSRF-Token', op.csrf).send({ user: h.accounts.app.user, sessionIds: [writer.id, idle.id] });
    const p = await preview();
    expect(p.status).toBe(201);
    expect(p.body.targets.map((t: { id: number }) => t.id).sort()).toEqual([writer.id, idle.id].sort());
    expect(p.body.rollbackRisks).toHaveLength(1);
    expect(p.body.rollbackRisks[0]).toMatchObject({ sessionId: writer.id, rowsModified: 3 });
    expect(p.body.rollbackRisks[0].trxAgeSeconds).toBeGreaterThanOrEqual(1);

    const fault = h.faults.failWith500({ operations: ['ListInnodbLocks'] });
    try {
      const blind = await preview();
      expect(blind.status).toBe(201);
      expect(blind.body.rollbackRisks).toBeUndefined();
    } finally {
      h.faults.remove(fault);
    }
  }, 60_000);
});

describe('bad input and DAS failures', () => {
  it('an unknown instance is a 404, a thread id that is not a number a 400 naming it, an unknown parameter a 400', async () => {
    const { agent } = await h.login('viewer');
    const missing = await agent.get(pathOf(routes.locks, { instanceId: 'nope' }));
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const bad = await agent.get(`${pathOf(routes.locks, { instanceId: 'main' })}?threadId=12abc`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual(['query.threadId']);
    const unknown = await agent.get(`${pathOf(routes.locks, { instanceId: 'main' })}?table=orders`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual(['query.table']);
    expect((await h.anon().get(pathOf(routes.locks, { instanceId: 'main' }))).status).toBe(401);
  });

  it('a DAS 400 (a db user DAS does not know) and a DAS 500 are the upstream error shape', async () => {
    const { agent } = await h.login('viewer');
    const refused = await agent.get(pathOf(routes.locks, { instanceId: 'stranger' }));
    expect(refused.status).toBe(502);
    expect(refused.body.error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { upstream: { httpStatus: 400 } } });
    expect(refused.body.error.message).toMatch(/lock listing failed/);
    const fault = h.faults.failWith500({ operations: ['ListMetadataLocks'] });
    try {
      const failed = await agent.get(pathOf(routes.locks, { instanceId: 'main' }));
      expect(failed.status).toBe(502);
      expect(failed.body.error).toMatchObject({ code: 'UPSTREAM_ERROR', message: 'DAS metadata-lock listing failed', details: { upstream: { httpStatus: 500 } } });
      expect(typeof failed.body.error.requestId).toBe('string');
    } finally {
      h.faults.remove(fault);
    }
  }, 60_000);
});
