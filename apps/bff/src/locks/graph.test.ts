// The lock graph from hand-built lock views shaped as das-local answers them on MariaDB.
import { describe, expect, it } from 'vitest';
import type { DasInnodbLock, DasInnodbLockWait, DasInnodbTrx, DasMetadataLock, DasProcess } from '@quell/das-client/types';
import { buildLockGraph, chainOf, tableName, type LockGraphInput } from './graph.ts';

const rowLock = (trxId: string, rec: number, over: Partial<DasInnodbLock> = {}): DasInnodbLock => ({
  lockId: `${trxId}:5:3:${rec}`,
  lockTrxId: trxId,
  lockMode: 'X',
  lockType: 'RECORD',
  lockTable: '`shop`.`orders`',
  lockIndex: 'PRIMARY',
  lockSpace: 5,
  lockPage: 3,
  lockRec: rec,
  lockData: String(rec),
  ...over,
});

const trx = (thread: number, over: Partial<DasInnodbTrx> = {}): DasInnodbTrx => ({
  trxId: String(thread * 10),
  trxState: 'RUNNING',
  trxStarted: '2026-12-01 10:00:00',
  trxWaitStarted: null,
  trxMysqlThreadId: thread,
  trxQuery: null,
  trxTablesLocked: 1,
  trxRowsLocked: 1,
  trxRowsModified: 0,
  trxIsolationLevel: 'REPEATABLE READ',
  innodbWaitLocks: [],
  innodbHoldLocks: [],
  ...over,
});

/** `waiter` waits for row `rec` behind `blocker`'s lock on it (held, or itself waited for when the blocker queues for that row). */
const wait = (waiter: number, blocker: number, rec: number): DasInnodbLockWait => ({
  requestingTrxId: String(waiter * 10),
  requestedLockId: `${waiter * 10}:5:3:${rec}`,
  blockingTrxId: String(blocker * 10),
  blockingLockId: `${blocker * 10}:5:3:${rec}`,
});

const waiting = (thread: number, rec: number, started = '2026-12-01 10:00:30') =>
  trx(thread, { trxState: 'LOCK WAIT', trxWaitStarted: started, trxQuery: `UPDATE orders SET v = 1 WHERE id = ${rec}`, innodbWaitLocks: [rowLock(String(thread * 10), rec)] });

const process = (id: number, over: Partial<DasProcess> = {}): DasProcess => ({ id, user: 'app', host: `10.0.0.1:${id}`, database: 'shop', command: 'Query', time: 3, state: '', sql: '', trxExecutedTime: 0, ...over });

const mdl = (threadId: number, over: Partial<DasMetadataLock> = {}): DasMetadataLock => ({
  threadId,
  lockStatus: 'GRANTED',
  lockMode: 'MDL_SHARED_READ',
  lockType: 'Table metadata lock',
  lockDuration: 'MDL_STATEMENT',
  tableSchema: 'shop',
  tableName: 'ddl',
  user: 'app',
  host: `10.0.0.1:${threadId}`,
  database: 'shop',
  command: 'Query',
  state: '',
  sql: '',
  time: 0,
  trxExecTime: 0,
  blockProcess: [],
  waitProcess: [],
  ...over,
});

const input = (o: { trx?: DasInnodbTrx[]; waits?: DasInnodbLockWait[]; mdl?: DasMetadataLock[] }): LockGraphInput => ({
  innodb: { innodbTrx: o.trx ?? [], innodbLockWaits: o.waits ?? [], count: o.trx?.length ?? 0 },
  metadata: { metadataLocks: o.mdl ?? [], count: o.mdl?.length ?? 0 },
});

const byId = (g: ReturnType<typeof buildLockGraph>, id: number) => {
  const s = g.sessions.find((x) => x.id === id);
  if (!s) throw new Error(`session ${id} is not in the graph`);
  return s;
};
const blockers = (g: ReturnType<typeof buildLockGraph>, id: number) => byId(g, id).waitsFor.map((w) => w.blockerId);

