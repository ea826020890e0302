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
  { name: 'laptop', width: 1280, height: 720, screenshots: true },
] as const;


async function expectNoPageOverflow(page: Page, screen: string) {
  // a string: the e2e code is compiled without the DOM's types
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
  expect(scrollWidth, `${screen}: the page scrolls sideways`).toBeLessThanOrEqual(innerWidth);
}

/**
 * No two visible controls or regions of the page cover each other (one inside another is fine). The
 * table's rows are left to its own scroll box, which is itself checked.
 */
async function expectNothingOverlaps(page: Page, screen: string) {
  // a string: the e2e code is compiled without the DOM's types
  const overlaps = await page.evaluate<string[]>(`(() => {
    const scroller = document.querySelector('[data-testid="sessions-scroll"]');
    const name = (e) => e.tagName.toLowerCase() + (e.getAttribute('aria-label') ? '[' + e.getAttribute('aria-label') + ']' : '') + ' "' + (e.textContent || e.getAttribute('name') || '').trim().slice(0, 30) + '"';
    const boxes = [...document.querySelectorAll('header, form, button, input, select, a, [role=region], [data-testid="sessions-scroll"]')]
      .filter((e) => !(scroller && scroller !== e && scroller.contains(e)))
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ e, r }) => r.width > 2 && r.height > 2 && getComputedStyle(e).visibility !== 'hidden');
    const out = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.e.contains(b.e) || b.e.contains(a.e)) continue;
        const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
        const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        if (w > 1 && h > 1) out.push(name(a.e) + ' covers ' + name(b.e));
      }
    return out;
  })()`);
  expect(overlaps, `${screen}: overlapping`).toEqual([]);
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
      await expectNothingOverlaps(page, `${size.name} sessions`);
      // t jumps into the table; the row holding focus is outlined
      await page.keyboard.press('t');
      await expect(page.locator('tr:focus-within')).toHaveCount(1);
      const outline = await page.evaluate<[string, number]>(`(() => { const st = getComputedStyle(document.querySelector('tr:focus-within')); return [st.outlineStyle, parseFloat(st.outlineWidth)]; })()`);
      expect(outline, `${size.name}: the focused row is outlined`).toEqual(['solid', 2]);
      if (size.screenshots) {
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: `${SCREENSHOTS}/${size.name}-sessions.png` });
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
      if (size.screenshots) await page.screenshot({ path: `${SCREENSHOTS}/${size.name}-preview.png` });
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

    test(`a suggested name lists the sessions holding open transactions (${size.name})`, async ({ page, sandbox, login }) => {
      const user = `${sandbox.prefix}tx`;
      await sandbox.admin.query(`CREATE TABLE \`${sandbox.database}\`.jobs (id INT PRIMARY KEY, state INT NOT NULL) ENGINE=InnoDB`);
      await sandbox.admin.query(`INSERT INTO \`${sandbox.database}\`.jobs VALUES (1, 0), (2, 0), (3, 0)`);
      // three sessions of one user, each in a transaction it never ends: more than any other user here has
      const writers = [];
      for (const id of [1, 2, 3]) {
        const s = await sandbox.open(user);
        await s.conn.query('BEGIN');
        await s.conn.query(`UPDATE jobs SET state = 1 WHERE id = ${id}`);
        writers.push(s.id);
      }

      await login('operator');
      await page.goto(`/instances/${E2E_INSTANCE.id}/sessions`);
      const suggested = page.getByRole('heading', { name: 'Open transactions and recent kills on this instance' }).locator('..');
      const chip = suggested.getByRole('button', { name: `user ${user} — 3 open transactions` });
      await expect(chip).toBeVisible();
      await expect(suggested.getByRole('button', { name: new RegExp(`^database ${sandbox.database} — `) })).toBeVisible();
      // the same name is in the field's own suggestion list, labelled
      const field = page.getByLabel('User', { exact: true });
      const listId = await field.getAttribute('list');
      await expect(page.locator(`datalist[id="${listId}"] option[value="${user}"]`)).toHaveAttribute('label', /3 open transactions/);
      await expectNoPageOverflow(page, `${size.name} suggestions`);
      await expectNothingOverlaps(page, `${size.name} suggestions`);
      await expectNoSeriousA11yViolations(page, `${size.name} suggestions`);

      // keyboard: the suggestion is a button like any other
      await chip.focus();
      await page.keyboard.press('Enter');
      await expect(field).toHaveValue(user);
      for (const id of writers) await expect(page.getByRole('checkbox', { name: `Select session ${id}` })).toBeVisible();
      await expectNoPageOverflow(page, `${size.name} listed by a suggestion`);
      await expectNoSeriousA11yViolations(page, `${size.name} listed by a suggestion`);
      expect(await sandbox.alive(writers)).toEqual([...writers].sort((a, b) => a - b));
    });
  });
}
