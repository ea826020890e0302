// ListInnodbLocks and ListMetadataLocks against the recording server (DAS-INCIDENT-API.md §2–§3).
import { describe, expect, it } from 'vitest';
import type { DasClient } from './client.ts';
import { DasApiError, DasRequestError } from './errors.ts';
import { useRecordingClient } from './testing/recording-client.ts';
import type { Reply } from './testing/recording-server.ts';

const PROJECT = '054e292c9880d4992f02c0196d3ea468';
const INSTANCE = 'da304cd5bbb944de828759bc7be3d3fein01';
const DB_USER = '2c250598-1e3c-4d31-bc19-be1d866247e6';
const AK = 'QTWAOYTTINDUT2QVKYUC';
const SK = 'CANARY-SK-locks-0c3d2e1b4a57d1e5b0a9c4f4e2b8a61f';
const BASE_PATH = `/v3/${PROJECT}/instances/${INSTANCE}`;

// The doc example of ListInnodbLocks (OpenAPI ListInnodbLocks.json), verbatim.
const INNODB_EXAMPLE = {
  count: 2,
  innodb_lock_waits: [
    { blocking_lock_id: '1080882971:27750:3:2', blocking_trx_id: '1080882971', requested_lock_id: '1080883393:27750:3:2', requesting_trx_id: '1080883393' },
  ],
  innodb_trx: [
    {
      trx_id: '1080883393',
      trx_state: 'LOCK WAIT',
      trx_started: '2021-01-14 18:49:26',
      trx_wait_started: '2021-01-14 18:49:26',
      trx_mysql_thread_id: '115602',
      trx_query: 'DELETE FROM adfasdf WHERE  id =1',
      trx_tables_locked: '1',
      trx_rows_locked: '1',
      trx_rows_modified: '0',
      trx_isolation_level: 'REPEATABLE READ',
      innodb_hold_locks: [],
      innodb_wait_locks: [
        {
          lock_id: '1080883393:27750:3:2',
          lock_trx_id: '1080883393',
          lock_mode: 'X',
          lock_type: 'RECORD',
          lock_table: '`abc`.`adfasdf`',
          lock_index: 'GEN_CLUST_INDEX',
          lock_space: '27750',
          lock_page: '3',
          lock_rec: '2',
          lock_data: '0x0000005528EC',
        },
      ],
    },
    {
      trx_id: '1080882971',
      trx_state: 'LOCK WAIT',
      trx_started: '2021-01-14 18:49:25',
      trx_wait_started: '2021-01-14 18:49:25',
      trx_mysql_thread_id: '115598',
      trx_query: 'DELETE FROM adfasdf WHERE  id =1',
      trx_tables_locked: '1',
      trx_rows_locked: '1',
      trx_rows_modified: '0',
      trx_isolation_level: 'REPEATABLE READ',
      innodb_wait_locks: [],
      innodb_hold_locks: [
        {
          lock_id: '1080882971:27750:3:2',
          lock_trx_id: '1080882971',
          lock_mode: 'X',
          lock_type: 'RECORD',
          lock_table: '`abc`.`adfasdf`',
          lock_index: 'GEN_CLUST_INDEX',
          lock_space: '27750',
          lock_page: '3',
          lock_rec: '2',
          lock_data: '0x0000005528EC',
        },
      ],
    },
  ],
};

// The doc example of ListMetadataLocks, plus a waiter so the Process arrays are exercised.
const METADATA_EXAMPLE = {
  count: 1,
  metadata_locks: [
    {
      thread_id: '4096619',
      lock_status: 'GRANTED',
      lock_mode: 'MDL_SHARED_READ',
      lock_type: 'Table metadata lock',
      lock_duration: 'MDL_TRANSACTION',
      table_schema: 'test_zyr',
      table_name: 'test2',
      user: 'root',
      time: '40',
      host: 'das server',
      database: 'test_zyr',
      command: 'Sleep',
      state: '',
      sql: null,
      trx_exec_time: '341',
      block_process: [],
      wait_process: [
        {
          id: '4096700',
          user: 'app',
          host: '10.0.0.8:50111',
          database: 'test_zyr',
          command: 'Query',
          time: '12',
          state: 'Waiting for table metadata lock',
          sql: 'ALTER TABLE test2 ADD COLUMN c INT',
          trx_executed_time: '0',
        },
      ],
    },
  ],
};

