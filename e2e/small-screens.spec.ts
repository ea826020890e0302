// The main operator flow (sign in, list one user's sessions, preview, kill) on a phone and on a laptop:
// nothing scrolls the whole page sideways, the kill button is on screen, the axe scan stays clean.
import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { eventually } from '@quell/test-kit/eventually';
import { test, expect, expectNoSeriousA11yViolations } from './support/fixtures.ts';
import { E2E_INSTANCE } from './support/accounts.ts';

const SCREENSHOTS = 'docs/screenshots';
const SIZES = [
  { name: 'phone', width: 390, height: 844, screenshots: true },
  { name: 'laptop', width: 1280, height: 720, screenshots: false },
] as const;


async function expectNoPageOverflow(page: Page, screen: string) {
  // a string: the e2e code is compiled without the DOM's types
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
  expect(scrollWidth, `${screen}: the page scrolls sideways`).toBeLessThanOrEqual(innerWidth);
}

/** The header stays one line high at every width. */
async function expectOneLineHeader(page: Page, screen: string) {
  const box = await page.getByRole('banner').boundingBox();
  expect(box, `${screen}: header`).not.toBeNull();
  expect(box!.height, `${screen}: the header wraps`).toBeLessThan(64);
}

for (const size of SIZES) {
  test.describe(`at ${size.width}×${size.height}`, () => {
    test.use({ viewport: { width: size.width, height: size.height } });

    test(`list, preview and kill one user's sessions (${size.name})`, async ({ page, sandbox, login }) => {
      const user = `${sandbox.prefix}${size.name}`;
      const victims = await sandbox.openMany(user, 2, { sql: 'SELECT SLEEP(300) /* stuck report */' });
      const bystanders = await sandbox.openMany(`${sandbox.prefix}by`, 2);

      await login('operator');
      await page.goto(`/instances/${E2E_INSTANCE.id}/sessions?${new URLSearchParams({ user }).toString()}`);
      for (const id of victims) await expect(page.getByRole('checkbox', { name: `Select session ${id}` })).toBeVisible();
      // id, user, time and SQL are on screen; the table fits its box instead of scrolling sideways
      const table = page.getByRole('table', { name: 'Sessions' });
      for (const header of ['ID', 'User', 'Time', 'SQL']) await expect(table.getByRole('button', { name: header, exact: true })).toBeInViewport();
      await expect(table.getByText('SLEEP(300)').first()).toBeVisible();
      const scroll = await page.getByTestId('sessions-scroll').evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
      expect(scroll.scrollWidth).toBeLessThanOrEqual(scroll.clientWidth);
      await expectOneLineHeader(page, `${size.name} sessions`);
      await expectNoPageOverflow(page, `${size.name} sessions`);

      await page.getByRole('button', { name: /select all/i }).click();
      const open = page.getByRole('button', { name: 'Kill 2 sessions…' });
      await expect(open).toBeInViewport();
      if (size.screenshots) {
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: `${SCREENSHOTS}/phone-sessions.png` });
      }
      await expectNoSeriousA11yViolations(page, `${size.name} sessions`);

      await open.click();
      const dialog = page.getByRole('dialog');
      const targets = dialog.getByRole('table', { name: 'Sessions that will be killed' });
      for (const id of victims) await expect(targets.getByText(String(id), { exact: true })).toBeVisible();
      await dialog.getByLabel('Reason').fill('INC-e2e: stuck report');
      const commit = dialog.getByRole('button', { name: 'Kill 2 sessions', exact: true });
      await expect(commit).toBeEnabled();
      await expect(commit).toBeInViewport();
      await expectNoPageOverflow(page, `${size.name} preview`);
      if (size.screenshots) await page.screenshot({ path: `${SCREENSHOTS}/phone-preview.png` });
      await expectNoSeriousA11yViolations(page, `${size.name} preview`);
      expect(await sandbox.alive(victims)).toHaveLength(victims.length);

      await commit.click();
      const result = page.getByRole('region', { name: 'Kill result' });
      await expect(result).toContainText('2 killed');
      expect(await eventually(() => sandbox.alive(victims), (alive) => alive.length === 0)).toEqual([]);
      expect(await sandbox.alive(bystanders)).toEqual([...bystanders].sort((a, b) => a - b));

      await page.goto('/audit');
      await expect(page.getByRole('table', { name: 'Audit entries' })).toBeVisible();
      await expectOneLineHeader(page, `${size.name} audit`);
      await expectNoPageOverflow(page, `${size.name} audit`);
      await expectNoSeriousA11yViolations(page, `${size.name} audit`);
    });
  });
}
