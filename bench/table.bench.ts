// Question 3 — the sessions table at scale, in Chromium. The real built SPA (apps/web/dist, served
// by a bench stack's BFF, signed in) gets N synthetic sessions: its /sessions response is answered
// in the browser with N rows valid against the contract, so this measures rendering, not DAS. The
// baseline is a plain non-virtualised table of the same rows (plain DOM, same sort, same filter) in
// the same browser. Rounds alternate SPA / plain.
//
//   pnpm exec tsx bench/table.bench.ts [N ...]      (default 1000 10000)
import { launchChromium, ensureWebBuild, openTable, plainTableHtml, sessionsBody, syntheticSessions, timeKeystrokes } from './lib/browser.ts';
import { median, report } from './lib/report.ts';
import { dropBenchDasAccount, INSTANCE_NAME, startBenchStack } from './lib/stack.ts';
import { pathOf, routes } from '@quell/contracts/routes';

const SIZES = process.argv.slice(2).length ? process.argv.slice(2).map(Number) : [1000, 10_000];
// The plain table needs seconds per keystroke at 10 000 rows: fewer rounds there.
const roundsFor = (n: number) => Number(process.env.QUELL_BENCH_ROUNDS ?? (n >= 10_000 ? 3 : 5));
// Each keystroke narrows the rows: "=" keeps the running statements, "= 4" and "= 42" fewer.
const TYPED = '= 42';
const USER = 'app';

ensureWebBuild();
const stack = await startBenchStack({ name: 'table', bffPort: 3430, dasPort: 8830 });
const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true }) // lets the measuring scripts run beside the SPA's strict CSP;
  const login = await context.request.post(`${stack.url}${pathOf(routes.login)}`, { data: { username: stack.operator.username, password: stack.operator.password } });
  if (login.status() !== 200) throw new Error(`login: ${login.status()}`);
  const spaUrl = `${stack.url}/instances/${INSTANCE_NAME}/sessions?user=${USER}`;
  const plainPath = '/__bench/plain-table';
  const plainUrl = `${stack.url}${plainPath}`;
  const plainHtml = plainTableHtml(`${pathOf(routes.sessions, { instanceId: INSTANCE_NAME })}?user=${USER}`);

  // Warm-up: load both once so the HTTP cache and Chromium's code caches are equally warm.
  {
    const body = sessionsBody(INSTANCE_NAME, syntheticSessions(100, USER));
    for (const [url, extra] of [[spaUrl, {}], [plainUrl, { [plainPath]: plainHtml }]] as const) {
      const { page } = await openTable(context, url, body, extra);
      await page.close();
    }
  }

  for (const n of SIZES) {
    const body = sessionsBody(INSTANCE_NAME, syntheticSessions(n, USER));
    const spa = { paint: [] as number[], key: [] as number[] };
    const plain = { paint: [] as number[], key: [] as number[] };
    const paintRatios: number[] = [];
    const keyRatios: number[] = [];
    for (let r = 0; r < roundsFor(n); r++) {
      const order = r % 2 === 0 ? (['spa', 'plain'] as const) : (['plain', 'spa'] as const);
      const got: Record<string, { paint: number; key: number }> = {};
      for (const side of order) {
        const { page, paintMs } = side === 'spa' ? await openTable(context, spaUrl, body) : await openTable(context, plainUrl, body, { [plainPath]: plainHtml });
        const keys = await timeKeystrokes(page, '#f-q', TYPED);
        await page.close();
        got[side] = { paint: paintMs, key: median(keys) };
        (side === 'spa' ? spa : plain).paint.push(paintMs);
        (side === 'spa' ? spa : plain).key.push(median(keys));
      }
      paintRatios.push(got.spa!.paint / got.plain!.paint);
      keyRatios.push(got.spa!.key / got.plain!.key);
      console.log(
        `  N=${n} round ${r + 1}: SPA paint ${got.spa!.paint.toFixed(0)} ms, keystroke ${got.spa!.key.toFixed(1)} ms | plain paint ${got.plain!.paint.toFixed(0)} ms, keystroke ${got.plain!.key.toFixed(1)} ms`,
      );
    }
    const paintMs = median(spa.paint);
    const keyMs = median(spa.key);
    const atTarget = n >= 10_000;
    report({
      name: `table-${n}`,
      question: '3',
      ratio: Number(median(paintRatios).toFixed(2)),
      target: atTarget ? 'paint ≤ 100 ms, keystroke ≤ 16 ms' : '(targets at 10 000)',
      pass: atTarget ? paintMs <= 100 && keyMs <= 16 : true,
      figures: {
        spa_paint_ms: Math.round(paintMs),
        plain_paint_ms: Math.round(median(plain.paint)),
        spa_keystroke_ms: Number(keyMs.toFixed(1)),
        plain_keystroke_ms: Number(median(plain.key).toFixed(1)),
        keystroke_ratio: Number(median(keyRatios).toFixed(2)),
        rounds: roundsFor(n),
      },
      note: `ratio = SPA paint / plain-table paint; synthetic rows fulfilled in the browser (rendering, not DAS); keystroke = median main-thread time per character of "${TYPED}" until its last DOM change, React’s scheduled work followed until the main thread is idle (style+layout forced, paint not included)`,
    });
  }
  await context.close();
} finally {
  await browser.close();
  await stack.stop();
  await dropBenchDasAccount(stack);
}
