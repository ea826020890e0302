// ListInnodbLocks / ListMetadataLocks end to end: real lock chains on MariaDB, read through the real
// DasClient from das-local, checked field by field against DAS-INCIDENT-API.md §2–§3.
import { DasClient } from '@quell/das-client/client';
import { DasApiError } from '@quell/das-client/errors';
import type { DasInnodbLocks, DasMetadataLock, DasMetadataLocks } from '@quell/das-client/types';
import type mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultController } from './faults.ts';
import { createDasServer, type DasServer } from './server.ts';
import { eventually } from '@quell/test-kit/eventually';
import { adminConnection, closeSessions, mysqlTarget, openSession, type DbSession as Session } from '@quell/test-kit/mariadb';
import { INSTANCE_ID, PROJECT_ID, call } from '../test/official-signer.ts';
import { createTestAccounts, type TestAccounts } from '../test/sandbox.ts';

const MYSQL = await mysqlTarget();

const credentials = { ak: 'AKLOCKSINTEGRATION01', sk: 'locks-integration-secret-0123456789abcdef' };
const base = `/v3/${PROJECT_ID}/instances/${INSTANCE_ID}`;
const DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
const byId = (a: number, b: number) => a - b;

describe('lock views: DasClient ↔ das-local ↔ MariaDB', () => {
  let accounts: TestAccounts;
  let das: DasServer;
  let client: DasClient;
  let url: string;
  let dbUserId: string;
  const faults = new FaultController();
  const opened: Session[] = [];

  /** A session of `who` in db1, with lock waits long enough for the test and short enough to end on their own. */
  async function session(who: 'app' | 'other'): Promise<Session> {
    const s = await openSession(accounts[who], { database: accounts.db1 });
    opened.push(s);
    await s.conn.query('SET SESSION innodb_lock_wait_timeout = 60, lock_wait_timeout = 60');
    return s;
  }
  /** Sends a statement that will block; its outcome is collected, never thrown. */
  const blocked = (s: Session, sql: string) => s.conn.query(sql).then(() => 'done' as const, (err: unknown) => err);
  const innodb = () => client.listInnodbLocks({ instanceId: INSTANCE_ID, dbUserId });
  // InnoDB refreshes its INNODB_* cache only when nobody read it for 0.1 s: poll slower than that, or it never changes.
  const slowly =
    <T,>(read: () => Promise<T>) =>
    async () => {
      await new Promise((r) => setTimeout(r, 200));
      return read();
    };
  const innodbLater = slowly(innodb);
  /** Only what concerns these sessions: other suites share the server. */
  function ours(locks: DasInnodbLocks, sessions: Session[]) {
    const threads = new Set(sessions.map((s) => s.id));
    const trx = locks.innodbTrx.filter((t) => threads.has(t.trxMysqlThreadId));
    const trxIds = new Set(trx.map((t) => t.trxId));
    const waits = locks.innodbLockWaits.filter((w) => trxIds.has(w.requestingTrxId) || trxIds.has(w.blockingTrxId));
    const of = (s: Session) => trx.find((t) => t.trxMysqlThreadId === s.id);
    return { trx, waits, of };
  }

  beforeAll(async () => {
    accounts = await createTestAccounts();
    const admin = await adminConnection();
    try {
      // What ./quell's bootstrap does on a fresh server: ListMetadataLocks reads this plugin's table.
      const [plugin] = await admin.query<mysql.RowDataPacket[]>("SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'METADATA_LOCK_INFO'");
      if (plugin[0]?.PLUGIN_STATUS !== 'ACTIVE') await admin.query("INSTALL SONAME 'metadata_lock_info'");
      await admin.query(`CREATE TABLE \`${accounts.db1}\`.chain (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB`);
      await admin.query(`INSERT INTO \`${accounts.db1}\`.chain VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0)`);
      await admin.query(`CREATE TABLE \`${accounts.db1}\`.ddl (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB`);
      await admin.query(`INSERT INTO \`${accounts.db1}\`.ddl VALUES (1, 0)`);
    } finally {
      await admin.end();
    }
    das = createDasServer({
      projectId: PROJECT_ID,
      credentials: [credentials],
      instances: [{ instanceId: INSTANCE_ID, host: MYSQL.host, port: MYSQL.port }],
      registryPath: ':memory:',
      registryKey: 'locks-registry-key',
      faults,
    });
    ({ url } = await das.listen());
    client = new DasClient({ endpoint: url, projectId: PROJECT_ID, credentials: () => credentials, timeoutMs: 10_000, backoff: { baseMs: 1, capMs: 5 } });
    dbUserId = await client.registerDbUser(INSTANCE_ID, accounts.das.user, accounts.das.password);
  });
  // Every test ends its sessions, passed or failed: a lock left behind would block the next test.
  afterEach(async () => {
    await closeSessions(opened.splice(0));
  });
  afterAll(async () => {
    client?.close();
    await das?.close();
    await accounts?.drop();
  });

  it('one holder, three row-lock waiters: every transaction, lock and wait as §2 describes; the next waiter takes over after a kill', async () => {
    const holder = await session('app');
    const waiters = [await session('app'), await session('other'), await session('other')];
    const [w1, w2, w3] = waiters as [Session, Session, Session];
    await holder.conn.query('START TRANSACTION');
    await holder.conn.query('UPDATE chain SET v = 1 WHERE id = 1');
    const statements = ['SELECT * FROM chain WHERE id = 1 FOR UPDATE', 'UPDATE chain SET v = 2 WHERE id = 1', 'DELETE FROM chain WHERE id = 1'];
    const outcomes: Array<Promise<unknown>> = [];
    for (const [i, w] of waiters.entries()) {
      await w.conn.query('START TRANSACTION');
      outcomes.push(blocked(w, statements[i]!));
    }
    const all = [holder, ...waiters];

    // INNODB_TRX is a cached view that can lag: wait until each waiter shows its wait on the holder.
    const onHolder = (l: DasInnodbLocks) => {
      const o = ours(l, all);
      return o.waits.filter((w) => w.blockingTrxId === o.of(holder)?.trxId);
    };
    const locks = await eventually(innodbLater, (l) => onHolder(l).length === 3 && ours(l, all).trx.length === 4, 10_000);
    const { trx, waits, of } = ours(locks, all);
    expect(locks.count).toBe(locks.innodbTrx.length);
    expect(trx.map((t) => t.trxMysqlThreadId).sort(byId)).toEqual(all.map((s) => s.id).sort(byId));

    const h = of(holder)!;
    const table = `\`${accounts.db1}\`.\`chain\``;
    expect(h).toMatchObject({
      trxState: 'RUNNING',
      trxWaitStarted: null,
      trxQuery: null,
      trxTablesLocked: 1,
      trxRowsLocked: 1,
      trxRowsModified: 1,
      trxIsolationLevel: 'REPEATABLE READ',
      innodbWaitLocks: [],
    });
    expect(h.trxId).toMatch(/^\d+$/);
    expect(h.trxStarted).toMatch(DATETIME);
    // The same record lock blocks all three: one hold lock.
    expect(h.innodbHoldLocks).toHaveLength(1);
    const held = h.innodbHoldLocks[0]!;
    expect(held).toMatchObject({ lockTrxId: h.trxId, lockMode: 'X', lockType: 'RECORD', lockTable: table, lockIndex: 'PRIMARY', lockData: '1' });
    expect(held.lockId).toBe(`${h.trxId}:${held.lockSpace}:${held.lockPage}:${held.lockRec}`);
    for (const n of [held.lockSpace, held.lockPage, held.lockRec]) expect(Number.isInteger(n)).toBe(true);

    for (const [i, w] of waiters.entries()) {
      const t = of(w)!;
      expect(t).toMatchObject({ trxState: 'LOCK WAIT', trxQuery: statements[i], trxRowsModified: 0, trxIsolationLevel: 'REPEATABLE READ', innodbHoldLocks: [] });
      expect(t.trxWaitStarted).toMatch(DATETIME);
      expect(t.innodbWaitLocks).toEqual([
        { lockId: `${t.trxId}:${held.lockSpace}:${held.lockPage}:${held.lockRec}`, lockTrxId: t.trxId, lockMode: 'X', lockType: 'RECORD', lockTable: table, lockIndex: 'PRIMARY', lockSpace: held.lockSpace, lockPage: held.lockPage, lockRec: held.lockRec, lockData: '1' },
      ]);
    }
    const requested = (trxId: string) => trx.find((t) => t.trxId === trxId)!.innodbWaitLocks[0]!.lockId;
    expect(onHolder(locks).map((w) => w.requestingTrxId).sort()).toEqual(waiters.map((w) => of(w)!.trxId).sort());
    for (const w of onHolder(locks)) expect(w).toEqual({ requestingTrxId: w.requestingTrxId, requestedLockId: requested(w.requestingTrxId), blockingTrxId: h.trxId, blockingLockId: held.lockId });
    // InnoDB also names the waiters queued ahead for the same row as blocking (their requested lock is the blocking one).
    for (const w of waits.filter((x) => x.blockingTrxId !== h.trxId)) {
      expect(waiters.map((s) => of(s)!.trxId)).toContain(w.blockingTrxId);
      expect(w).toEqual({ requestingTrxId: w.requestingTrxId, requestedLockId: requested(w.requestingTrxId), blockingTrxId: w.blockingTrxId, blockingLockId: requested(w.blockingTrxId) });
    }

    // On the wire everything inside the objects is a string or null; only count is a number.
    const raw = await call(url, { method: 'GET', path: `${base}/innodb-locks`, query: [['db_user_id', dbUserId]], ...credentials });
    expect(raw.status).toBe(200);
    expect(Object.keys(raw.json).sort()).toEqual(['count', 'innodb_lock_waits', 'innodb_trx']);
    expect(raw.json.count).toBe(raw.json.innodb_trx.length);
    const rawHolder = raw.json.innodb_trx.find((t: { trx_mysql_thread_id: string }) => t.trx_mysql_thread_id === String(holder.id));
    expect(Object.keys(rawHolder)).toEqual([
      'trx_id', 'trx_state', 'trx_started', 'trx_wait_started', 'trx_mysql_thread_id', 'trx_query', 'trx_tables_locked',
      'trx_rows_locked', 'trx_rows_modified', 'trx_isolation_level', 'innodb_wait_locks', 'innodb_hold_locks',
    ]);
    expect(Object.keys(rawHolder.innodb_hold_locks[0])).toEqual(['lock_id', 'lock_trx_id', 'lock_mode', 'lock_type', 'lock_table', 'lock_index', 'lock_space', 'lock_page', 'lock_rec', 'lock_data']);
    for (const t of raw.json.innodb_trx) {
      for (const [k, v] of Object.entries(t)) if (!k.startsWith('innodb_')) expect(v === null || typeof v === 'string').toBe(true);
      for (const l of [...t.innodb_wait_locks, ...t.innodb_hold_locks]) for (const v of Object.values(l)) expect(v === null || typeof v === 'string').toBe(true);
    }
    for (const w of raw.json.innodb_lock_waits) for (const v of Object.values(w)) expect(typeof v).toBe('string');
    expect(rawHolder.trx_rows_modified).toBe('1');

    // Killing the holder: the first waiter gets the row and now blocks the other two.
    await client.deleteProcess({ instanceId: INSTANCE_ID, dbUserId, processIds: [holder.id] });
    expect(await outcomes[0]).toBe('done');
    const onW1 = (l: DasInnodbLocks) => {
      const o = ours(l, waiters);
      return o.waits.filter((w) => w.blockingTrxId === o.of(w1)?.trxId);
    };
    const after = await eventually(innodbLater, (l) => onW1(l).length === 2 && ours(l, waiters).of(w1)?.trxState === 'RUNNING', 10_000);
    const o = ours(after, waiters);
    expect(onW1(after).map((w) => w.requestingTrxId).sort()).toEqual([o.of(w2)!.trxId, o.of(w3)!.trxId].sort());
    expect(o.of(w1)).toMatchObject({ trxState: 'RUNNING', trxWaitStarted: null, innodbWaitLocks: [] });
  });

  it('a two-level chain (A ← B ← C), a lock holder nobody waits for, and no plain reader', async () => {
    const [a, b, c, lone, reader] = [await session('app'), await session('app'), await session('other'), await session('other'), await session('app')];
    await a.conn.query('START TRANSACTION');
    await a.conn.query('UPDATE chain SET v = 1 WHERE id = 3');
    await b.conn.query('START TRANSACTION');
    await b.conn.query('UPDATE chain SET v = 1 WHERE id = 4');
    const bWaits = blocked(b, 'UPDATE chain SET v = 2 WHERE id = 3');
    await c.conn.query('START TRANSACTION');
    void blocked(c, 'SELECT v FROM chain WHERE id = 4 FOR UPDATE');
    await lone.conn.query('START TRANSACTION');
    await lone.conn.query('UPDATE chain SET v = 1 WHERE id = 6');
    await reader.conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    await reader.conn.query('SELECT COUNT(*) FROM chain');
    const all = [a, b, c, lone, reader];

    const locks = await eventually(innodbLater, (l) => ours(l, all).waits.length === 2 && ours(l, all).of(lone) !== undefined, 10_000);
    const { trx, waits, of } = ours(locks, all);
    const [A, B, C] = [of(a)!, of(b)!, of(c)!];
    expect(waits.sort((x, y) => x.requestingTrxId.localeCompare(y.requestingTrxId))).toEqual(
      [
        { requestingTrxId: B.trxId, requestedLockId: B.innodbWaitLocks[0]!.lockId, blockingTrxId: A.trxId, blockingLockId: A.innodbHoldLocks[0]!.lockId },
        { requestingTrxId: C.trxId, requestedLockId: C.innodbWaitLocks[0]!.lockId, blockingTrxId: B.trxId, blockingLockId: B.innodbHoldLocks[0]!.lockId },
      ].sort((x, y) => x.requestingTrxId.localeCompare(y.requestingTrxId)),
    );
    // A holds row 3; B waits for row 3 while holding row 4; C waits for row 4.
    expect(A).toMatchObject({ trxState: 'RUNNING', trxQuery: null, trxRowsModified: 1, trxRowsLocked: 1, innodbWaitLocks: [] });
    expect(A.innodbHoldLocks.map((l) => [l.lockData, l.lockMode, l.lockType])).toEqual([['3', 'X', 'RECORD']]);
    expect(B).toMatchObject({ trxState: 'LOCK WAIT', trxQuery: 'UPDATE chain SET v = 2 WHERE id = 3', trxRowsModified: 1, trxRowsLocked: 2 });
    expect(B.innodbWaitLocks.map((l) => [l.lockTrxId, l.lockData])).toEqual([[B.trxId, '3']]);
    expect(B.innodbHoldLocks.map((l) => [l.lockTrxId, l.lockData])).toEqual([[B.trxId, '4']]);
    expect(C).toMatchObject({ trxState: 'LOCK WAIT', trxQuery: 'SELECT v FROM chain WHERE id = 4 FOR UPDATE', trxRowsModified: 0, innodbHoldLocks: [] });
    expect(C.innodbWaitLocks.map((l) => [l.lockTrxId, l.lockData, l.lockIndex])).toEqual([[C.trxId, '4', 'PRIMARY']]);
    // INNODB_LOCKS lists only locks that take part in a wait: the lone holder shows, with no lock objects.
    expect(of(lone)).toMatchObject({ trxState: 'RUNNING', trxRowsModified: 1, trxWaitStarted: null, innodbWaitLocks: [], innodbHoldLocks: [] });
    expect(of(reader)).toBeUndefined();
    expect(trx).toHaveLength(4);

    await closeSessions([a]);
    expect(await bWaits).toBe('done');
  });

  it('an idle transaction holding a metadata lock blocks an ALTER, which blocks two SELECTs: every lock as §3 describes', async () => {
    const [holder, alter, s1, s2] = [await session('app'), await session('app'), await session('other'), await session('other')];
    await holder.conn.query('START TRANSACTION');
    await holder.conn.query('SELECT COUNT(*) FROM ddl');
    const altered = blocked(alter, 'ALTER TABLE ddl COMMENT = "reviewed"');
    await eventually(async () => (await client.listMetadataLocks({ instanceId: INSTANCE_ID, dbUserId, threadId: alter.id })).metadataLocks, (m) => m.some((l) => l.lockStatus === 'PENDING'));
    const read1 = blocked(s1, 'SELECT * FROM ddl');
    const read2 = blocked(s2, 'SELECT v FROM ddl WHERE id = 1');
    const all = [holder, alter, s1, s2];
    const onDdl = () => client.listMetadataLocks({ instanceId: INSTANCE_ID, dbUserId, database: accounts.db1, table: 'ddl' });
    const rowOf = (m: DasMetadataLocks, s: Session, status: string) => m.metadataLocks.filter((l) => l.threadId === s.id && l.lockStatus === status);

    // The holder's transaction shows in INNODB_TRX (cached) once it is refreshed: wait for the whole picture.
    const locks = await eventually(
      slowly(onDdl),
      (m) => m.metadataLocks.filter((l) => l.lockStatus === 'PENDING').length === 3 && rowOf(m, holder, 'GRANTED')[0]?.lockDuration === 'MDL_TRANSACTION',
      10_000,
    );
    expect(locks.count).toBe(locks.metadataLocks.length);
    expect(locks.metadataLocks.map((l) => [l.threadId, l.lockStatus])).toEqual([
      [holder.id, 'GRANTED'],
      [alter.id, 'GRANTED'],
      [alter.id, 'PENDING'],
      [s1.id, 'PENDING'],
      [s2.id, 'PENDING'],
    ].sort((x, y) => (x[0] as number) - (y[0] as number)));
    const proc = (s: Session, who: 'app' | 'other') => expect.objectContaining({ id: s.id, user: accounts[who].user, database: accounts.db1 });
    const common = { lockType: 'Table metadata lock', tableSchema: accounts.db1, tableName: 'ddl', database: accounts.db1 };

    const [held] = rowOf(locks, holder, 'GRANTED') as [DasMetadataLock];
    expect(held).toMatchObject({ ...common, lockMode: 'MDL_SHARED_READ', lockDuration: 'MDL_TRANSACTION', user: accounts.app.user, command: 'Sleep', state: '', sql: '', blockProcess: [] });
    expect(held.host).not.toBe('');
    expect(held.waitProcess.map((p) => p.id)).toEqual([alter.id, s1.id, s2.id].sort(byId));
    expect(held.waitProcess).toEqual(expect.arrayContaining([proc(alter, 'app'), proc(s1, 'other'), proc(s2, 'other')]));
    expect(held.waitProcess.find((p) => p.id === alter.id)).toMatchObject({ command: 'Query', state: 'Waiting for table metadata lock', sql: 'ALTER TABLE ddl COMMENT = "reviewed"' });

    const [upgradable] = rowOf(locks, alter, 'GRANTED') as [DasMetadataLock];
    expect(upgradable).toMatchObject({ ...common, lockMode: 'MDL_SHARED_UPGRADABLE', command: 'Query', blockProcess: [] });
    expect(upgradable.waitProcess.map((p) => p.id)).toEqual([s1.id, s2.id].sort(byId));

    const [altering] = rowOf(locks, alter, 'PENDING') as [DasMetadataLock];
    expect(altering).toMatchObject({
      ...common,
      lockMode: 'MDL_EXCLUSIVE',
      lockDuration: 'MDL_STATEMENT',
      user: accounts.app.user,
      command: 'Query',
      state: 'Waiting for table metadata lock',
      sql: 'ALTER TABLE ddl COMMENT = "reviewed"',
      trxExecTime: 0,
      waitProcess: [],
    });
    expect(altering.blockProcess).toEqual([proc(holder, 'app')]);
    expect(altering.blockProcess[0]).toMatchObject({ command: 'Sleep', sql: '' });

    for (const [s, sql] of [[s1, 'SELECT * FROM ddl'], [s2, 'SELECT v FROM ddl WHERE id = 1']] as const) {
      const [reading] = rowOf(locks, s, 'PENDING') as [DasMetadataLock];
      expect(reading).toMatchObject({ ...common, lockMode: 'MDL_SHARED_READ', lockDuration: 'MDL_STATEMENT', user: accounts.other.user, state: 'Waiting for table metadata lock', sql, waitProcess: [] });
      expect(reading.blockProcess.map((p) => p.id)).toEqual([holder.id, alter.id].sort(byId));
      expect(reading.time).toBeGreaterThanOrEqual(0);
    }

    // Unfiltered, the ALTER also holds its schema-level intention lock; the thread filter keeps one session.
    const mine = await client.listMetadataLocks({ instanceId: INSTANCE_ID, dbUserId, threadId: alter.id });
    expect(mine.metadataLocks.every((l) => l.threadId === alter.id)).toBe(true);
    expect(mine.metadataLocks).toEqual(expect.arrayContaining([expect.objectContaining({ lockStatus: 'GRANTED', lockType: 'Schema metadata lock', lockMode: 'MDL_INTENTION_EXCLUSIVE', tableSchema: accounts.db1, tableName: '' })]));
    const onChain = await client.listMetadataLocks({ instanceId: INSTANCE_ID, dbUserId, database: accounts.db1, table: 'chain' });
    expect(onChain.metadataLocks.filter((l) => all.some((s) => s.id === l.threadId))).toEqual([]);

    // On the wire: strings (sql null for the idle holder), arrays of all-string Process objects, a numeric count.
    const raw = await call(url, { method: 'GET', path: `${base}/metadata-locks`, query: [['db_user_id', dbUserId], ['database', accounts.db1], ['table', 'ddl']], ...credentials });
    expect(raw.status).toBe(200);
    expect(raw.json.count).toBe(5);
    const rawHeld = raw.json.metadata_locks.find((l: { thread_id: string }) => l.thread_id === String(holder.id));
    expect(Object.keys(rawHeld)).toEqual([
      'thread_id', 'lock_status', 'lock_mode', 'lock_type', 'lock_duration', 'table_schema', 'table_name', 'user', 'host',
      'database', 'command', 'state', 'sql', 'time', 'trx_exec_time', 'block_process', 'wait_process',
    ]);
    expect(rawHeld.sql).toBeNull();
    for (const l of raw.json.metadata_locks) {
      for (const [k, v] of Object.entries(l)) if (!k.endsWith('_process')) expect(v === null || typeof v === 'string').toBe(true);
      for (const p of [...l.block_process, ...l.wait_process]) for (const v of Object.values(p)) expect(typeof v).toBe('string');
    }

    // Killing the root lets the ALTER through, and then the readers.
    await client.deleteProcess({ instanceId: INSTANCE_ID, dbUserId, processIds: [holder.id] });
    expect(await altered).toBe('done');
    expect([await read1, await read2]).toEqual(['done', 'done']);
    const cleared = await eventually(onDdl, (m) => m.metadataLocks.every((l) => !all.some((s) => s.id === l.threadId)));
    expect(cleared.metadataLocks.filter((l) => all.some((s) => s.id === l.threadId))).toEqual([]);
  });

  it('refuses bad input with DAS error bodies, before touching the database', async () => {
    const get = (path: string, query: Array<[string, string]>) => call(url, { method: 'GET', path: `${base}/${path}`, query, ...credentials });
    const invalid = (detail: string) => ({ error_code: 'DAS.200100', error_msg: `The parameter is invalid. ${detail}` });
    expect((await get('innodb-locks', [])).json).toEqual(invalid('db_user_id is required.'));
    expect((await get('metadata-locks', [['db_user_id', '']])).json).toEqual(invalid('db_user_id is required.'));
    for (const threadId of ['x', '-1', '2147483648', '1.5', '12345678901']) {
      const res = await get('metadata-locks', [['db_user_id', dbUserId], ['thread_id', threadId]]);
      expect([res.status, res.json]).toEqual([400, invalid('thread_id must be an integer in [0, 2147483647].')]);
    }
    expect((await get('metadata-locks', [['db_user_id', dbUserId], ['table', 'x'.repeat(257)]])).json).toEqual(invalid('table is too long.'));
    expect((await get('metadata-locks', [['db_user_id', dbUserId], ['database', 'db\u{1F600}']])).json).toEqual(invalid('database holds characters a MySQL name cannot hold.'));
    for (const path of ['innodb-locks', 'metadata-locks']) {
      const res = await get(path, [['db_user_id', 'not-a-uuid']]);
      expect([res.status, res.json]).toEqual([400, { error_code: 'DAS.200112', error_msg: 'The db_user_id value is invalid!' }]);
    }
    const posted = await call(url, { method: 'POST', path: `${base}/innodb-locks`, body: {}, ...credentials });
    expect([posted.status, posted.json.error_code]).toEqual([404, 'APIG.0101']);
    const unsigned = await call(url, { method: 'GET', path: `${base}/metadata-locks`, query: [['db_user_id', dbUserId]], ak: credentials.ak, sk: 'wrong-secret-key' });
    expect([unsigned.status, unsigned.json.error_code]).toEqual([401, 'APIGW.0301']);
    // thread_id "" counts as not given, like the other optional filters.
    expect((await get('metadata-locks', [['db_user_id', dbUserId], ['thread_id', '']])).status).toBe(200);

    // Through the client: DAS errors become DasApiError with the code and the request id.
    const unknownUser = await client.listInnodbLocks({ instanceId: INSTANCE_ID, dbUserId: '00000000-0000-4000-8000-000000000000' }).catch((e: unknown) => e);
    expect(unknownUser).toBeInstanceOf(DasApiError);
    expect(unknownUser).toMatchObject({ httpStatus: 400, errorCode: 'DAS.200112', kind: 'das', retryable: false });
    expect((unknownUser as DasApiError).requestId).toMatch(/^[0-9a-f]{32}$/);
    const unknownInstance = await client.listMetadataLocks({ instanceId: 'nosuchinstancein01', dbUserId }).catch((e: unknown) => e);
    expect(unknownInstance).toMatchObject({ httpStatus: 400, errorCode: 'DAS.200114' });
  });

  it('runs as the registered db user: without PROCESS it may not read InnoDB locks and sees only its own metadata locks', async () => {
    const weakId = await client.registerDbUser(INSTANCE_ID, accounts.weak.user, accounts.weak.password);
    const err = await client.listInnodbLocks({ instanceId: INSTANCE_ID, dbUserId: weakId }).catch((e: unknown) => e);
    expect(err).toMatchObject({ httpStatus: 500, errorCode: 'DAS.200001', errorMsg: 'The database user needs the PROCESS privilege to read InnoDB lock data.' });

    const holder = await session('app');
    await holder.conn.query('START TRANSACTION');
    await holder.conn.query('SELECT COUNT(*) FROM ddl');
    const privileged = await eventually(
      () => client.listMetadataLocks({ instanceId: INSTANCE_ID, dbUserId, threadId: holder.id }),
      (m) => m.count > 0,
    );
    expect(privileged.metadataLocks.map((l) => [l.lockMode, l.tableName])).toEqual([['MDL_SHARED_READ', 'ddl']]);
    expect(await client.listMetadataLocks({ instanceId: INSTANCE_ID, dbUserId: weakId, threadId: holder.id })).toEqual({ metadataLocks: [], count: 0 });
    await client.deleteDbUser(INSTANCE_ID, weakId);
  });

  it('faults reach the lock endpoints: a throttled read is retried, a 500 is not', async () => {
    faults.throttle({ operations: ['ListInnodbLocks'], times: 1 });
    const locks = await innodb();
    expect(locks.count).toBe(locks.innodbTrx.length);
    faults.failWith500({ operations: ['ListMetadataLocks'], times: 1 });
    const err = await client.listMetadataLocks({ instanceId: INSTANCE_ID, dbUserId }).catch((e: unknown) => e);
    expect(err).toMatchObject({ httpStatus: 500, errorCode: 'DAS.200001', attempts: 1 });
    expect(faults.list()).toEqual([]);
  });
});
