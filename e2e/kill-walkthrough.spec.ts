// The walking skeleton, end to end: a kill clicked in the browser kills exactly the real MariaDB
// sessions it named (through BFF → signed DAS call → das-local → KILL CONNECTION) and no others.
import { eventually } from '@quell/test-kit/eventually';
import { test, expect } from './support/fixtures.ts';
import { E2E_DAS_DB_USER, E2E_INSTANCE } from './support/accounts.ts';

test('an operator kills sessions by user filter, then one by id, and only those die', async ({ page, sandbox, login }) => {
  const victimUser = `${sandbox.prefix}a`;
  const bystanderUser = `${sandbox.prefix}b`;
  const victims = await sandbox.openMany(victimUser, 4);
  const bystanders = await sandbox.openMany(bystanderUser, 3);
  const othersBefore = (await sandbox.otherSessionIds([E2E_DAS_DB_USER])).filter((id) => !victims.includes(id) && !bystanders.includes(id));

  await login('operator');
  await page.getByRole('link', { name: new RegExp(E2E_INSTANCE.name) }).first().click();
  await page.getByLabel('User', { exact: true }).fill(victimUser);
  await page.getByRole('button', { name: 'List sessions' }).click();
  for (const id of victims) await expect(page.getByRole('checkbox', { name: `Select session ${id}` })).toBeVisible();
  for (const id of bystanders) await expect(page.getByRole('checkbox', { name: `Select session ${id}` })).toHaveCount(0);

  // Kill by filter: select everything the filter shows, preview, confirm.
  await page.getByRole('button', { name: /select all/i }).click();
  await page.getByRole('button', { name: 'Kill 4 sessions…' }).click();
  const dialog = page.getByRole('dialog');
  for (const id of victims) await expect(dialog.getByText(String(id), { exact: true })).toBeVisible();
  await dialog.getByLabel('Reason').fill('e2e: runaway sessions of the victim user');
  await dialog.getByRole('button', { name: 'Kill 4 sessions' }).click();
  const result = page.getByRole('region', { name: 'Kill result' });
  await expect(result).toContainText('4 killed');

  expect(await eventually(() => sandbox.alive(victims), (alive) => alive.length === 0)).toEqual([]);
  expect(await sandbox.alive(bystanders)).toEqual([...bystanders].sort((a, b) => a - b));
  const othersAfter = await sandbox.otherSessionIds([E2E_DAS_DB_USER]);
  expect(othersBefore.filter((id) => !othersAfter.includes(id))).toEqual([]);

  // Kill one by id: list the bystanders, tick exactly one, kill it.
  await page.keyboard.press('Escape');
  const [target, ...spared] = bystanders as [number, ...number[]];
  await page.getByLabel('User', { exact: true }).fill(bystanderUser);
  await page.getByRole('button', { name: 'List sessions' }).click();
  await page.getByRole('checkbox', { name: `Select session ${target}` }).check();
  await page.getByRole('button', { name: 'Kill 1 session…' }).click();
  await page.getByRole('dialog').getByLabel('Reason').fill('e2e: one stuck session');
  await page.getByRole('dialog').getByRole('button', { name: 'Kill 1 session' }).click();
  await expect(page.getByRole('region', { name: 'Kill result' })).toContainText('1 killed');

  expect(await eventually(() => sandbox.alive([target]), (alive) => alive.length === 0)).toEqual([]);
  expect(await sandbox.alive(spared)).toEqual([...spared].sort((a, b) => a - b));
});

