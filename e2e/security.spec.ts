// Browser-level security checks in Chromium against the real stack: the strict CSP holds while the app
// is used (no violation reported), the session cookie is out of reach of page scripts, and the app
// refuses to be framed by another page.
import { test, expect, signIn } from './support/fixtures.ts';
import { E2E_INSTANCE } from './support/accounts.ts';

test('an operator session raises no CSP violation, and page scripts cannot read the session cookie', async ({ page, context, sandbox }) => {
  await page.addInitScript(() => {
    const g = globalThis as unknown as { __csp: string[]; document: { addEventListener(t: string, f: (e: { violatedDirective: string; blockedURI: string }) => void): void } };
    g.__csp = [];
    g.document.addEventListener('securitypolicyviolation', (e) => g.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const consoleCsp: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) consoleCsp.push(m.text());
  });
  const user = `${sandbox.prefix}s`;
  await sandbox.openMany(user, 2);
  await signIn(page, 'operator');
  await page.getByRole('link', { name: new RegExp(E2E_INSTANCE.name) }).first().click();
  await page.getByLabel('User', { exact: true }).fill(user);
  await page.getByRole('button', { name: 'List sessions' }).click();
  await expect(page.getByRole('checkbox', { name: /Select session \d+/ }).first()).toBeVisible();

  // Any report — an inline script or style, eval, another origin — fails.
  const violations = await page.evaluate(() => (globalThis as unknown as { __csp: string[] }).__csp);
  expect(violations).toEqual([]);
  expect(consoleCsp).toEqual([]);
  expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).not.toContain('quell_session');
  const cookie = (await context.cookies()).find((c) => c.name === 'quell_session');
  expect(cookie).toBeDefined();
  expect(cookie!.httpOnly).toBe(true);
  expect(cookie!.sameSite).toBe('Strict');
});

test('another page cannot frame Quell (frame-ancestors)', async ({ page, baseURL }) => {
  await page.goto('about:blank');
  await page.setContent(`<iframe id="q" src="${baseURL}/login" width="800" height="600"></iframe>`, { waitUntil: 'load' });
  const frame = page.frames().find((f) => f !== page.mainFrame())!;
  // Chromium replaces a refused frame with its error page; the login form never renders inside it.
  await expect.poll(() => frame.url()).toMatch(/^chrome-error:/);
  expect(await frame.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
});
