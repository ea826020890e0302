// The parts of the lock mapping a live server cannot easily show: SQL parsing, hidden sessions, missing sources.
import type { PoolConnection } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { innodbLocksAnswer, LockSourceUnavailable, metadataLocksAnswer, readInnodbSnapshot, readMetadataLockRows, requestedMode, tablesNamedBy, type MetadataLockRow } from './locks.ts';

describe('tablesNamedBy', () => {
  it.each([
    ['SELECT * FROM orders WHERE id = 1', [['shop', 'orders']]],
    ['select a.x from `my db`.`odd``name` a join items b on a.id = b.id', [['my db', 'odd`name'], ['shop', 'items']]],
    ['ALTER TABLE products ENGINE=InnoDB /* nightly rebuild */', [['shop', 'products']]],
    ['UPDATE LOW_PRIORITY other.t SET v = 1', [['other', 't']]],
    ["INSERT INTO log (msg) VALUES ('FROM fake -- no') # FROM nope", [['shop', 'log']]],
    ['DROP TABLE IF EXISTS old_orders', [['shop', 'old_orders']]],
    ['CREATE INDEX i ON orders (status)', [['shop', 'orders']]],
    ['TRUNCATE orders', [['shop', 'orders']]],
    ['LOCK TABLES orders WRITE', [['shop', 'orders']]],
    ['SELECT 1', []],
    ['SELECT * FROM (SELECT 1) x', []],
  ])('%s', (sql, tables) => {
    expect(tablesNamedBy(sql, 'shop').map((t) => [t.schema, t.table])).toEqual(tables);
  });

  it('takes linear time on a long statement', () => {
    const sql = `SELECT ${'c, '.repeat(20_000)}c FROM t JOIN u`;
    const started = performance.now();
    expect(tablesNamedBy(sql, 'd')).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('requestedMode', () => {
  it.each([
    ['SELECT * FROM t', 'MDL_SHARED_READ'],
    ['/* report */ select * from t for update', 'MDL_SHARED_WRITE'],
    ['DELETE FROM t', 'MDL_SHARED_WRITE'],
    ['ALTER TABLE t ADD c INT', 'MDL_EXCLUSIVE'],
    ['LOCK TABLES t WRITE', 'MDL_SHARED_NO_READ_WRITE'],
    ['LOCK TABLES t READ', 'MDL_SHARED_READ_ONLY'],
    ['CALL p()', 'MDL_SHARED'],
  ])('%s → %s', (sql, mode) => expect(requestedMode(sql)).toBe(mode));
});

function row(overrides: Partial<MetadataLockRow>): MetadataLockRow {
  return {
    kind: 'granted',
    threadId: '1',
    lockMode: 'MDL_SHARED_READ',
    lockType: 'Table metadata lock',
    lockDuration: null,
    tableSchema: 'shop',
    tableName: 'orders',
    user: 'app',
    host: '10.0.0.1:5000',
    db: 'shop',
    command: 'Sleep',
    state: '',
    info: null,
    time: '5',
    trxSeconds: '7',
    ...overrides,
  };
}

describe('metadataLocksAnswer', () => {
  const waiting = row({ kind: 'pending', threadId: '2', lockMode: null, lockType: null, tableSchema: null, tableName: null, command: 'Query', state: 'Waiting for table metadata lock', info: 'SELECT * FROM items JOIN orders', trxSeconds: null });

  it('places a wait on the named table someone else holds, and links both sides', () => {
    const { metadata_locks: locks, count } = metadataLocksAnswer([row({}), waiting], new Set(), {});
    expect(count).toBe(2);
    expect(locks[1]).toMatchObject({ thread_id: '2', lock_status: 'PENDING', lock_mode: 'MDL_SHARED_READ', table_schema: 'shop', table_name: 'orders', lock_duration: 'MDL_STATEMENT', trx_exec_time: '0', sql: 'SELECT * FROM items JOIN orders' });
    expect(locks[1]!.block_process.map((p) => p.id)).toEqual(['1']);
    expect(locks[0]).toMatchObject({ lock_duration: 'MDL_TRANSACTION', sql: null, trx_exec_time: '7' });
    expect(locks[0]!.wait_process).toEqual([
      { id: '2', user: 'app', host: '10.0.0.1:5000', database: 'shop', command: 'Query', time: '5', state: 'Waiting for table metadata lock', sql: 'SELECT * FROM items JOIN orders', trx_executed_time: '0' },
    ]);
  });

  it('leaves hidden sessions out, also from the other side lists, and applies the filters after the mapping', () => {
    const hiddenHolder = metadataLocksAnswer([row({}), waiting], new Set(['1']), {});
    expect(hiddenHolder.metadata_locks.map((l) => [l.thread_id, l.table_name, l.block_process.length])).toEqual([['2', 'items', 0]]);
    expect(metadataLocksAnswer([row({}), waiting], new Set(), { threadId: '2' }).metadata_locks.map((l) => l.thread_id)).toEqual(['2']);
    expect(metadataLocksAnswer([row({}), waiting], new Set(), { table: 'items' }).count).toBe(0);
  });

  it('calls a lock kept while idle outside a transaction explicit', () => {
    expect(metadataLocksAnswer([row({ trxSeconds: null })], new Set(), {}).metadata_locks[0]!.lock_duration).toBe('MDL_EXPLICIT');
    expect(metadataLocksAnswer([row({ lockDuration: 'MDL_STATEMENT' })], new Set(), {}).metadata_locks[0]!.lock_duration).toBe('MDL_STATEMENT');
  });
});

describe('innodbLocksAnswer', () => {
  it('leaves out hidden sessions with their waits and plain readers without locks', () => {
    const trx = (id: string, thread: string, structs: string, requested: string | null = null) => ({ trx_id: id, trx_mysql_thread_id: thread, trx_lock_structs: structs, trx_requested_lock_id: requested });
    const answer = innodbLocksAnswer(
      {
        trx: [trx('10', '1', '2'), trx('11', '2', '2', '11:1:3:2'), trx('0', '3', '0'), trx('12', '4', '1')],
        locks: [],
        waits: [{ requesting_trx_id: '11', requested_lock_id: '11:1:3:2', blocking_trx_id: '10', blocking_lock_id: '10:1:3:2' }],
      },
      new Set(['4']),
    );
    expect(answer.innodb_trx.map((t) => t.trx_id)).toEqual(['10', '11']);
    expect(answer.count).toBe(2);
    const lone = { trx: [trx('10', '1', '2'), trx('0', '3', '0')], locks: [], waits: [] };
    expect(innodbLocksAnswer(lone, new Set()).innodb_trx.map((t) => t.trx_id)).toEqual(['10']);
    expect(innodbLocksAnswer(lone, new Set(), 'waits').innodb_trx).toEqual([]);
    expect(innodbLocksAnswer(lone, new Set(), 'all').innodb_trx.map((t) => t.trx_id)).toEqual(['10', '0']);
    expect(innodbLocksAnswer({ trx: [trx('10', '1', '2'), trx('11', '2', '2')], locks: [], waits: [{ requesting_trx_id: '11', requested_lock_id: 'a', blocking_trx_id: '10', blocking_lock_id: 'b' }] }, new Set(['1'])).innodb_lock_waits).toEqual([]);
  });
});

describe('missing sources are named', () => {
  const failing = (errno: number) => ({ query: async () => Promise.reject(Object.assign(new Error('refused'), { errno })) }) as unknown as PoolConnection;

  it('METADATA_LOCK_INFO without the plugin', async () => {
    await expect(readMetadataLockRows(failing(1109))).rejects.toThrow(new LockSourceUnavailable("information_schema.METADATA_LOCK_INFO does not exist: the MariaDB plugin metadata_lock_info is not installed (an administrator runs INSTALL SONAME 'metadata_lock_info')."));
  });

  it('INNODB_LOCKS on MySQL 8, and a db user without PROCESS', async () => {
    await expect(readInnodbSnapshot(failing(1109))).rejects.toThrow(/performance_schema\.data_locks, which das-local does not read/);
    await expect(readInnodbSnapshot(failing(1227))).rejects.toThrow('The database user needs the PROCESS privilege to read InnoDB lock data.');
    await expect(readInnodbSnapshot(failing(2013))).rejects.not.toBeInstanceOf(LockSourceUnavailable);
  });
});
