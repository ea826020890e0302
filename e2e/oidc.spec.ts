import { pathOf, routes } from '@quell/contracts/routes';
// Sign-in through the identity provider's own login page (the test kit's OpenID provider), roles from
// its groups: an on-call operator kills a real session and finds their IdP name in the audit trail;
// a reader is never offered the commit.
import type { Page } from '@playwright/test';
import { eventually } from '@quell/test-kit/eventually';
import { test, expect } from './support/fixtures.ts';
import { E2E_IDP_NAME, E2E_IDP_PORT, E2E_INSTANCE, idpUsers } from './support/accounts.ts';

const sessionsUrl = (user: string) => `/instances/${E2E_INSTANCE.id}/sessions?${new URLSearchParams({ user }).toString()}`;

async function signInThroughIdp(page: Page, who: keyof typeof idpUsers) {
  const u = idpUsers[who];
  await page.goto('/login');
  await page.getByRole('link', { name: `Sign in with ${E2E_IDP_NAME}` }).click();
  // The provider's own page, on its own origin.
  await expect(page).toHaveURL(new RegExp(`^http://127\\.0\\.0\\.1:${E2E_IDP_PORT}/interaction/`));
  await page.locator('input[name="login"]').fill(u.login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await expect(page.getByTestId('who-am-i')).toHaveText(`${u.name} (${who})`);
}

test('an operator from the on-call group signs in at the IdP, kills a real session, is named in the audit, and signs out', async ({ page, sandbox }) => {
  const user = `${sandbox.prefix}oi`;
  const [target] = await sandbox.openMany(user, 1);
  const bystanders = await sandbox.openMany(`${sandbox.prefix}ob`, 2);
  const reason = `INC-${sandbox.prefix} signed in through the IdP`;

  await signInThroughIdp(page, 'operator');
  await page.goto(sessionsUrl(user));
  await page.getByRole('checkbox', { name: `Select session ${target}` }).check();
  await page.getByRole('button', { name: 'Kill 1 session…' }).click();
  await page.getByRole('dialog').getByLabel('Reason').fill(reason);
  await page.getByRole('dialog').getByRole('button', { name: 'Kill 1 session' }).click();
  await expect(page.getByRole('region', { name: 'Kill result' })).toContainText('1 killed');
  expect(await eventually(() => sandbox.alive([target!]), (alive) => alive.length === 0)).toEqual([]);
  expect(await sandbox.alive(bystanders)).toEqual([...bystanders].sort((a, b) => a - b));
  await page.keyboard.press('Escape');

  await page.getByRole('link', { name: 'Audit' }).click();
  const row = page.getByRole('row').filter({ hasText: reason });
  await expect(row).toContainText(idpUsers.operator.name);
  await expect(row).toContainText(`oidc:${idpUsers.operator.login}`);

  await page.getByRole('button', { name: 'Sign out' }).click();
  // RP-initiated logout: the provider asks, then sends the browser back to Quell's sign-in page.
  await expect(page).toHaveURL(new RegExp(`^http://127\\.0\\.0\\.1:${E2E_IDP_PORT}/`));
  await page.getByRole('button', { name: /yes, sign me out/i }).click();
  await expect(page.getByRole('link', { name: `Sign in with ${E2E_IDP_NAME}` })).toBeVisible();
  expect((await page.request.get(pathOf(routes.me))).status()).toBe(401);
});

test('a viewer from the readers group signs in at the IdP and is never offered the commit', async ({ page, sandbox }) => {
  const user = `${sandbox.prefix}ov`;
  const ids = await sandbox.openMany(user, 2);
  await signInThroughIdp(page, 'viewer');
  await page.goto(sessionsUrl(user));
  await page.getByRole('button', { name: /select all/i }).click();
  await expect(page.getByRole('button', { name: 'Kill 2 sessions…' })).toHaveCount(0);
  // Nor does the API let it: committing needs the operator role.
  const csrf = ((await (await page.request.get(pathOf(routes.me))).json()) as { csrfToken: string }).csrfToken;
  const preview = await page.request.post(pathOf(routes.killPreviews, { instanceId: E2E_INSTANCE.id }), { data: { user, sessionIds: ids }, headers: { 'X-CSRF-Token': csrf } });
  expect(preview.status()).toBe(201);
  const { previewId } = (await preview.json()) as { previewId: string };
  const commit = await page.request.post(pathOf(routes.commitPreview, { previewId: previewId }), {
    data: { reason: 'viewer must be refused' },
    headers: { 'X-CSRF-Token': csrf, 'Idempotency-Key': `k-${sandbox.prefix}-viewer` },
  });
  expect(commit.status()).toBe(403);
  expect(await sandbox.alive(ids)).toEqual([...ids].sort((a, b) => a - b));
});
