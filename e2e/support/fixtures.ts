import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { createSandbox, type Sandbox } from '@quell/test-kit/sandbox';
import { accounts } from './accounts.ts';

type Role = keyof typeof accounts;

export const test = base.extend<{ sandbox: Sandbox; login: (role: Role) => Promise<void> }>({
  sandbox: async ({}, use, testInfo) => {
    // Each test's own MariaDB accounts and database, created and dropped by it.
    const sandbox = await createSandbox({ label: `e2e${testInfo.workerIndex}` });
    await use(sandbox);
    await sandbox.drop();
  },
  login: async ({ page }, use) => {
    await use(async (role: Role) => signIn(page, role));
  },
});

export async function signIn(page: Page, role: Role): Promise<void> {
  const account = accounts[role];
  await page.goto('/login');
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText(account.username).first()).toBeVisible();
}

/** An axe scan of what the page shows now: no serious or critical violation, each named with the screen. */
export async function expectNoSeriousA11yViolations(page: Page, screen: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${screen}: ${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

export { expect };