describe('buildLockGraph: row locks', () => {
  // One holder (1) of row 7, three waiters (2, 3, 4) queued in that order: InnoDB names each waiter ahead too.
  const queue = input({
    trx: [trx(1, { trxRowsModified: 12, trxRowsLocked: 3, innodbHoldLocks: [rowLock('10', 7)] }), waiting(2, 7), waiting(3, 7), waiting(4, 7)],
    waits: [wait(2, 1, 7), wait(3, 1, 7), wait(3, 2, 7), wait(4, 1, 7), wait(4, 2, 7), wait(4, 3, 7)],
  });

  it('a holder with three queued waiters is the one root; each waiter queues behind the one ahead', () => {
    const g = buildLockGraph(queue);
    expect(g.roots).toEqual([1]);
    expect(byId(g, 1)).toMatchObject({ root: true, blockingDirect: 1, blockingTotal: 3, waitsFor: [], inCycle: false });
    expect(byId(g, 1).transaction).toMatchObject({ rowsModified: 12, rowsLocked: 3, trxId: '10' });
    expect(blockers(g, 2)).toEqual([1]);
    expect(blockers(g, 3)).toEqual([2]);
    expect(blockers(g, 4)).toEqual([3]);
    expect(byId(g, 2).waitsFor[0]).toMatchObject({ kind: 'row', table: 'shop.orders', index: 'PRIMARY', mode: 'X', queued: false });
    expect(byId(g, 3).waitsFor[0]).toMatchObject({ queued: true });
    expect(byId(g, 2)).toMatchObject({ root: false, blockingDirect: 1, blockingTotal: 2 });
    expect(byId(g, 4)).toMatchObject({ root: false, blockingDirect: 0, blockingTotal: 0 });
    expect(g.sessions[0]!.id).toBe(1);
  });

  it('a two-level chain on different rows: A blocks B, B blocks C', () => {
    const g = buildLockGraph(
      input({
        trx: [trx(1, { innodbHoldLocks: [rowLock('10', 1)] }), waiting(2, 1), waiting(3, 2)].map((t) => (t.trxMysqlThreadId === 2 ? { ...t, innodbHoldLocks: [rowLock('20', 2)] } : t)),
        waits: [wait(2, 1, 1), wait(3, 2, 2)],
      }),
    );
    expect(g.roots).toEqual([1]);
    expect(byId(g, 1)).toMatchObject({ blockingDirect: 1, blockingTotal: 2 });
    expect(byId(g, 2)).toMatchObject({ root: false, blockingDirect: 1, blockingTotal: 1, waitsFor: [{ blockerId: 1, queued: false }] });
    expect(byId(g, 3)).toMatchObject({ blockingDirect: 0, waitsFor: [{ blockerId: 2, queued: false }] });
  });

  it('wait times come from the server clock, read off a transaction start plus its age', () => {
    const g = buildLockGraph({
      ...queue,
      // The holder started 10:00:00 and is 60 s old: the server's now is 10:01:00; the waiters started waiting at 10:00:30.
      metadata: { metadataLocks: [mdl(1, { trxExecTime: 60, command: 'Sleep', user: 'batch' })], count: 1 },
    });
    expect(byId(g, 2).waitsFor[0]!.waitSeconds).toBe(30);
    expect(byId(g, 1)).toMatchObject({ user: 'batch', command: 'Sleep', transaction: { ageSeconds: 60 } });
  });

  it('without a clock the waiter’s time in its statement stands in for the wait, or null', () => {
    const withListing = buildLockGraph({ ...queue, sessions: [{ ...process(2, { time: 17 }) }] });
    expect(byId(withListing, 2).waitsFor[0]!.waitSeconds).toBe(17);
    expect(byId(withListing, 2)).toMatchObject({ user: 'app', host: '10.0.0.1:2' });
    expect(byId(buildLockGraph(queue), 2).waitsFor[0]!.waitSeconds).toBeNull();
  });

  it('a cycle ends the transitive count, has no root and is marked', () => {
    const g = buildLockGraph(
      input({
        trx: [waiting(1, 2), waiting(2, 3), waiting(3, 1)],
        waits: [wait(1, 2, 2), wait(2, 3, 3), wait(3, 1, 1)],
      }),
    );
    expect(g.roots).toEqual([]);
    for (const id of [1, 2, 3]) expect(byId(g, id)).toMatchObject({ blockingDirect: 1, blockingTotal: 2, inCycle: true, root: false });
  });

  it('a tail hanging off a cycle counts the cycle but is not part of it', () => {
    const g = buildLockGraph(input({ trx: [waiting(1, 2), waiting(2, 1), waiting(3, 9)], waits: [wait(1, 2, 2), wait(2, 1, 1), wait(3, 1, 9)] }));
    expect(byId(g, 1)).toMatchObject({ blockingDirect: 2, blockingTotal: 2, inCycle: true });
    expect(byId(g, 3)).toMatchObject({ inCycle: false, blockingTotal: 0 });
  });
});

