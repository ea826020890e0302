// The operator's flows in a real browser against the real stack, checked where it matters: in MariaDB.
import { mkdirSync } from 'node:fs';
import { eventually } from '@quell/test-kit/eventually';
import { test, expect, expectNoSeriousA11yViolations, signIn } from './support/fixtures.ts';
import { E2E_INSTANCE, E2E_PROTECTED_USER, accounts } from './support/accounts.ts';

const sessionsUrl = (query: Record<string, string>) => `/instances/${E2E_INSTANCE.id}/sessions?${new URLSearchParams(query).toString()}`;
const SCREENSHOTS = 'docs/screenshots';


test('above the blast-radius cap the operator must type the instance name; screenshots of the flow', async ({ page, sandbox, login }) => {
  const user = `${sandbox.prefix}cap`;
  const busy = await sandbox.openMany(user, 3, { sql: 'SELECT SLEEP(300) /* nightly export */' });
  const idle = await sandbox.openMany(user, 4);
  const all = [...busy, ...idle];
  const bystanders = await sandbox.openMany(`${sandbox.prefix}by`, 2);

  await login('operator');
  await page.goto(sessionsUrl({ user }));
  for (const id of all) await expect(page.getByRole('checkbox', { name: `Select session ${id}` })).toBeVisible();
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.getByRole('button', { name: /select all/i }).click();
  await page.screenshot({ path: `${SCREENSHOTS}/sessions.png` });

  await page.getByRole('button', { name: `Kill ${all.length} sessions…` }).click();
  const dialog = page.getByRole('dialog');
  const commit = dialog.getByRole('button', { name: `Kill ${all.length} sessions` });
  await dialog.getByLabel('Reason').fill('INC-e2e: runaway export');
  // Above the cap (5) a reason is not enough: the instance name must be typed, exactly.
  await expect(commit).toBeDisabled();
  const typed = dialog.getByLabel('Type the instance name to confirm');
  await typed.fill('e2e-loca');
  await expect(commit).toBeDisabled();
  await typed.fill(E2E_INSTANCE.name);
  // Enter in a text field never commits.
  await typed.press('Enter');
  expect(await sandbox.alive(all)).toHaveLength(all.length);
  await page.screenshot({ path: `${SCREENSHOTS}/preview.png` });
  await expect(commit).toBeEnabled();
  await commit.click();
  const result = page.getByRole('region', { name: 'Kill result' });
  await expect(result).toContainText(`${all.length} killed`);
  for (const id of all) await expect(result.getByRole('status', { name: `Session ${id}: killed` })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/result.png` });

  expect(await eventually(() => sandbox.alive(all), (alive) => alive.length === 0)).toEqual([]);
  expect(await sandbox.alive(bystanders)).toEqual([...bystanders].sort((a, b) => a - b));
});

test('a protected account is shown as excluded, cannot be killed, and its sessions live', async ({ page, sandbox, login }) => {
  const guarded = await sandbox.openMany(E2E_PROTECTED_USER, 2);
  await login('operator');
  await page.goto(sessionsUrl({ user: E2E_PROTECTED_USER }));
  for (const id of guarded) await expect(page.getByRole('checkbox', { name: `Select session ${id}` })).toBeVisible();
  await page.getByRole('button', { name: /select all/i }).click();
  await page.getByRole('button', { name: 'Kill 2 sessions…' }).click();
  const dialog = page.getByRole('dialog');
  const excluded = dialog.getByRole('list', { name: 'Excluded sessions' });
  for (const id of guarded) await expect(excluded.getByText(String(id), { exact: true })).toBeVisible();
  await expect(excluded).toContainText(/protected/i);
  // Nothing is left to kill: no reason to give and no kill button.
  await expect(dialog.getByRole('heading', { name: 'Nothing to kill', exact: true })).toBeVisible();
  await expect(dialog.getByLabel('Reason')).toHaveCount(0);
  await expect(dialog.getByRole('button', { name: /^Kill \d+ sessions?$/ })).toHaveCount(0);
  expect(await sandbox.alive(guarded)).toEqual([...guarded].sort((a, b) => a - b));
});

test('a deep link pasted into a fresh browser opens the same view after sign-in', async ({ browser, page, sandbox, login }) => {
  const user = `${sandbox.prefix}dl`;
  const ids = await sandbox.openMany(user, 3);
  await login('viewer');
  await page.goto(sessionsUrl({ user, sort: 'id.asc' }));
  for (const id of ids) await expect(page.getByRole('checkbox', { name: `Select session ${id}` })).toBeVisible();
  const link = page.url();

  const fresh = await browser.newContext({ baseURL: new URL(link).origin });
  const other = await fresh.newPage();
  await other.goto(link);
  await expect(other).toHaveURL(/\/login/);
  await other.getByLabel('Username').fill(accounts.operator.username);
  await other.getByLabel('Password').fill(accounts.operator.password);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other).toHaveURL(link);
  await expect(other.getByLabel('User', { exact: true })).toHaveValue(user);
  for (const id of ids) await expect(other.getByRole('checkbox', { name: `Select session ${id}` })).toBeVisible();
  await fresh.close();
});

test('an expired login goes back to sign-in, then back to where the operator was', async ({ page, context, sandbox, login }) => {
  const user = `${sandbox.prefix}ex`;
  const ids = await sandbox.openMany(user, 1);
  await login('operator');
  await page.goto(sessionsUrl({ user }));
  await expect(page.getByRole('checkbox', { name: `Select session ${ids[0]}` })).toBeVisible();
  const where = page.url();

  // The server no longer knows this session (what an idle expiry leaves behind).
  const cookies = await context.cookies();
  await context.addCookies(cookies.map((c) => (c.name === 'quell_session' ? { ...c, value: 'expired-session-id' } : c)));
  await page.getByRole('button', { name: /refresh/i }).first().click();
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('Username').fill(accounts.operator.username);
  await page.getByLabel('Password').fill(accounts.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(where);
  await expect(page.getByRole('checkbox', { name: `Select session ${ids[0]}` })).toBeVisible();
});

test('a viewer can preview a kill but is never offered the commit', async ({ page, sandbox, login }) => {
  const user = `${sandbox.prefix}vw`;
  const ids = await sandbox.openMany(user, 2);
  await login('viewer');
  await page.goto(sessionsUrl({ user }));
  await page.getByRole('button', { name: /select all/i }).click();
  await expect(page.getByRole('button', { name: 'Kill 2 sessions…' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Preview what a kill would do…' }).click();
  const dialog = page.getByRole('dialog');
  for (const id of ids) await expect(dialog.getByText(String(id), { exact: true })).toBeVisible();
  await expect(dialog.getByRole('button', { name: /^Kill 2 sessions$/ })).toHaveCount(0);
  expect(await sandbox.alive(ids)).toEqual([...ids].sort((a, b) => a - b));
});

test('the audit page shows the kill with its reason and exports it as CSV', async ({ page, sandbox, login }) => {
  const user = `${sandbox.prefix}au`;
  const ids = await sandbox.openMany(user, 1);
  const reason = `INC-${sandbox.prefix} audit trail check`;
  await login('operator');
  await page.goto(sessionsUrl({ user }));
  await page.getByRole('checkbox', { name: `Select session ${ids[0]}` }).check();
  await page.getByRole('button', { name: 'Kill 1 session…' }).click();
  await page.getByRole('dialog').getByLabel('Reason').fill(reason);
  await page.getByRole('dialog').getByRole('button', { name: 'Kill 1 session' }).click();
  await expect(page.getByRole('region', { name: 'Kill result' })).toContainText('1 killed');
  await page.keyboard.press('Escape');

  await page.getByRole('link', { name: 'Audit' }).click();
  await page.getByLabel('Operator').fill(accounts.operator.username);
  await page.getByLabel('Operator').blur();
  const entries = page.getByRole('table', { name: 'Audit entries' }).or(page.getByLabel('Audit entries'));
  await expect(entries).toContainText(reason);
  await expectNoSeriousA11yViolations(page, 'audit');

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const file = await (await download).path();
  const { readFileSync } = await import('node:fs');
  const csv = readFileSync(file, 'utf8');
  expect(csv).toContain(reason);
  expect(csv).toContain(String(ids[0]));
});

test('an admin registers and removes a DAS database user', async ({ page, sandbox, login }) => {
  const dbUser = `${sandbox.prefix}reg`;
  const { password } = await sandbox.account(dbUser, { process: true });
  await login('admin');
  await page.goto(`/admin?instance=${E2E_INSTANCE.id}`);
  const table = page.getByRole('table', { name: 'Database users' });
  await expect(table).toBeVisible();
  await page.getByLabel('Database username').fill(dbUser);
  await page.getByLabel('Database password').fill(password);
  await page.getByRole('button', { name: 'Register', exact: true }).click();
  await expect(table).toContainText(dbUser);
  await expectNoSeriousA11yViolations(page, 'admin');
  await page.getByRole('button', { name: `Remove ${dbUser}` }).click();
  await page.getByLabel(`Type the instance name to remove ${dbUser}`).fill(E2E_INSTANCE.name);
  await page.getByRole('button', { name: `Confirm removing ${dbUser}` }).click();
  await expect(table).not.toContainText(dbUser);
});

test('an admin blind kill says plainly it could not be verified, and kills only those ids', async ({ page, sandbox, login }) => {
  const user = `${sandbox.prefix}bl`;
  const [victim, ...spared] = (await sandbox.openMany(user, 3)) as [number, ...number[]];
  await login('admin');
  await page.goto(sessionsUrl({ user }));
  await page.getByRole('button', { name: 'Kill by pasted IDs…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Session IDs').fill(String(victim));
  await dialog.getByLabel(/Blind mode/).check();
  await dialog.getByLabel('Reason').fill('e2e: blind id from an alert');
  await dialog.getByRole('button', { name: /unverified$/ }).click();
  await expect(page.getByText(/Not verified/)).toBeVisible();
  expect(await eventually(() => sandbox.alive([victim]), (alive) => alive.length === 0)).toEqual([]);
  expect(await sandbox.alive(spared)).toEqual([...spared].sort((a, b) => a - b));
});

test('keyboard: / focuses the filter, x toggles the focused row, k opens the preview', async ({ page, sandbox, login }) => {
  const user = `${sandbox.prefix}kb`;
  const ids = await sandbox.openMany(user, 2);
  await login('operator');
  await page.goto(sessionsUrl({ user }));
  await expect(page.getByRole('checkbox', { name: `Select session ${ids[0]}` })).toBeVisible();
  await page.locator('body').click({ position: { x: 5, y: 400 } });
  await page.keyboard.press('/');
  await expect(page.getByLabel('User', { exact: true })).toBeFocused();
  await page.getByRole('checkbox', { name: `Select session ${ids[0]}` }).focus();
  await page.keyboard.press('x');
  await expect(page.getByRole('checkbox', { name: `Select session ${ids[0]}` })).toBeChecked();
  await page.keyboard.press('k');
  await expect(page.getByRole('dialog')).toBeVisible();
  await expect(page.getByRole('dialog')).toContainText(String(ids[0]));
  expect(await sandbox.alive(ids)).toHaveLength(2);
});

test('every screen passes an accessibility scan with no serious or critical violations', async ({ page, sandbox }) => {
  const user = `${sandbox.prefix}ax`;
  await sandbox.openMany(user, 2, { sql: 'SELECT SLEEP(120)' });
  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'login');
  await signIn(page, 'operator');
  await expectNoSeriousA11yViolations(page, 'instances');
  await page.goto(sessionsUrl({}));
  await expect(page.getByLabel('User', { exact: true })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'sessions (empty)');
  await page.goto(sessionsUrl({ user }));
  await page.getByRole('button', { name: /select all/i }).click();
  await expectNoSeriousA11yViolations(page, 'sessions');
  await page.getByRole('button', { name: 'Kill 2 sessions…' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'kill preview');
  await page.getByRole('dialog').getByLabel('Reason').fill('e2e: accessibility scan');
  await page.getByRole('dialog').getByRole('button', { name: 'Kill 2 sessions' }).click();
  await expect(page.getByRole('region', { name: 'Kill result' })).toContainText('2 killed');
  await expectNoSeriousA11yViolations(page, 'kill result');
  await page.keyboard.press('Escape');
  await page.goto('/audit');
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'audit');
  await page.goto('/no-such-page');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expectNoSeriousA11yViolations(page, '404');
});

test('an admin broad kill needs the typed instance name, kills every session of the user, and says it is unverified', async ({ page, sandbox, login }) => {
  const user = `${sandbox.prefix}br`;
  const victims = await sandbox.openMany(user, 3);
  const bystanders = await sandbox.openMany(`${sandbox.prefix}bs`, 2);
  await login('admin');
  await page.goto(sessionsUrl({ user }));
  for (const id of victims) await expect(page.getByRole('checkbox', { name: `Select session ${id}` })).toBeVisible();
  await page.getByRole('button', { name: 'Broad kill (admin)…' }).click();
  const dialog = page.getByRole('dialog');
  const commit = dialog.getByRole('button', { name: 'Kill every matching session, unverified' });
  await dialog.getByLabel('Reason').fill('e2e: reconnect storm of one account');
  await expect(commit).toBeDisabled();
  await dialog.getByLabel('Type the instance name to confirm').fill(E2E_INSTANCE.name);
  await commit.click();
  await expect(page.getByText(/Not verified/)).toBeVisible();
  expect(await eventually(() => sandbox.alive(victims), (alive) => alive.length === 0)).toEqual([]);
  expect(await sandbox.alive(bystanders)).toEqual([...bystanders].sort((a, b) => a - b));
});
