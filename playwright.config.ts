import { defineConfig } from '@playwright/test';
import { E2E_BFF_PORT } from './e2e/support/accounts.ts';
import { BUILD_SERVERS } from './scripts/lib/built-servers.ts';

// The browser tests run against the real stack: the built SPA served by the built BFF (node dist/…),
// the built das-local, MariaDB. The servers are rebuilt first (a few seconds) so a run never tests stale code.
export default defineConfig({
  testDir: './e2e',
  outputDir: '.quell/test-results',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${E2E_BFF_PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `${BUILD_SERVERS} >/dev/null && node --import tsx scripts/e2e-stack.ts`,
    url: `http://127.0.0.1:${E2E_BFF_PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        viewport: { width: 1400, height: 900 },
        launchOptions: {
          executablePath: process.env.QUELL_CHROMIUM ?? '/usr/bin/chromium',
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        },
      },
    },
  ],
});