describe('buildLockGraph: metadata locks', () => {
  // An idle reader (1) in a transaction, an ALTER (2) waiting for it, two SELECTs (3, 4) behind the ALTER:
  // each SELECT's block_process lists both the reader and the ALTER (both hold a granted lock on the table).
  const reader = process(1, { command: 'Sleep', time: 50, trxExecutedTime: 120 });
  const alter = process(2, { sql: 'ALTER TABLE ddl ADD COLUMN x INT', time: 40 });
  const pileUp = input({
    mdl: [
      mdl(1, { command: 'Sleep', time: 50, trxExecTime: 120, lockDuration: 'MDL_TRANSACTION', waitProcess: [alter, process(3), process(4)] }),
      mdl(2, { lockMode: 'MDL_SHARED_UPGRADABLE', waitProcess: [process(3), process(4)] }),
      mdl(2, { lockStatus: 'PENDING', lockMode: 'MDL_EXCLUSIVE', time: 40, sql: alter.sql, blockProcess: [reader] }),
      mdl(3, { lockStatus: 'PENDING', time: 20, sql: 'SELECT * FROM ddl', blockProcess: [reader, alter] }),
      mdl(4, { lockStatus: 'PENDING', time: 10, sql: 'SELECT * FROM ddl', blockProcess: [reader, alter] }),
    ],
  });

  it('the idle reader is the root; the SELECTs queue behind the ALTER, not behind the reader', () => {
    const g = buildLockGraph(pileUp);
    expect(g.roots).toEqual([1]);
    expect(byId(g, 1)).toMatchObject({ root: true, blockingDirect: 1, blockingTotal: 3, command: 'Sleep', transaction: { ageSeconds: 120, trxId: null } });
    expect(byId(g, 2)).toMatchObject({ root: false, blockingDirect: 2, blockingTotal: 2, waitsFor: [{ blockerId: 1, kind: 'metadata', table: 'shop.ddl', mode: 'MDL_EXCLUSIVE', waitSeconds: 40, queued: false, index: null }] });
    expect(byId(g, 3).waitsFor).toEqual([{ blockerId: 2, kind: 'metadata', table: 'shop.ddl', index: null, mode: 'MDL_SHARED_READ', waitSeconds: 20, queued: true }]);
    expect(blockers(g, 4)).toEqual([2]);
  });

  it('the reverse lists alone (wait_process) give the same graph', () => {
    const onlyReverse = input({ mdl: pileUp.metadata.metadataLocks.map((m) => ({ ...m, blockProcess: [] })) });
    const g = buildLockGraph(onlyReverse);
    expect(g.roots).toEqual([1]);
    expect(blockers(g, 3)).toEqual([2]);
    expect(byId(g, 1).blockingTotal).toBe(3);
  });

  it('the open transactions include the reader that holds no InnoDB lock, oldest first', () => {
    const g = buildLockGraph({ ...pileUp, innodb: { innodbTrx: [trx(9, { trxRowsModified: 4 })], innodbLockWaits: [], count: 1 }, sessions: [process(9, { trxExecutedTime: 30, user: 'etl', database: 'ledger' })] });
    expect(g.transactions.map((t) => [t.sessionId, t.ageSeconds])).toEqual([
      [1, 120],
      [9, 30],
    ]);
    expect(g.transactions[1]).toMatchObject({ rowsModified: 4, trxId: '90' });
    // whose they are: the metadata-lock view names the reader, the listing names the InnoDB-only one
    expect(g.transactions.map((t) => [t.user, t.database])).toEqual([
      ['app', 'shop'],
      ['etl', 'ledger'],
    ]);
    // a transaction whose session no source shows has no owner, rather than a guessed one
    const unknown = buildLockGraph({ ...pileUp, innodb: { innodbTrx: [trx(9)], innodbLockWaits: [], count: 1 } }).transactions.find((t) => t.sessionId === 9);
    expect(unknown).toBeDefined();
    expect(unknown).not.toHaveProperty('user');
    expect(unknown).not.toHaveProperty('database');
    expect(g.sessions.some((s) => s.id === 9)).toBe(false);
  });

  it('chainOf keeps only the sessions connected to one', () => {
    const both = buildLockGraph({
      innodb: { innodbTrx: [trx(7, { innodbHoldLocks: [rowLock('70', 1)] }), waiting(8, 1)], innodbLockWaits: [wait(8, 7, 1)], count: 2 },
      metadata: pileUp.metadata,
    });
    expect(both.roots.sort()).toEqual([1, 7]);
    const chain = chainOf(both, 3);
    expect(chain.sessions.map((s) => s.id).sort()).toEqual([1, 2, 3, 4]);
    expect(chain.roots).toEqual([1]);
    expect(chainOf(both, 12345).sessions).toEqual([]);
  });
});

describe('tableName', () => {
  it('unquotes DAS’s `schema`.`table` and leaves other spellings alone', () => {
    expect(tableName('`shop`.`orders`')).toBe('shop.orders');
    expect(tableName('`we``ird`.`t`')).toBe('we`ird.t');
    expect(tableName('orders')).toBe('orders');
  });
});
