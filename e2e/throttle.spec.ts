// Kill, then contain: sessions reach MariaDB through das-local's SQL limit proxy; an operator kills
// the runaway statements in the browser and throttles them, MariaDB refuses the next one at once
// (error 1317) while other statements run, and after "Remove now" the statement runs again.
import type { Connection } from 'mysql2/promise';
import { eventually } from '@quell/test-kit/eventually';
import { openSession, type DbSession } from '@quell/test-kit/mariadb';
import { test, expect } from './support/fixtures.ts';
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

test('an operator kills runaway statements and throttles them; MariaDB refuses them until the throttle is removed', async ({ page, sandbox, login }) => {
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

    // Kill and throttle in one step from the first runaway session: the pattern is DAS's suggestion.
    const [sample, ...rest] = victims as [number, ...number[]];
    await page.getByRole('button', { name: `Throttle similar… to session ${sample}` }).click();
    const dialog = page.getByRole('dialog');
    const pattern = dialog.getByLabel('Pattern (keywords separated by ~, the type first)');
    await expect(pattern).toHaveValue(/runaway_jobs/i);
    await expect(dialog.getByTestId('throttle-live-count')).toContainText('Matches 3 running sessions');
    await dialog.getByLabel('At most running at once (0 refuses all)').fill('0');
    await dialog.getByLabel('Reason').fill('e2e: runaway export keeps coming back');
    await dialog.getByRole('button', { name: `Kill session ${sample} and throttle` }).click();
    await expect(dialog).toContainText('Killed 1 session.');
    await expect(dialog.getByRole('status')).toContainText('Throttled until');
    const throttledPattern = (await dialog.getByRole('status').locator('code').textContent())!;
    await dialog.getByRole('button', { name: 'Close' }).click();

    // The rest of the runaway sessions by filter.
    expect(await eventually(() => sandbox.alive([sample]), (alive) => alive.length === 0)).toEqual([]);
    await page.getByRole('button', { name: 'List sessions' }).click();
    await expect(page.getByRole('checkbox', { name: `Select session ${sample}` })).toHaveCount(0);
    await page.getByRole('button', { name: /select all/i }).click();
    await page.getByRole('button', { name: 'Kill 2 sessions…' }).click();
    for (const id of rest) await expect(page.getByRole('dialog').getByText(String(id), { exact: true })).toBeVisible();
    await page.getByRole('dialog').getByLabel('Reason').fill('e2e: the other runaway exports');
    await page.getByRole('dialog').getByRole('button', { name: 'Kill 2 sessions' }).click();
    await expect(page.getByRole('region', { name: 'Kill result' })).toContainText('2 killed');
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
    expect(othersBefore.filter((id) => !othersAfter.includes(id))).toEqual([]);
  } finally {
    for (const s of opened) s.conn.destroy();
  }
});
