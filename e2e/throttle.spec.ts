// Kill, then contain: sessions reach MariaDB through das-local's SQL limit proxy; an operator kills
// every runaway statement of a filter in the browser and throttles them in one confirmation, MariaDB
// refuses the next one at once (error 1317) while other statements run, and after "Remove now" the
// statement runs again.
import type { Connection } from 'mysql2/promise';
import { eventually } from '@quell/test-kit/eventually';
import { openSession, type DbSession } from '@quell/test-kit/mariadb';
import { test, expect, expectNoSeriousA11yViolations } from './support/fixtures.ts';
import { E2E_DAS_DB_USER, E2E_INSTANCE, E2E_SQL_PROXY } from './support/accounts.ts';

const ER_QUERY_INTERRUPTED = 1317;


/** Runs `sql`: 'ok', or the MariaDB error number, and how long the answer took. */
async function attempt(conn: Connection, sql: string): Promise<{ outcome: 'ok' | number; ms: number }> {
  const started = Date.now();
  try {
    await conn.query(sql);
    return { outcome: 'ok', ms: Date.now() - started };
  } catch (err) {
    const errno = typeof err === 'object' && err !== null && 'errno' in err ? Number(err.errno) : -1;
    return { outcome: errno, ms: Date.now() - started };
  }
}

