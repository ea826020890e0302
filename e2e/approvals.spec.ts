// The two-person rule in two browsers against the real stack: on a production instance a broad kill or
// a kill above the cap waits for a second engineer; what dies is checked in MariaDB.
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { APIRequestContext, Page } from '@playwright/test';
import { routes, pathOf } from '@quell/contracts/routes';
import { eventually } from '@quell/test-kit/eventually';
import { test, expect, signIn } from './support/fixtures.ts';
import { E2E_BRIEF_INSTANCE, E2E_PROD_INSTANCE } from './support/accounts.ts';

const SCREENSHOTS = 'docs/screenshots';
const sessionsUrl = (instanceId: string, query: Record<string, string>) => `/instances/${instanceId}/sessions?${new URLSearchParams(query).toString()}`;

async function expectNoSeriousA11yViolations(page: Page, screen: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${screen}: ${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** Approves through the API as the signed-in user of `request` (its cookies), the way a script would. */
async function approveByApi(request: APIRequestContext, approvalId: string, body: Record<string, unknown> = {}) {
  const me = await request.get(pathOf(routes.me));
  const csrf = ((await me.json()) as { csrfToken: string }).csrfToken;
  const res = await request.post(pathOf(routes.approve, { approvalId }), { headers: { 'X-CSRF-Token': csrf, 'Idempotency-Key': `e2e-${Date.now()}-${Math.random().toString(36).slice(2)}` }, data: body });
  return { status: res.status(), body: (await res.json()) as { error?: { code: string; message: string } } };
}

/** The approval id in the link the kill dialog shows. */
async function requestedApprovalId(page: Page): Promise<string> {
  const panel = page.getByTestId('approval-requested');
  await expect(panel).toContainText('Approval requested — waiting for a second engineer');
  const href = await panel.getByRole('link', { name: 'Open the approval request' }).getAttribute('href');
  return decodeURIComponent(href!.split('/').pop()!);
}

test('an admin asks for a broad kill on prod, an operator approves it in another browser, and the sessions die', async ({ page, browser, sandbox, login }) => {
  const user = `${sandbox.prefix}pr`;
  const victims = await sandbox.openMany(user, 3, { sql: 'SELECT SLEEP(300) /* runaway export */' });
  const bystanders = await sandbox.openMany(`${sandbox.prefix}pb`, 2);

  // Operator A (an admin: broad mode is theirs) asks.
  await login('admin');
  await page.goto(sessionsUrl(E2E_PROD_INSTANCE.id, { user }));
  for (const id of victims) await expect(page.getByRole('checkbox', { name: `Select session ${id}` })).toBeVisible();
  await page.getByRole('button', { name: 'Broad kill (admin)…' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Two-person rule');
  await dialog.getByLabel('Reason').fill('e2e: runaway export on prod');
  await dialog.getByLabel('Type the instance name to confirm').fill(E2E_PROD_INSTANCE.name);
  await dialog.getByRole('button', { name: 'Kill every matching session, unverified' }).click();
  const approvalId = await requestedApprovalId(page);
  expect(await sandbox.alive(victims)).toEqual([...victims].sort((a, b) => a - b));

  // A's own request: no plain approval, only break-glass with a reason.
  await page.getByRole('link', { name: 'Open the approval request' }).click();
  await expect(page.getByTestId('approval-status')).toContainText('Waiting for a second engineer');
  await expect(page.getByRole('button', { name: /^Approve and kill/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Break-glass: approve my own request/ })).toBeDisabled();
  const own = await approveByApi(page.request, approvalId);
  expect(own.status).toBe(403);
  expect(own.body.error?.message).toContain('you asked for this kill');

  // Operator B, in a browser of their own, sees the badge and reviews exactly the frozen sessions.
  const other = await browser.newContext();
  try {
    const b = await other.newPage();
    await signIn(b, 'operator');
    const badge = b.getByRole('link', { name: /^Approvals \d+ pending$/ });
    await expect(badge).toBeVisible({ timeout: 20_000 });
    await badge.click();
    await expectNoSeriousA11yViolations(b, 'approvals');
    await b.getByRole('list', { name: 'Pending approval requests' }).getByRole('link', { name: new RegExp(`Broad kill of user ${user}`) }).click();
    const frozen = b.getByTestId('frozen-targets');
    for (const id of victims) await expect(frozen.getByRole('cell', { name: String(id), exact: true })).toBeVisible();
    await expect(b.getByTestId('approval-reason')).toHaveText('e2e: runaway export on prod');
    await expect(b.getByText('Asked by', { exact: true })).toBeVisible();
    await expect(b.getByTestId('approval-status')).toContainText(/expires in \d+:\d\d/);
    await expectNoSeriousA11yViolations(b, 'approval review');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await b.getByLabel('Comment', { exact: true }).fill('checked: only the export sessions');
    await b.screenshot({ path: `${SCREENSHOTS}/approval-review.png`, fullPage: true });
    // Keyboard only: the approve button is reached and pressed without the mouse.
    await b.getByRole('button', { name: 'Approve and kill 3 sessions' }).focus();
    await b.keyboard.press('Enter');
    await expect(b.getByTestId('kill-summary')).toContainText('3 killed');
    expect(await eventually(() => sandbox.alive(victims), (alive) => alive.length === 0)).toEqual([]);
    expect(await sandbox.alive(bystanders)).toEqual([...bystanders].sort((a, b2) => a - b2));

    // The audit trail says who asked and who approved.
    await b.goto('/audit');
    await expect(b.getByTestId('audit-approval').first()).toContainText(`asked by e2e-admin`);
    await expect(b.getByTestId('audit-approval').first()).toContainText('approved by e2e-operator');
  } finally {
    await other.close();
  }
});

test('an operator above the cap on prod cannot approve their own request, and may withdraw it; nothing dies', async ({ page, sandbox, login }) => {
  const user = `${sandbox.prefix}po`;
  const sessions = await sandbox.openMany(user, 3, { sql: 'SELECT SLEEP(300)' });
  await login('operator');
  await page.goto(sessionsUrl(E2E_PROD_INSTANCE.id, { user }));
  await page.getByRole('button', { name: /select all/i }).click();
  await page.getByRole('button', { name: 'Kill 3 sessions…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Reason').fill('e2e: three on prod');
  await dialog.getByLabel('Type the instance name to confirm').fill(E2E_PROD_INSTANCE.name);
  await dialog.getByRole('button', { name: 'Kill 3 sessions' }).click();
  const approvalId = await requestedApprovalId(page);
  await dialog.getByRole('link', { name: 'Open the approval request' }).click();
  await expect(page.getByTestId('own-request')).toContainText('another operator or admin must approve it');
  await expect(page.getByRole('button', { name: /approve/i })).toHaveCount(0);
  const own = await approveByApi(page.request, approvalId, { breakGlass: true, comment: 'let me through' });
  expect(own.status).toBe(403);
  expect(own.body.error?.message).toBe('you asked for this kill: another operator or admin must approve it');

  await page.getByLabel('Comment', { exact: true }).fill('not needed any more');
  await page.getByRole('button', { name: 'Withdraw (deny)' }).click();
  await expect(page.getByTestId('approval-status')).toContainText('Denied by e2e-operator');
  expect(await sandbox.alive(sessions)).toEqual([...sessions].sort((a, b) => a - b));
});

test('a request nobody approves in time expires and kills nothing', async ({ page, browser, sandbox, login }) => {
  const user = `${sandbox.prefix}px`;
  const sessions = await sandbox.openMany(user, 2, { sql: 'SELECT SLEEP(300)' });
  await login('admin');
  await page.goto(sessionsUrl(E2E_BRIEF_INSTANCE.id, { user }));
  for (const id of sessions) await expect(page.getByRole('checkbox', { name: `Select session ${id}` })).toBeVisible();
  await page.getByRole('button', { name: 'Broad kill (admin)…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Reason').fill('e2e: nobody answers');
  await dialog.getByLabel('Type the instance name to confirm').fill(E2E_BRIEF_INSTANCE.name);
  await dialog.getByRole('button', { name: 'Kill every matching session, unverified' }).click();
  const approvalId = await requestedApprovalId(page);

  const other = await browser.newContext();
  try {
    const b = await other.newPage();
    await signIn(b, 'operator');
    await b.goto(`/approvals/${approvalId}`);
    // The request expires 5 s after it was made; the screen follows it.
    await expect(b.getByTestId('approval-status')).toContainText('nothing was killed', { timeout: 20_000 });
    await expect(b.getByRole('button', { name: /approve/i })).toHaveCount(0);
    const late = await approveByApi(b.request, approvalId);
    expect(late.status).toBe(410);
    expect(late.body.error?.code).toBe('APPROVAL_EXPIRED');
    await b.goto('/approvals');
    await expect(b.getByRole('heading', { name: 'Approval requests' })).toBeVisible();
    await expect(b.getByRole('link', { name: new RegExp(`user ${user}`) })).toHaveCount(0);
  } finally {
    await other.close();
  }
  expect(await sandbox.alive(sessions)).toEqual([...sessions].sort((a, b) => a - b));
});
