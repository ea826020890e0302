// Lock chains in the browser: a real row-lock chain on MariaDB shows in the Blockers view as a tree,
// "Kill root…" kills the holder through the usual preview, and the waiters' statements then run.
// And the kill preview warns when a target's open transaction would roll back modified rows.
import { eventually } from '@quell/test-kit/eventually';
import type { DbSession } from '@quell/test-kit/mariadb';
import { test, expect } from './support/fixtures.ts';
import { E2E_DAS_DB_USER, E2E_INSTANCE } from './support/accounts.ts';

async function lockingSession(open: () => Promise<DbSession>): Promise<DbSession> {
  const s = await open();
  await s.conn.query('SET SESSION innodb_lock_wait_timeout = 80');
  return s;
}

test('the Blockers view shows a row-lock chain as a tree; killing the root lets the waiters run', async ({ page, sandbox, login }) => {
  const user = `${sandbox.prefix}lk`;
  await sandbox.admin.query(`CREATE TABLE \`${sandbox.database}\`.stock (id INT PRIMARY KEY, qty INT NOT NULL) ENGINE=InnoDB`);
  await sandbox.admin.query(`INSERT INTO \`${sandbox.database}\`.stock VALUES (1, 10), (2, 10)`);
  const open = () => lockingSession(() => sandbox.open(user));
  const holder = await open();
  await holder.conn.query('BEGIN');
  await holder.conn.query('UPDATE stock SET qty = qty - 1 WHERE id = 1');
  const waiters = [await open(), await open()];
  const ran = waiters.map((w) => w.conn.query('UPDATE stock SET qty = qty - 1 WHERE id = 1').then(() => 'ran', (e: unknown) => String(e)));
  const bystander = await open();
  const othersBefore = (await sandbox.otherSessionIds([E2E_DAS_DB_USER])).filter((id) => ![holder.id, bystander.id, ...waiters.map((w) => w.id)].includes(id));

  await login('operator');
  await page.goto(`/instances/${E2E_INSTANCE.id}/blockers?session=${holder.id}`);
  const tree = page.getByRole('tree', { name: `Chain of session ${holder.id}` });
  await expect(tree).toBeVisible();
  for (const w of waiters) await expect(tree.getByRole('treeitem', { name: `Session ${w.id}` })).toContainText('row lock');
  await expect(tree.getByRole('treeitem', { name: `Session ${holder.id}` }).first()).toContainText('blocks 2');
  await expect(tree).toContainText(`${sandbox.database}.stock (PRIMARY)`);

  await tree.getByRole('button', { name: 'Kill root…' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('table', { name: 'Sessions that will be killed' })).toContainText(String(holder.id));
  await dialog.getByLabel('Reason').fill('e2e: root blocker of a row-lock chain');
  await dialog.getByRole('button', { name: 'Kill 1 session' }).click();
  await expect(page.getByRole('region', { name: 'Kill result' })).toContainText('1 killed');

  // The waiters' UPDATEs complete, one after the other; nobody else died.
  expect(await Promise.all(ran)).toEqual(['ran', 'ran']);
  expect(await eventually(() => sandbox.alive([holder.id]), (a) => a.length === 0)).toEqual([]);
  const survivors = [bystander.id, ...waiters.map((w) => w.id)].sort((a, b) => a - b);
  expect(await sandbox.alive(survivors)).toEqual(survivors);
  const othersAfter = await sandbox.otherSessionIds([E2E_DAS_DB_USER]);
  expect(othersBefore.filter((id) => !othersAfter.includes(id))).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('tree', { name: `Chain of session ${holder.id}` })).toHaveCount(0);
});

test('the kill preview warns that an open transaction with modified rows will roll back', async ({ page, sandbox, login }) => {
  const user = `${sandbox.prefix}rb`;
  await sandbox.admin.query(`CREATE TABLE \`${sandbox.database}\`.ledger (id INT PRIMARY KEY, amount INT NOT NULL) ENGINE=InnoDB`);
  await sandbox.admin.query(`INSERT INTO \`${sandbox.database}\`.ledger VALUES (1, 0), (2, 0), (3, 0)`);
  const writer = await sandbox.open(user);
  await writer.conn.query('BEGIN');
  await writer.conn.query('UPDATE ledger SET amount = amount + 5');
  // Transaction ages are whole seconds: a transaction younger than one second is not looked up.
  await new Promise((r) => setTimeout(r, 1200));

  await login('operator');
  await page.goto(`/instances/${E2E_INSTANCE.id}/sessions?user=${encodeURIComponent(user)}`);
  await page.getByRole('checkbox', { name: `Select session ${writer.id}` }).check();
  await page.getByRole('button', { name: 'Kill 1 session…' }).click();
  const warning = page.getByRole('dialog').getByRole('alert', { name: 'Rollback warning' });
  await expect(warning).toContainText(`Session ${writer.id}: 3 rows modified, transaction open`);
  await expect(warning).toContainText('the kill rolls it back, which can take a while');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  expect(await sandbox.alive([writer.id])).toEqual([writer.id]);
});