test('kills a runaway query by filter and throttles it in one step; MariaDB refuses the new ones until the throttle is removed, then they run again', async ({ page, sandbox, login }) => {
  test.setTimeout(120_000);
  const db = sandbox.database;
  await sandbox.admin.query(`CREATE TABLE \`${db}\`.runaway_jobs (id INT PRIMARY KEY) ENGINE=InnoDB`);
  await sandbox.admin.query(`INSERT INTO \`${db}\`.runaway_jobs VALUES (1), (2)`);
  await sandbox.admin.query(`CREATE TABLE \`${db}\`.ledger (id INT PRIMARY KEY) ENGINE=InnoDB`);
  await sandbox.admin.query(`INSERT INTO \`${db}\`.ledger VALUES (1)`);
  const runaway = 'SELECT SLEEP(600) FROM runaway_jobs LIMIT 1 /* runaway export */';

  const victimUser = `${sandbox.prefix}a`;
  const bystanderUser = `${sandbox.prefix}b`;
  const victimLogin = await sandbox.account(victimUser);
  const bystanderLogin = await sandbox.account(bystanderUser);
  const target = { ...sandbox.target, host: E2E_SQL_PROXY.host, port: E2E_SQL_PROXY.port };
  const opened: DbSession[] = [];
  const viaProxy = async (login: typeof victimLogin, sql?: string) => {
    const s = await openSession(login, { target, database: db, ...(sql ? { sql } : {}) });
    opened.push(s);
    return s;
  };
  try {
    const victims = [] as number[];
    for (let i = 0; i < 3; i++) victims.push((await viaProxy(victimLogin, runaway)).id);
    // The bystander's busy statement reads another table: the throttle does not match it.
    const bystanders = [(await viaProxy(bystanderLogin, 'SELECT SLEEP(600) FROM ledger LIMIT 1')).id, (await viaProxy(bystanderLogin)).id];
    const mine = [...victims, ...bystanders];
    const othersBefore = (await sandbox.otherSessionIds([E2E_DAS_DB_USER])).filter((id) => !mine.includes(id));
    // what each of them was, so a session that vanishes is named in the failure
    const [seenRows] = await sandbox.admin.query('SELECT ID, USER, HOST, COMMAND, INFO FROM information_schema.PROCESSLIST WHERE ID IN (?)', [othersBefore.length > 0 ? othersBefore : [0]]);
    const seen = new Map((seenRows as Array<{ ID: number; USER: string; HOST: string; COMMAND: string; INFO: string | null }>).map((r) => [Number(r.ID), `${r.ID} ${r.USER}@${r.HOST} ${r.COMMAND} ${(r.INFO ?? '').slice(0, 80)}`]));
    // The runaway statements really run (through the proxy) before anyone looks at them.
    await eventually(
      async () => {
        const [rows] = await sandbox.admin.query('SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO LIKE ?', [victimUser, '%runaway_jobs%']);
        return (rows as Array<{ ID: number }>).length;
      },
      (n) => n === 3,
      10_000,
    );

    await login('operator');
    await page.getByRole('link', { name: new RegExp(E2E_INSTANCE.name) }).first().click();
    await page.getByLabel('User', { exact: true }).fill(victimUser);
    await page.getByRole('button', { name: 'List sessions' }).click();
    for (const id of victims) await expect(page.getByRole('checkbox', { name: `Select session ${id}` })).toBeVisible();

    // From the listing's group chip (the user filtered on): the pattern is DAS's suggestion for the group's statement.
    await page.getByRole('button', { name: `Throttle similar… to the statements of user ${victimUser}` }).click();
    const dialog = page.getByRole('dialog');
    const pattern = dialog.getByLabel('Pattern (keywords separated by ~, the type first)');
    await expect(pattern).toHaveValue(/runaway_jobs/i);
    await expect(dialog.getByTestId('throttle-live-count')).toContainText('Matches 3 running sessions');
    await dialog.getByLabel('At most running at once (0 refuses all)').fill('0');
    await dialog.getByLabel('Reason').fill('e2e: runaway export keeps coming back');
    await expectNoSeriousA11yViolations(page, 'throttle dialog');
    await dialog.getByRole('button', { name: 'Kill 3 sessions and throttle…' }).click();

    // One confirmation: the kill preview of every matching session, and the throttle it also creates.
    await expect(dialog).toContainText('3 sessions will be killed');
    for (const id of victims) await expect(dialog.getByText(String(id), { exact: true })).toBeVisible();
    await expect(dialog.getByRole('region', { name: 'Then throttled' })).toContainText('every one refused with MySQL error 1317');
    await expect(dialog.getByLabel('Reason')).toHaveValue('e2e: runaway export keeps coming back');
    await expectNoSeriousA11yViolations(page, 'kill and throttle preview');
    await dialog.getByRole('button', { name: 'Kill 3 sessions and throttle' }).click();
    await expect(page.getByRole('region', { name: 'Kill result' })).toContainText('3 killed');
    const outcome = dialog.getByText(/Throttled until/);
    await expect(outcome).toBeVisible();
    const throttledPattern = (await outcome.locator('code').textContent())!;
    await expectNoSeriousA11yViolations(page, 'kill and throttle result');
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Every runaway session is gone in MariaDB, and only those.
    expect(await eventually(() => sandbox.alive(victims), (alive) => alive.length === 0)).toEqual([]);
    expect(await sandbox.alive(bystanders)).toEqual([...bystanders].sort((a, b) => a - b));

    // In MariaDB, through the proxy (a new session of the same user): a new runaway statement is refused at once, other statements run.
    const probe = await viaProxy(victimLogin);
    const refused = await eventually(() => attempt(probe.conn, 'SELECT SLEEP(0) FROM runaway_jobs LIMIT 1'), (r) => r.outcome === ER_QUERY_INTERRUPTED, 10_000);
    expect(refused.outcome).toBe(ER_QUERY_INTERRUPTED);
    const again = await attempt(probe.conn, 'SELECT SLEEP(30) FROM runaway_jobs LIMIT 1 /* runaway export */');
    expect(again.outcome).toBe(ER_QUERY_INTERRUPTED);
    expect(again.ms).toBeLessThan(2_000);
    expect((await attempt(probe.conn, 'SELECT COUNT(*) FROM ledger')).outcome).toBe('ok');
    expect(await sandbox.alive([probe.id])).toEqual([probe.id]);

    // Remove it in the Throttles panel: the statement runs again.
    await page.keyboard.press('Escape');
    await page.getByRole('link', { name: 'Throttles', exact: true }).first().click();
    await page.getByRole('button', { name: `Remove throttle ${throttledPattern} now` }).click();
    await expect(page.getByRole('button', { name: `Remove throttle ${throttledPattern} now` })).toHaveCount(0);
    const admitted = await eventually(() => attempt(probe.conn, 'SELECT SLEEP(0) FROM runaway_jobs LIMIT 1'), (r) => r.outcome === 'ok', 10_000);
    expect(admitted.outcome).toBe('ok');
    const runs = await attempt(probe.conn, 'SELECT SLEEP(1) FROM runaway_jobs LIMIT 1 /* runaway export */');
    expect(runs.outcome).toBe('ok');
    expect(runs.ms).toBeGreaterThanOrEqual(900);

    // Every other session survived: the bystanders, the probe, and everyone else's.
    expect(await sandbox.alive([...bystanders, probe.id])).toEqual([...bystanders, probe.id].sort((a, b) => a - b));
    const othersAfter = await sandbox.otherSessionIds([E2E_DAS_DB_USER]);
    expect(othersBefore.filter((id) => !othersAfter.includes(id)).map((id) => seen.get(id) ?? String(id))).toEqual([]);
  } finally {
    for (const s of opened) s.conn.destroy();
  }
});
