// Two builds of apps/web side by side in one browser (question 3): the same synthetic listing, rounds
// alternating A / B, each round a fresh page: paint, parse and the keystrokes of table.bench.ts, and
// the longest piece of work run in an idle callback after the first paint (what a keystroke may wait
// behind), then the same keystrokes typed WARM_PASSES times more (their median: the rows' redraw alone,
// with the work after the listing done). For a change to the table that one run of the benchmark
// cannot tell from the machine's noise.
//
// Each build is served over HTTP as the BFF serves it (Chromium keeps its compiled code between pages);
// the sessions response comes `holdMs` after the page asks (see openTable in lib/browser.ts).
//
//   pnpm exec tsx bench/tools/ab-table.ts <distA> <distB> [N] [rounds] [holdMs]     (build with: vite build --outDir <dir>)
import { launchChromium, openTable, startWebServer, sessionsBodies, syntheticSessions, timeKeystrokes } from '../lib/browser.ts';
import { median } from '../lib/report.ts';
import { dropBenchDasAccount, INSTANCE_NAME, startBenchStack } from '../lib/stack.ts';
import { pathOf, routes } from '@quell/contracts/routes';

const [distA, distB] = process.argv.slice(2, 4);
if (!distA || !distB) throw new Error('usage: ab-table.ts <distA> <distB> [N] [rounds] [holdMs]');
const N = Number(process.argv[4] ?? 10_000);
const ROUNDS = Number(process.argv[5] ?? 10);
const HOLD_MS = Number(process.argv[6] ?? 0);
const WARM_PASSES = 5;
// Each idle callback's run, noted as [start, duration] (ms, the page's clock).
const IDLE_TIMES = `(() => {
  const ric = window.requestIdleCallback.bind(window);
  window.__idle = [];
  window.requestIdleCallback = (cb, o) => ric((d) => { const t0 = performance.now(); try { cb(d); } finally { window.__idle.push([t0, performance.now() - t0]); } }, o);
})();`;

const stack = await startBenchStack({ name: 'table', bffPort: 3430, dasPort: 8830 });
const browser = await launchChromium();
const servers = { A: await startWebServer(distA, stack.url), B: await startWebServer(distB, stack.url) };
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
  const login = await context.request.post(`${stack.url}${pathOf(routes.login)}`, { data: { username: stack.operator.username, password: stack.operator.password } });
  if (login.status() !== 200) throw new Error(`login: ${login.status()}`);
  await context.addInitScript(IDLE_TIMES);
  const body = sessionsBodies(INSTANCE_NAME, syntheticSessions(N, 'app'));
  const sides = { A: distA, B: distB };
  const urlOf = (side: 'A' | 'B') => `${servers[side].url}/instances/${INSTANCE_NAME}/sessions?user=app`;
  const got = { A: { paint: [] as number[], parse: [] as number[], key: [] as number[], warm: [] as number[], idle: [] as number[] }, B: { paint: [] as number[], parse: [] as number[], key: [] as number[], warm: [] as number[], idle: [] as number[] } };
  // warm-up: three loads each, so Chromium has made its code cache of each build's scripts
  for (let i = 0; i < 3; i++) for (const side of ['A', 'B'] as const) await (await openTable(context, urlOf(side), body, { holdMs: HOLD_MS })).page.close();
  for (let r = 0; r < ROUNDS; r++) {
    for (const side of r % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
      const { page, paintMs, parseMs } = await openTable(context, urlOf(side), body, { holdMs: HOLD_MS });
      const painted = (await page.evaluate('window.__bench.paintedAt')) as number;
      const keys = await timeKeystrokes(page, '#f-q', '= 42');
      const idle = (await page.evaluate('window.__idle')) as Array<[number, number]>;
      const warm: number[] = [];
      for (let p = 0; p < WARM_PASSES; p++) warm.push(...(await timeKeystrokes(page, '#f-q', '= 42')));
      const g = got[side];
      g.paint.push(paintMs);
      g.parse.push(parseMs ?? Number.NaN);
      g.key.push(median(keys));
      g.warm.push(median(warm));
      g.idle.push(Math.max(0, ...idle.filter(([t]) => t >= painted).map(([, d]) => d)));
      console.log(`  round ${r + 1} ${side}: paint ${paintMs.toFixed(0)} ms (parse ${parseMs?.toFixed(0)}), keystrokes ${keys.map((k) => k.toFixed(1)).join(' / ')}, warm ${g.warm.at(-1)!.toFixed(1)} ms, longest idle piece ${g.idle.at(-1)!.toFixed(1)} ms`);
      await page.close();
    }
  }
  for (const side of ['A', 'B'] as const) {
    const g = got[side];
    console.log(`${side} (${sides[side]}), N=${N}, ${ROUNDS} rounds, response held ${HOLD_MS} ms, medians: paint ${median(g.paint).toFixed(0)} ms (parse ${median(g.parse).toFixed(0)}), keystroke ${median(g.key).toFixed(1)} ms, warm keystroke ${median(g.warm).toFixed(1)} ms, longest idle piece ${median(g.idle).toFixed(1)} ms`);
  }
} finally {
  await servers.A.close();
  await servers.B.close();
  await browser.close();
  await stack.stop();
  await dropBenchDasAccount(stack);
}