const das = useRecordingClient(PROJECT, AK, SK);

const dasError = (status: number, code: string): Reply => ({ status, body: { error_code: code, error_msg: 'no' } });

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('ListInnodbLocks', () => {
  it('sends one signed GET with db_user_id only and types the doc example', async () => {
    das.server.setHandler(() => ({ status: 200, body: INNODB_EXAMPLE }));
    const locks = await das.makeClient().listInnodbLocks({ instanceId: INSTANCE, dbUserId: DB_USER });
    expect(das.server.requests).toHaveLength(1);
    const [req] = das.server.requests;
    expect([req!.method, req!.path, [...req!.query.entries()]]).toEqual(['GET', `${BASE_PATH}/innodb-locks`, [['db_user_id', DB_USER]]]);
    expect(req!.signatureValid).toBe(true);
    const lock = {
      lockTrxId: '1080883393',
      lockMode: 'X',
      lockType: 'RECORD',
      lockTable: '`abc`.`adfasdf`',
      lockIndex: 'GEN_CLUST_INDEX',
      lockSpace: 27750,
      lockPage: 3,
      lockRec: 2,
      lockData: '0x0000005528EC',
    };
    expect(locks).toEqual({
      count: 2,
      innodbLockWaits: [
        { requestingTrxId: '1080883393', requestedLockId: '1080883393:27750:3:2', blockingTrxId: '1080882971', blockingLockId: '1080882971:27750:3:2' },
      ],
      innodbTrx: [
        {
          trxId: '1080883393',
          trxState: 'LOCK WAIT',
          trxStarted: '2021-01-14 18:49:26',
          trxWaitStarted: '2021-01-14 18:49:26',
          trxMysqlThreadId: 115602,
          trxQuery: 'DELETE FROM adfasdf WHERE  id =1',
          trxTablesLocked: 1,
          trxRowsLocked: 1,
          trxRowsModified: 0,
          trxIsolationLevel: 'REPEATABLE READ',
          innodbWaitLocks: [{ lockId: '1080883393:27750:3:2', ...lock }],
          innodbHoldLocks: [],
        },
        {
          trxId: '1080882971',
          trxState: 'LOCK WAIT',
          trxStarted: '2021-01-14 18:49:25',
          trxWaitStarted: '2021-01-14 18:49:25',
          trxMysqlThreadId: 115598,
          trxQuery: 'DELETE FROM adfasdf WHERE  id =1',
          trxTablesLocked: 1,
          trxRowsLocked: 1,
          trxRowsModified: 0,
          trxIsolationLevel: 'REPEATABLE READ',
          innodbWaitLocks: [],
          innodbHoldLocks: [{ lockId: '1080882971:27750:3:2', ...lock, lockTrxId: '1080882971' }],
        },
      ],
    });
  });

  it('keeps null for what a table lock or an idle holder lacks, tolerates numbers, falls back to the length for count', async () => {
    const trx = INNODB_EXAMPLE.innodb_trx[1]!;
    const tableLock = { lock_id: '9:27750', lock_trx_id: '9', lock_mode: 'IX', lock_type: 'TABLE', lock_table: '`abc`.`t`', lock_index: null, lock_space: null, lock_page: null, lock_rec: null, lock_data: null };
    das.server.setHandler(() => ({
      status: 200,
      body: {
        innodb_trx: [{ ...trx, trx_id: 9, trx_mysql_thread_id: 77, trx_wait_started: null, trx_query: null, trx_rows_modified: 3, innodb_hold_locks: [tableLock] }],
        innodb_lock_waits: [],
      },
    }));
    const locks = await das.makeClient().listInnodbLocks({ instanceId: INSTANCE, dbUserId: DB_USER });
    expect(locks.count).toBe(1);
    expect(locks.innodbTrx[0]).toMatchObject({ trxId: '9', trxMysqlThreadId: 77, trxWaitStarted: null, trxQuery: null, trxRowsModified: 3 });
    expect(locks.innodbTrx[0]!.innodbHoldLocks).toEqual([
      { lockId: '9:27750', lockTrxId: '9', lockMode: 'IX', lockType: 'TABLE', lockTable: '`abc`.`t`', lockIndex: null, lockSpace: null, lockPage: null, lockRec: null, lockData: null },
    ]);
  });

  it('refuses an answer whose thread id is not a number or whose ids are missing', async () => {
    const trx = INNODB_EXAMPLE.innodb_trx[0]!;
    for (const body of [
      { ...INNODB_EXAMPLE, innodb_trx: [{ ...trx, trx_mysql_thread_id: 'abc' }] },
      { ...INNODB_EXAMPLE, innodb_trx: [{ ...trx, trx_id: '' }] },
      { ...INNODB_EXAMPLE, innodb_lock_waits: [{ requesting_trx_id: '1' }] },
      { ...INNODB_EXAMPLE, count: 'many' },
    ]) {
      das.server.setHandler(() => ({ status: 200, body }));
      const err = await rejectionOf(das.makeClient().listInnodbLocks({ instanceId: INSTANCE, dbUserId: DB_USER }));
      expect(err).toBeInstanceOf(DasApiError);
      expect(err).toMatchObject({ kind: 'invalid-response', httpStatus: 200, retryable: false });
    }
  });

  it('validates before sending: a DasRequestError naming the field', async () => {
    const c = das.makeClient();
    const cases: Array<[Parameters<DasClient['listInnodbLocks']>[0], string]> = [
      [{ instanceId: INSTANCE, dbUserId: 'not-a-uuid' }, 'dbUserId'],
      [{ instanceId: '../../etc', dbUserId: DB_USER }, 'instanceId'],
    ];
    for (const [params, field] of cases) {
      const err = await rejectionOf(c.listInnodbLocks(params));
      expect(err).toBeInstanceOf(DasRequestError);
      expect((err as DasRequestError).issues.map((i) => i.path)).toEqual([field]);
    }
    expect(das.server.requests).toHaveLength(0);
  });
});

