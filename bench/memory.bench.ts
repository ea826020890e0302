// Question 7 — memory.
//  * Peak RSS (VmRSS sampled every 100 ms from /proc) of the built BFF and das-local processes
//    (`node dist/…`) during question 1's load (list and preview+commit from a second process) and
//    question 2's kill of 1 000 real sessions. Targets: BFF ≤ 120 MB under the load, das-local
//    ≤ 100 MB. Baseline for the ratio: the same bare Express app as question 6 (plain node), idle.
//  * The page's JS heap (after a full GC, CDP) with 10 000 sessions shown in the built SPA, against a
//    plain non-virtualised table of the same rows. Target ≤ 80 MB.
//  * Soak: repeated list / preview / commit for QUELL_BENCH_SOAK_SECONDS (default 600) after a
//    warm-up; the BFF's V8 heap after a forced full GC (through its inspector) must stay within 10 %
//    of the same reading after the warm-up.
//
//   QUELL_BENCH_SOAK_SECONDS=60 pnpm exec tsx bench/memory.bench.ts
import { join } from 'node:path';
import { openSession } from '@quell/test-kit/mariadb';
import { startProcess } from '../scripts/lib/processes.ts';
import { BffClient } from './lib/bff-client.ts';
import { launchChromium, ensureWebBuild, openTable, pageHeapMb, plainTableHtml, sessionsBodies, syntheticSessions } from './lib/browser.ts';
import { inspectorOf, type Inspector } from './lib/inspector.ts';
import { runLoad, type LoadSpec } from './lib/load.ts';
import { memoryOf, pidListeningOn, sampleRss } from './lib/proc.ts';
import { median, report } from './lib/report.ts';
import { createBenchSandbox, withMaxConnections } from './lib/sandbox.ts';
import { dropBenchDasAccount, INSTANCE_NAME, REPO_ROOT, startBenchStack } from './lib/stack.ts';
import { pathOf, routes } from '@quell/contracts/routes';

const SOAK_SECONDS = Number(process.env.QUELL_BENCH_SOAK_SECONDS ?? 600);
const WARMUP_SECONDS = Math.min(30, Math.max(10, Math.round(SOAK_SECONDS / 10)));
const LOAD_SECONDS = Number(process.env.QUELL_BENCH_ROUND_SECONDS ?? 6);
const HELLO_PORT = 3451;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

ensureWebBuild();

// The baseline: a bare Express app's resident size under plain node, idle after one request.
const hello = await startProcess({ name: 'hello', command: process.execPath, args: [join(REPO_ROOT, 'bench/lib/hello-express.mjs')], env: { ...process.env, PORT: String(HELLO_PORT) }, ready: /hello listening on/, onLine: () => {} });
await (await fetch(`http://127.0.0.1:${HELLO_PORT}/`)).text();
await sleep(500);
const helloRss = memoryOf(pidListeningOn(HELLO_PORT)!)?.rssMb ?? NaN;
await hello.stop();

