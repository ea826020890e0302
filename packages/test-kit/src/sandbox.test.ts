import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './eventually.ts';
import { openSession, withAdmin } from './mariadb.ts';
import { createSandbox, randomPrefix, THROWAWAY_USER_REGEXP, type Sandbox } from './sandbox.ts';

const exists = async (sql: string, params: unknown[]) => withAdmin(async (a) => ((await a.query<RowDataPacket[]>(sql, params))[0].length > 0));
const userExists = (user: string) => exists('SELECT 1 FROM mysql.user WHERE User = ?', [user]);
const databaseExists = (db: string) => exists('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db]);

describe('randomPrefix', () => {
  it('is qt_<label>_<hex>_, different each time, and counts as a throwaway account', () => {
    const a = randomPrefix('e2e');
    expect(a).toMatch(/^qt_e2e_[0-9a-f]{6}_$/);
    expect(randomPrefix('e2e')).not.toBe(a);
    expect(new RegExp(THROWAWAY_USER_REGEXP).test(`${a}app`)).toBe(true);
    expect(() => randomPrefix('Not Ok')).toThrow(/label/);
  });
});

describe('createSandbox', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await createSandbox({ label: 'kit', databases: ['db1', 'db2'] });
  });
  afterAll(async () => {
    await sb?.drop().catch(() => undefined);
  });

  it('creates its databases and accounts with the grants asked for', async () => {
    expect(sb.databases).toEqual([`${sb.prefix}db1`, `${sb.prefix}db2`]);
    for (const db of sb.databases) expect(await databaseExists(db)).toBe(true);
    const app = await sb.account(`${sb.prefix}app`);
    expect(await sb.account(`${sb.prefix}app`)).toBe(app);
    const s = await sb.open(app, { database: sb.databases[1]! });
    await s.conn.query('CREATE TABLE t (id INT)');
    const weak = await sb.account(`${sb.prefix}weak`, { databases: false });
    await expect(openSession(weak, { database: sb.database })).rejects.toThrow(/denied/i);
    expect(sb.users()).toEqual([`${sb.prefix}app`, `${sb.prefix}weak`]);
  });

  it('a kill account ends other accounts’ sessions; a process-only account sees them but may not', async () => {
    const killer = await sb.account(`${sb.prefix}das`, { databases: false, kill: true });
    const viewer = await sb.account(`${sb.prefix}view`, { databases: false, process: true });
    const [victim, spared] = await sb.openMany(`${sb.prefix}app`, 2);
    const asViewer = await sb.open(viewer, { database: null });
    const [seen] = await asViewer.conn.query<RowDataPacket[]>('SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?', [`${sb.prefix}app`]);
    expect(seen.map((r) => Number(r.ID))).toEqual(expect.arrayContaining([victim, spared]));
    await expect(asViewer.conn.query(`KILL CONNECTION ${victim}`)).rejects.toThrow();
    const asKiller = await sb.open(killer, { database: null });
    await asKiller.conn.query(`KILL CONNECTION ${victim}`);
    expect(await eventually(() => sb.alive([victim!, spared!]), (ids) => ids.length === 1)).toEqual([spared]);
  });

  it('leaves its own accounts’ sessions out of everyone else’s', async () => {
    const mine = await sb.openMany(`${sb.prefix}app`, 2, { parallel: 2 });
    const others = await sb.otherSessionIds();
    expect(others).toEqual(expect.arrayContaining(mine));
    const other = await createSandbox({ label: 'kit' });
    try {
      const theirs = await other.openMany(`${other.prefix}app`, 1);
      expect(await sb.otherSessionIds()).not.toContain(theirs[0]);
    } finally {
      await other.drop();
    }
  });

  it('drop() ends the sessions still running and removes exactly its accounts and databases', async () => {
    const other = await createSandbox({ label: 'kit' });
    const bystander = await other.openMany(`${other.prefix}app`, 1);
    const busy = await sb.open(`${sb.prefix}app`, { sql: 'SELECT SLEEP(300)' });
    const users = sb.users();
    await sb.drop();
    try {
      expect(await eventually(() => other.alive([busy.id]), (ids) => ids.length === 0)).toEqual([]);
      for (const u of users) expect(await userExists(u)).toBe(false);
      for (const db of sb.databases) expect(await databaseExists(db)).toBe(false);
      expect(await other.alive(bystander)).toEqual(bystander);
    } finally {
      await other.drop();
    }
  });
});