describe('ListMetadataLocks', () => {
  it('sends the filters as strings and types locks and their Process lists', async () => {
    das.server.setHandler(() => ({ status: 200, body: METADATA_EXAMPLE }));
    const locks = await das.makeClient().listMetadataLocks({ instanceId: INSTANCE, dbUserId: DB_USER, threadId: 12121, database: 'example', table: 'my table' });
    const [req] = das.server.requests;
    expect([req!.method, req!.path]).toEqual(['GET', `${BASE_PATH}/metadata-locks`]);
    expect([...req!.query.entries()]).toEqual([
      ['db_user_id', DB_USER],
      ['thread_id', '12121'],
      ['database', 'example'],
      ['table', 'my table'],
    ]);
    expect(req!.signatureValid).toBe(true);
    expect(locks).toEqual({
      count: 1,
      metadataLocks: [
        {
          threadId: 4096619,
          lockStatus: 'GRANTED',
          lockMode: 'MDL_SHARED_READ',
          lockType: 'Table metadata lock',
          lockDuration: 'MDL_TRANSACTION',
          tableSchema: 'test_zyr',
          tableName: 'test2',
          user: 'root',
          host: 'das server',
          database: 'test_zyr',
          command: 'Sleep',
          state: '',
          sql: '',
          time: 40,
          trxExecTime: 341,
          blockProcess: [],
          waitProcess: [
            {
              id: 4096700,
              user: 'app',
              host: '10.0.0.8:50111',
              database: 'test_zyr',
              command: 'Query',
              time: 12,
              state: 'Waiting for table metadata lock',
              sql: 'ALTER TABLE test2 ADD COLUMN c INT',
              trxExecutedTime: 0,
            },
          ],
        },
      ],
    });
  });

  it('sends no optional filter that was not given (thread id 0 is one)', async () => {
    das.server.setHandler(() => ({ status: 200, body: { metadata_locks: [], count: 0 } }));
    const c = das.makeClient();
    expect(await c.listMetadataLocks({ instanceId: INSTANCE, dbUserId: DB_USER })).toEqual({ metadataLocks: [], count: 0 });
    await c.listMetadataLocks({ instanceId: INSTANCE, dbUserId: DB_USER, threadId: 0 });
    expect(das.server.requests.map((r) => [...r.query.keys()])).toEqual([['db_user_id'], ['db_user_id', 'thread_id']]);
    expect(das.server.requests[1]!.query.get('thread_id')).toBe('0');
  });

  it('refuses a lock whose thread id is not a number, or a Process without an id', async () => {
    const lock = METADATA_EXAMPLE.metadata_locks[0]!;
    for (const body of [
      { metadata_locks: [{ ...lock, thread_id: 'x1' }], count: 1 },
      { metadata_locks: [{ ...lock, wait_process: [{ user: 'app' }] }], count: 1 },
    ]) {
      das.server.setHandler(() => ({ status: 200, body }));
      expect(await rejectionOf(das.makeClient().listMetadataLocks({ instanceId: INSTANCE, dbUserId: DB_USER }))).toMatchObject({ kind: 'invalid-response' });
    }
  });

  it('validates before sending: thread id in [0, 2^31-1], non-empty names', async () => {
    const c = das.makeClient();
    const base = { instanceId: INSTANCE, dbUserId: DB_USER };
    const cases: Array<[Parameters<DasClient['listMetadataLocks']>[0], string]> = [
      [{ ...base, threadId: -1 }, 'threadId'],
      [{ ...base, threadId: 2 ** 31 }, 'threadId'],
      [{ ...base, threadId: 1.5 }, 'threadId'],
      [{ ...base, threadId: '7' as unknown as number }, 'threadId'],
      [{ ...base, database: '' }, 'database'],
      [{ ...base, table: 'x'.repeat(257) }, 'table'],
      [{ ...base, dbUserId: 'nope' }, 'dbUserId'],
    ];
    for (const [params, field] of cases) {
      const err = await rejectionOf(c.listMetadataLocks(params));
      expect(err).toBeInstanceOf(DasRequestError);
      expect((err as DasRequestError).issues.map((i) => i.path)).toEqual([field]);
      expect((err as DasRequestError).message).toContain(`ListMetadataLocks: invalid request: ${field}:`);
    }
    expect(das.server.requests).toHaveLength(0);
  });
});