const sandbox = await createBenchSandbox('mem');
try {
  await withMaxConnections(sandbox.target, 2000, async () => {
    const listUser = await sandbox.user('list');
    const killUser = await sandbox.user('kill');
    const bulkUser = await sandbox.user('bulk');
    await sandbox.openMany(listUser, 50, { parallel: 25 });
    const stack = await startBenchStack({
      name: 'memory',
      bffPort: 3450,
      dasPort: 8850,
      blastRadiusCap: 50,
      keepLines: true,
      env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0`.trim() },
    });
    let inspector: Inspector | undefined;
    try {
      inspector = await inspectorOf(stack.lines.filter((l) => l.name === 'bff').map((l) => l.line), stack.bffPid);
      const idle = { bff: memoryOf(stack.bffPid)!.rssMb, das: memoryOf(stack.dasPid)!.rssMb };

      // --- RSS during question 1's load (from a second process) and question 2's kill -------------
      const spec = (mode: LoadSpec['mode'], user: string, concurrency: number): LoadSpec => ({
        mode,
        seconds: LOAD_SECONDS,
        warmupSeconds: 1,
        concurrency,
        sessionsPerClient: 120,
        user,
        bff: { url: stack.url, ...stack.operator, instanceId: INSTANCE_NAME },
        das: stack.das,
        mysql: { host: sandbox.target.host, port: sandbox.target.port, password: sandbox.password, database: sandbox.database },
      });
      let rss = sampleRss({ bff: stack.bffPid, das: stack.dasPid });
      const listLoad = await runLoad(spec('bff-list', listUser, 8));
      const killLoad = await runLoad(spec('bff-kill', killUser, 4));
      const duringLoad = rss.stop();
      console.log(`  load: list ${listLoad.rps.toFixed(0)}/s, preview+commit ${killLoad.rps.toFixed(0)}/s; peak RSS BFF ${duringLoad.bff!.toFixed(0)} MB, das-local ${duringLoad.das!.toFixed(0)} MB`);

      const bff = await BffClient.login(stack.url, stack.operator.username, stack.operator.password);
      const ids = await sandbox.openMany(bulkUser, 1000, { parallel: 25 });
      rss = sampleRss({ bff: stack.bffPid, das: stack.dasPid });
      const preview = await bff.preview(INSTANCE_NAME, { user: bulkUser });
      const result = await bff.commit(preview.previewId, { reason: 'benchmark: memory during a 1 000-session kill', confirmInstanceName: preview.instanceName });
      const duringKill = rss.stop();
      await sandbox.closeAll();
      await sandbox.openMany(listUser, 50, { parallel: 25 }); // closeAll dropped the listed sessions too
      console.log(`  kill of ${ids.length}: ${JSON.stringify(result.summary)}; peak RSS BFF ${duringKill.bff!.toFixed(0)} MB, das-local ${duringKill.das!.toFixed(0)} MB`);
      // The target is the BFF under question 1's load; the 1 000-session kill is reported beside it.
      const peakBff = duringLoad.bff!;
      const peakDas = Math.max(duringLoad.das!, duringKill.das!);
      report({
        name: 'memory-rss',
        question: '7',
        ratio: Number((peakBff / helloRss).toFixed(2)),
        target: 'BFF ≤ 120 MB under load, das-local ≤ 100 MB',
        pass: peakBff <= 120 && peakDas <= 100,
        figures: {
          bff_peak_load_mb: Math.round(duringLoad.bff!),
          bff_peak_kill_mb: Math.round(duringKill.bff!),
          das_peak_load_mb: Math.round(duringLoad.das!),
          das_peak_kill_mb: Math.round(duringKill.das!),
          bff_idle_mb: Math.round(idle.bff),
          das_idle_mb: Math.round(idle.das),
          express_hello_idle_mb: Math.round(helloRss),
        },
        note: 'ratio = built BFF peak RSS under load / a bare Express app under plain node, idle; both Quell processes run built (node dist/…) with an inspector attached',
      });

      // --- the page's JS heap with 10 000 sessions shown ---------------------------------------------
      const browser = await launchChromium();
      try {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
        const login = await context.request.post(`${stack.url}${pathOf(routes.login)}`, { data: { username: stack.operator.username, password: stack.operator.password } });
        if (login.status() !== 200) throw new Error(`login: ${login.status()}`);
        const body = sessionsBodies(INSTANCE_NAME, syntheticSessions(10_000, 'app'));
        const spaHeap: number[] = [];
        const plainHeap: number[] = [];
        for (let r = 0; r < 2; r++) {
          for (const side of r % 2 === 0 ? ['spa', 'plain'] : ['plain', 'spa']) {
            const { page } =
              side === 'spa'
                ? await openTable(context, `${stack.url}/instances/${INSTANCE_NAME}/sessions?user=app`, body)
                : await openTable(context, `${stack.url}/__bench/plain-table`, body, { pages: { '/__bench/plain-table': plainTableHtml(`${pathOf(routes.sessions, { instanceId: INSTANCE_NAME })}?user=app`) } });
            await sleep(500);
            (side === 'spa' ? spaHeap : plainHeap).push(await pageHeapMb(page));
            await page.close();
          }
        }
        const spa = median(spaHeap);
        const plain = median(plainHeap);
        report({
          name: 'memory-page-heap',
          question: '7',
          ratio: Number((spa / plain).toFixed(2)),
          target: 'page heap ≤ 80 MB at 10 000 sessions',
          pass: spa <= 80,
          figures: { spa_heap_mb: Number(spa.toFixed(1)), plain_table_heap_mb: Number(plain.toFixed(1)) },
          note: 'JS heap after a full GC (CDP Runtime.getHeapUsage), synthetic rows fulfilled in the browser; ratio = SPA / plain table of the same rows',
        });
      } finally {
        await browser.close();
      }

      // --- soak: list / preview / commit, again and again ------------------------------------------
      const clients = await Promise.all([0, 1].map(() => BffClient.login(stack.url, stack.operator.username, stack.operator.password)));
      let cycles = 0;
      let failures = 0;
      let firstFailure = '';
      const soakFor = async (seconds: number) => {
        const until = Date.now() + seconds * 1000;
        await Promise.all(
          clients.map(async (c) => {
            while (Date.now() < until) {
              // Not kept by the sandbox: destroyed below (a killed connection holds ~0.5 MB).
              const { conn } = await openSession({ user: killUser, password: sandbox.password }, { database: sandbox.database, target: sandbox.target });
              try {
                const listed = await c.listSessions(INSTANCE_NAME, { user: listUser });
                if (listed.count === 0) throw new Error('empty list');
                const p = await c.preview(INSTANCE_NAME, { user: killUser, sessionIds: [conn.threadId] });
                const done = await c.commit(p.previewId, { reason: 'benchmark: soak' });
                if (done.summary.killed !== 1) throw new Error(JSON.stringify(done.summary));
                cycles++;
              } catch (err) {
                failures++;
                firstFailure ||= (err as Error).message;
                await sleep(100);
              } finally {
                conn.destroy();
              }
            }
          }),
        );
      };
      await soakFor(WARMUP_SECONDS);
      const heapWarm = await inspector.heapAfterGcMb();
      const rssWarm = memoryOf(stack.bffPid)!.rssMb;
      const warmCycles = cycles;
      const t0 = Date.now();
      await soakFor(SOAK_SECONDS);
      const soakSeconds = (Date.now() - t0) / 1000;
      const heapSoak = await inspector.heapAfterGcMb();
      const rssSoak = memoryOf(stack.bffPid)!.rssMb;
      const growth = heapSoak / heapWarm;
      console.log(`  soak: ${cycles - warmCycles} list+preview+commit cycles in ${soakSeconds.toFixed(0)} s, ${failures} failures; BFF heap ${heapWarm.toFixed(1)} → ${heapSoak.toFixed(1)} MB`);
      report({
        name: 'memory-soak',
        question: '7',
        ratio: Number(growth.toFixed(3)),
        target: 'heap after soak ≤ 1.10× after warm-up',
        pass: growth <= 1.1 && failures === 0,
        figures: {
          heap_after_warmup_mb: Number(heapWarm.toFixed(1)),
          heap_after_soak_mb: Number(heapSoak.toFixed(1)),
          rss_after_warmup_mb: Math.round(rssWarm),
          rss_after_soak_mb: Math.round(rssSoak),
          soak_s: Math.round(soakSeconds),
          warmup_s: WARMUP_SECONDS,
          cycles: cycles - warmCycles,
          failures,
        },
        note: `BFF V8 heap after a forced full GC (inspector), 2 clients each looping list + preview + commit of one real session${failures ? `; first failure: ${firstFailure}` : ''}`,
      });
    } finally {
      inspector?.close();
      await stack.stop();
      await dropBenchDasAccount(stack);
    }
  });
} finally {
  await sandbox.drop();
}
