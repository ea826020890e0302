// listProcessesPage: MariaDB cuts the page (LIMIT/OFFSET by id) and counts the matches in the same pass,
// so das-local receives only the page's rows; the answers equal slicing the full listing.
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MysqlBackend, type DbLogin, type ProcessRow } from './mysql-backend.ts';
import { closeSessions, mysqlTarget, openSession, type DbSession as Session } from '@quell/test-kit/mariadb';
import { createTestAccounts, type TestAccounts } from '../test/sandbox.ts';

const MYSQL = await mysqlTarget();

const SESSIONS = 12;

describe('MysqlBackend.listProcessesPage', () => {
  let accounts: TestAccounts;
  let login: DbLogin;
  const backend = new MysqlBackend();
  const sessions: Session[] = [];
  /** Every statement das-local sent, with the number of rows MariaDB answered. */
  const sent: Array<{ sql: string; params: unknown[]; rows: number }> = [];

  beforeAll(async () => {
    accounts = await createTestAccounts();
    login = { host: MYSQL.host, port: MYSQL.port, user: accounts.das.user, password: accounts.das.password };
    for (let i = 0; i < SESSIONS; i++) sessions.push(await openSession(accounts.app, { database: i % 2 === 0 ? accounts.db1 : accounts.db2 }));
    sessions.push(await openSession(accounts.other, { database: accounts.db1 }));
    const original = mysql.Connection.prototype.query as (...args: unknown[]) => Promise<[unknown, unknown]>;
    vi.spyOn(mysql.Connection.prototype, 'query').mockImplementation(async function (this: unknown, ...args: unknown[]) {
      const result = await original.apply(this, args);
      const sql = typeof args[0] === 'string' ? args[0] : String((args[0] as { sql?: string }).sql);
      sent.push({ sql, params: Array.isArray(args[1]) ? args[1] : [], rows: Array.isArray(result[0]) ? result[0].length : 0 });
      return result;
    } as never);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await backend.forget('paging');
    await closeSessions(sessions);
    await accounts?.drop();
  });

  const ids = (rows: ProcessRow[]) => rows.map((r) => r.id);

  it('asks MariaDB for one page only and answers as the sliced full listing does', async () => {
    const all = await backend.listProcesses('paging', login, { user: accounts.app.user });
    expect(all).toHaveLength(SESSIONS);
    const mine = sessions.slice(0, SESSIONS).map((s) => String(s.id));
    expect([...ids(all)].sort()).toEqual([...mine].sort());

    for (const offset of [0, 5, 10]) {
      sent.length = 0;
      const page = await backend.listProcessesPage('paging', login, { user: accounts.app.user }, { offset, limit: 5 });
      expect(page.count).toBe(SESSIONS);
      expect(ids(page.rows)).toEqual(ids(all.slice(offset, offset + 5)));
      expect(page.rows.map((r) => [r.user, r.database, r.host])).toEqual(all.slice(offset, offset + 5).map((r) => [r.user, r.database, r.host]));
      // One pass over PROCESSLIST, which sent back the page's rows, not the SESSIONS matches; then the
      // count of that pass, and the transactions of the page's threads only.
      expect(sent.map((s) => s.sql.match(/PROCESSLIST/g)?.length ?? 0)).toEqual([1, 0, 0]);
      expect(sent[0]!.sql).toMatch(/^SELECT SQL_CALC_FOUND_ROWS .* ORDER BY p\.ID LIMIT \? OFFSET \?$/);
      expect(sent[0]!.params.slice(-2)).toEqual([5, offset]);
      expect(sent[0]!.rows).toBe(Math.min(5, SESSIONS - offset));
      expect(sent[1]!.sql).toBe('SELECT FOUND_ROWS() AS total');
      expect(sent[2]!.sql).toMatch(/FROM information_schema\.INNODB_TRX WHERE trx_mysql_thread_id IN \(\?(, \?)*\)$/);
      expect(sent[2]!.params).toEqual(ids(page.rows).map(Number));
    }
  });

  it('applies the filters in SQL and counts past the last page', async () => {
    const all = await backend.listProcesses('paging', login, { user: accounts.app.user, database: accounts.db1 });
    expect(all).toHaveLength(SESSIONS / 2);
    sent.length = 0;
    const page = await backend.listProcessesPage('paging', login, { user: accounts.app.user, database: accounts.db1 }, { offset: 2, limit: 3 });
    expect(ids(page.rows)).toEqual(ids(all.slice(2, 5)));
    expect(page.count).toBe(SESSIONS / 2);
    expect(sent.map((s) => s.rows)).toEqual([3, 1, 0]);

    sent.length = 0;
    const beyond = await backend.listProcessesPage('paging', login, { database: accounts.db1 }, { offset: 100, limit: 5 });
    expect(beyond.rows).toEqual([]);
    expect(beyond.count).toBe(SESSIONS / 2 + 1);
    // No rows, so no transactions to look up; the count still comes from the one pass.
    expect(sent.map((s) => s.rows)).toEqual([0, 1]);

    const none = await backend.listProcessesPage('paging', login, { user: `${accounts.prefix}nobody` }, { offset: 0, limit: 5 });
    expect(none).toEqual({ rows: [], count: 0 });
  });
});