describe('lock reads follow the read retry policy', () => {
  const calls = {
    ListInnodbLocks: (c: DasClient) => c.listInnodbLocks({ instanceId: INSTANCE, dbUserId: DB_USER }),
    ListMetadataLocks: (c: DasClient) => c.listMetadataLocks({ instanceId: INSTANCE, dbUserId: DB_USER }),
  };
  const ok = { ListInnodbLocks: { innodb_trx: [], innodb_lock_waits: [], count: 0 }, ListMetadataLocks: { metadata_locks: [], count: 0 } };

  it.each(Object.keys(calls) as Array<keyof typeof calls>)('%s: retries 503 and DAS.200002, each attempt signed afresh', async (name) => {
    das.server.setHandler((_req, i) => (i === 0 ? dasError(503, 'DAS.500001') : i === 1 ? dasError(400, 'DAS.200002') : { status: 200, body: ok[name] }));
    await calls[name](das.makeClient());
    expect(das.server.requests).toHaveLength(3);
    expect(das.server.requests.every((r) => r.signatureValid)).toBe(true);
    expect(das.sleeps).toEqual([150, 300]);
  });

  it.each(Object.keys(calls) as Array<keyof typeof calls>)('%s: does not retry a 400 or a 500', async (name) => {
    for (const [status, code] of [
      [400, 'DAS.200112'],
      [500, 'DAS.200001'],
    ] as const) {
      das.server.requests.length = 0;
      das.server.setHandler(() => dasError(status, code));
      const err = await rejectionOf(calls[name](das.makeClient()));
      expect(err).toMatchObject({ operation: name, httpStatus: status, errorCode: code, kind: 'das', retryable: false, attempts: 1 });
      expect(das.server.requests).toHaveLength(1);
    }
  });
});
