// Issue 2's integration test: the real DasClient against a running das-local that kills real MariaDB sessions.
import { DasClient } from '@quell/das-client/client';
import { DasApiError } from '@quell/das-client/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@quell/test-kit/eventually';
import { aliveIds, closeSessions, openSession, type DbSession } from '@quell/test-kit/mariadb';
import { INSTANCE_ID, PROJECT_ID } from '../test/official-signer.ts';
import { createTestAccounts, createTestDas, type TestAccounts } from '../test/sandbox.ts';
import { FaultController } from './faults.ts';
import type { DasServer } from './server.ts';

describe('DasClient ↔ das-local ↔ MariaDB', () => {
  let accounts: TestAccounts;
  let das: DasServer;
  let client: DasClient;
  let url: string;
  const faults = new FaultController();
  const sessions: DbSession[] = [];
  const credentials = { ak: 'AKINTEGRATIONTEST001', sk: 'integration-secret-0123456789abcdefghijkl' };

  beforeAll(async () => {
    accounts = await createTestAccounts();
    das = await createTestDas({ credentials: [credentials], faults });
    ({ url } = await das.listen());
    client = new DasClient({ endpoint: url, projectId: PROJECT_ID, credentials: () => credentials, timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await closeSessions(sessions);
    await das?.close();
    await accounts?.drop();
  });

  it('registers a db user, lists real sessions and kills some by id and some by user', async () => {
    const dbUserId = await client.registerDbUser(INSTANCE_ID, accounts.das.user, accounts.das.password);
    expect((await client.listDbUsers(INSTANCE_ID)).map((u) => u.dbUserId)).toEqual([dbUserId]);

    for (let i = 0; i < 3; i++) sessions.push(await openSession(accounts.app, { database: accounts.db1 }));
    for (let i = 0; i < 2; i++) sessions.push(await openSession(accounts.other, { database: accounts.db2 }));
    const [a1, a2, a3, o1, o2] = sessions as [DbSession, DbSession, DbSession, DbSession, DbSession];

    const listed = await client.listProcesses({ instanceId: INSTANCE_ID, dbUserId, user: accounts.app.user });
    expect(listed.map((p) => p.id).sort((x, y) => x - y)).toEqual([a1.id, a2.id, a3.id].sort((x, y) => x - y));
    expect(listed.every((p) => p.user === accounts.app.user && p.database === accounts.db1 && p.command === 'Sleep')).toBe(true);

    const byId = await client.deleteProcess({ instanceId: INSTANCE_ID, dbUserId, processIds: [a2.id] });
    expect(byId.requestId).toMatch(/^[0-9a-f]{32}$/);
    const all = [a1, a2, a3, o1, o2].map((s) => s.id);
    expect(await eventually(() => aliveIds(all), (x) => x.length === 4)).toEqual([a1.id, a3.id, o1.id, o2.id].sort((x, y) => x - y));

    await client.deleteProcess({ instanceId: INSTANCE_ID, dbUserId, user: accounts.other.user });
    expect(await eventually(() => aliveIds(all), (x) => x.length === 2)).toEqual([a1.id, a3.id].sort((x, y) => x - y));

    await client.deleteDbUser(INSTANCE_ID, dbUserId);
    expect(await client.listDbUsers(INSTANCE_ID)).toEqual([]);
  });

  it('surfaces DAS errors as DasApiError with the request id; reads retry throttling, kills are not retried', async () => {
    const dbUserId = await client.registerDbUser(INSTANCE_ID, accounts.das.user, accounts.das.password);
    const err = await client.listProcesses({ instanceId: INSTANCE_ID, dbUserId: '00000000-0000-4000-8000-000000000000', user: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DasApiError);
    expect(err).toMatchObject({ httpStatus: 400, errorCode: 'DAS.200112', kind: 'das' });
    expect((err as DasApiError).requestId).toMatch(/^[0-9a-f]{32}$/);

    const events: string[] = [];
    const observed = new DasClient({
      endpoint: url,
      projectId: PROJECT_ID,
      credentials: () => credentials,
      backoff: { baseMs: 1, capMs: 5 },
      onAttempt: (e) => events.push(`${e.operation}:${e.httpStatus}:${e.errorCode ?? ''}:${e.next}`),
    });
    faults.throttle({ operations: ['ListDbUsers'], times: 1 });
    expect((await observed.listDbUsers(INSTANCE_ID)).map((u) => u.dbUserId)).toEqual([dbUserId]);
    expect(events).toEqual(['ListDbUsers:400:DAS.200002:retry', 'ListDbUsers:200::none']);

    const victim = await openSession(accounts.app, { database: accounts.db1 });
    sessions.push(victim);
    faults.failWith500({ operations: ['DeleteProcess'], times: 1 });
    const failed = await observed.deleteProcess({ instanceId: INSTANCE_ID, dbUserId, processIds: [victim.id] }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ httpStatus: 500, errorCode: 'DAS.200001' });
    expect(events.filter((e) => e.startsWith('DeleteProcess'))).toHaveLength(1);
    expect(await aliveIds([victim.id])).toEqual([victim.id]);
  });

  it('the client corrects its clock from the Date header when das-local runs 20 minutes ahead', async () => {
    faults.setClockOffset(20 * 60_000);
    try {
      const users = await client.listDbUsers(INSTANCE_ID);
      expect(Array.isArray(users)).toBe(true);
    } finally {
      faults.setClockOffset(0);
    }
  });
});
