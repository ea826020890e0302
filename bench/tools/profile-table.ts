// Where the SPA spends the time between the sessions response and the painted table (question 3):
// a V8 CPU profile of the page, with an unminified build of apps/web (built to a temporary dir and
// served in place of apps/web/dist) so function names are readable.
//
//   pnpm exec tsx bench/tools/profile-table.ts [N]        (default 10000)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { launchChromium, routeSessions, sessionsBodies, syntheticSessions, timeClick, timeKeystrokes } from '../lib/browser.ts';
import { dropBenchDasAccount, INSTANCE_NAME, REPO_ROOT, startBenchStack } from '../lib/stack.ts';
import { pathOf, routes } from '@quell/contracts/routes';

const N = Number(process.argv[2] ?? 10_000);
const out = mkdtempSync(join(os.tmpdir(), 'quell-web-prof-'));
execFileSync(join(REPO_ROOT, 'apps/web/node_modules/.bin/vite'), ['build', '--minify', 'false', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], { cwd: join(REPO_ROOT, 'apps/web'), stdio: 'inherit' });

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
function summarise(title: string, profile: Profile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const name = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const n = byId.get(id)!;
    self.set(name(n), (self.get(name(n)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = name(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  });
  console.log(`\n${title}; ${(total / 1000).toFixed(0)} ms sampled`);
  console.log('\ntop self time:');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${(v / 1000).toFixed(1).padStart(7)} ms  ${k}`);
  console.log('\ntop inclusive time (app functions):');
  for (const [k, v] of [...inclusive].filter(([k]) => /\.js:/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${(v / 1000).toFixed(1).padStart(7)} ms  ${k}`);
}

const stack = await startBenchStack({ name: 'profile-table', bffPort: 3470, dasPort: 8870 });
const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
  await context.request.post(`${stack.url}${pathOf(routes.login)}`, { data: { username: stack.operator.username, password: stack.operator.password } });
  const page = await context.newPage();
  const bodies = sessionsBodies(INSTANCE_NAME, syntheticSessions(N, 'app'));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let asked!: () => void;
  const requested = new Promise<void>((r) => (asked = r));
  await routeSessions(page, bodies, async () => {
    asked();
    await gate;
  });
  await page.route(/\/assets\//, (route) => {
    const file = new URL(route.request().url()).pathname;
    route.fulfill({ status: 200, contentType: file.endsWith('.css') ? 'text/css' : 'text/javascript', body: readFileSync(join(out, file)) });
  });
  await page.route(/^https?:\/\/[^/]+\/instances\/[^/]+\/sessions\?/, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: readFileSync(join(out, 'index.html')) }));
  await page.goto(`${stack.url}/instances/${INSTANCE_NAME}/sessions?user=app`);
  await requested;
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  const t0 = Date.now();
  release();
  await page.waitForSelector('[data-session-id]', { timeout: 120_000 });
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))');
  const wall = Date.now() - t0;
  summarise(`N=${N}: ${wall} ms wall from response release to painted`, ((await cdp.send('Profiler.stop')) as { profile: Profile }).profile);
  // Then the filter keystrokes (question 3's second figure).
  await cdp.send('Profiler.start');
  const keys = await timeKeystrokes(page, '#f-q', '= 42');
  summarise(`keystrokes "= 42": ${keys.map((k) => k.toFixed(0)).join(', ')} ms`, ((await cdp.send('Profiler.stop')) as { profile: Profile }).profile);
  // Then the sort changes of the benchmark on the whole listing: the ID column (numbers), then the
  // Host column (text, every value different).
  await page.fill('#f-q', '');
  await page.waitForTimeout(1000);
  await cdp.send('Profiler.start');
  const idMs = await timeClick(page, 'thead th:nth-child(2) button');
  summarise(`sort by id: ${idMs.toFixed(0)} ms`, ((await cdp.send('Profiler.stop')) as { profile: Profile }).profile);
  await cdp.send('Profiler.start');
  const sortMs = await timeClick(page, 'thead th:nth-child(4) button');
  summarise(`sort by host: ${sortMs.toFixed(0)} ms`, ((await cdp.send('Profiler.stop')) as { profile: Profile }).profile);
} finally {
  await browser.close();
  await stack.stop();
  await dropBenchDasAccount(stack);
}
