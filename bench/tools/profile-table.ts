// Where the SPA spends the time between the sessions response and the painted table (question 3):
// a V8 CPU profile of the page, with an unminified build of apps/web (built to a temporary dir and
// served over HTTP as the BFF serves apps/web/dist) so function names are readable. Before the CPU
// profiles, a Chromium trace of the same steps on a fresh page splits the main thread's time into
// script, style, layout, paint, parse, GC … (what the CPU profile shows only as "(program)").
//
//   pnpm exec tsx bench/tools/profile-table.ts [N]        (default 10000)
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, CDPSession, Page } from '@playwright/test';
import { median } from '../lib/report.ts';
import { launchChromium, routeSessions, sessionsBodies, startWebServer, syntheticSessions, timeClick, timeKeystrokes, type SessionsBodies } from '../lib/browser.ts';
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
  // React components (capitalised functions), inclusive: what re-rendered, and at what cost
  const components = [...inclusive].filter(([k]) => /^[A-Z]\w* \S+\.js:/.test(k) && !/^(RouterProvider|DataRoutes|Router|RenderedRoute|Outlet)/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.log(`\ncomponents (inclusive): ${components.map(([k, v]) => `${k.split(' ')[0]} ${(v / 1000).toFixed(1)}`).join(', ')}`);
  // Busy stretches in time order (idle gaps ≥ 0.5 ms split them), each with the Quell functions
  // (not React's or the libraries') that took most of it, inclusive.
  console.log('\nbusy stretches (start ms, duration ms: Quell functions, inclusive):');
  let at = 0;
  let stretch: { start: number; time: number; fns: Map<string, number> } | null = null;
  let idleRun = 0;
  const flush = () => {
    if (stretch && stretch.time >= 1000) {
      const fns = [...stretch.fns].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`);
      console.log(`  ${(stretch.start / 1000).toFixed(1).padStart(7)} ${(stretch.time / 1000).toFixed(1).padStart(6)}  ${fns.join(', ')}`);
    }
    stretch = null;
  };
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)') {
      idleRun += dt;
      if (idleRun >= 500) flush();
      return;
    }
    idleRun = 0;
    stretch ??= { start: at, time: 0, fns: new Map() };
    stretch.time += dt;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!;
      if (!/\/assets\/(sessions|app|main)|\/assets\/(?!index-)/.test(f.callFrame.url) || !f.callFrame.functionName) continue;
      const k = f.callFrame.functionName;
      if (seen.has(k)) continue;
      seen.add(k);
      stretch.fns.set(k, (stretch.fns.get(k) ?? 0) + dt);
    }
  });
  flush();
}


// The trace: complete events of the renderer's main thread, self time (children subtracted) by
// kind, within the window between two performance marks the page sets.
interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; elementCount?: number; beginData?: { dirtyObjects?: number; totalObjects?: number }; data?: { functionName?: string; url?: string; lineNumber?: number } };
}
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'v8', 'toplevel'];
const KIND: Record<string, string> = {
  UpdateLayoutTree: 'style',
  RecalculateStyles: 'style',
  ParseAuthorStyleSheet: 'style',
  Layout: 'layout',
  PrePaint: 'paint',
  Paint: 'paint',
  PaintImage: 'paint',
  Layerize: 'paint',
  UpdateLayer: 'paint',
  UpdateLayerTree: 'paint',
  CompositeLayers: 'paint',
  Commit: 'paint',
  HitTest: 'hit test',
  ParseHTML: 'parse HTML',
  MajorGC: 'GC',
  MinorGC: 'GC',
  'V8.GC_SCAVENGER': 'GC',
  'V8.GC_MC_BACKGROUND_MARKING': 'GC',
  'v8.compile': 'compile',
  'v8.compileModule': 'compile',
  'V8.CompileCode': 'compile',
  'v8.parseOnBackground': 'compile',
  FunctionCall: 'script',
  EvaluateScript: 'script',
  'v8.evaluateModule': 'script',
  TimerFire: 'script',
  FireAnimationFrame: 'script',
  EventDispatch: 'script',
  RunMicrotasks: 'script',
  'v8.callFunction': 'script',
  'V8.Execute': 'script',
  ResizeObserverLoop: 'script',
  IntersectionObserverController: 'script',
};

async function startTrace(cdp: CDPSession): Promise<() => Promise<TraceEvent[]>> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: TRACE_CATEGORIES } });
  return async () => {
    const done = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
    await cdp.send('Tracing.end');
    await done;
    return events;
  };
}

/** Self time by kind on the renderer main thread between the marks `from` and `to` (µs → ms). */
function splitTrace(title: string, events: TraceEvent[], from: string, to: string, timeline = false): Map<string, number> {
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && events.some((m) => m.pid === e.pid && m.name === from));
  if (!main) {
    console.log(`\n${title}: no main thread / marks in the trace`);
    return new Map();
  }
  const mark = (name: string) => events.find((e) => e.pid === main.pid && e.name === name && e.cat.includes('blink.user_timing'))!.ts;
  const t0 = mark(from);
  const t1 = mark(to);
  const spans = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined && e.ts + e.dur! > t0 && e.ts < t1)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  // self time: each span's duration (clipped to the window) less its direct children's
  const self = new Map<TraceEvent, number>();
  const stack: TraceEvent[] = [];
  const clip = (e: TraceEvent) => Math.max(0, Math.min(t1, e.ts + e.dur!) - Math.max(t0, e.ts));
  const taskOf = new Map<TraceEvent, TraceEvent>();
  for (const e of spans) {
    while (stack.length && stack.at(-1)!.ts + stack.at(-1)!.dur! <= e.ts) stack.pop();
    const parent = stack.at(-1);
    taskOf.set(e, stack[0] ?? e);
    if (parent) self.set(parent, (self.get(parent) ?? 0) - clip(e));
    self.set(e, (self.get(e) ?? 0) + clip(e));
    stack.push(e);
  }
  const byKind = new Map<string, number>();
  const byName = new Map<string, number>();
  let busy = 0;
  for (const [e, us] of self) {
    const kind = KIND[e.name] ?? (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask' ? 'other (task)' : `other`);
    byKind.set(kind, (byKind.get(kind) ?? 0) + us);
    byName.set(e.name, (byName.get(e.name) ?? 0) + us);
    busy += us;
  }
  const layouts = spans.filter((e) => e.name === 'Layout').length;
  const styles = spans.filter((e) => e.name === 'UpdateLayoutTree').length;
  console.log(`\n${title}: ${((t1 - t0) / 1000).toFixed(1)} ms window, main thread busy ${(busy / 1000).toFixed(1)} ms (${styles} style recalcs, ${layouts} layouts)`);
  for (const [k, v] of [...byKind].sort((a, b) => b[1] - a[1])) console.log(`  ${(v / 1000).toFixed(1).padStart(7)} ms  ${k}`);
  console.log('  by event:');
  for (const [k, v] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`  ${(v / 1000).toFixed(1).padStart(9)} ms  ${k}`);
  byKind.set('window', t1 - t0);
  if (!timeline) return byKind;
  // each task of the window (≥ 0.5 ms) in order: when it started, how long it ran, what it spent it on
  const tasks = new Map<TraceEvent, Map<string, number>>();
  for (const [e, us] of self) {
    const task = taskOf.get(e)!;
    const kinds = tasks.get(task) ?? new Map<string, number>();
    // a script call is named by its function (readable in this unminified build)
    const fn = e.args?.data?.functionName;
    // style and layout say how much they did: elements restyled, objects laid out of all
    const k =
      e.name === 'FunctionCall' && fn !== undefined
        ? `${fn || '(anonymous)'}@${e.args!.data!.url?.split('/').pop()}:${e.args!.data!.lineNumber}`
        : e.name === 'UpdateLayoutTree' && e.args?.elementCount !== undefined
          ? `UpdateLayoutTree(${e.args.elementCount} el)`
          : e.name === 'Layout' && e.args?.beginData?.dirtyObjects !== undefined
            ? `Layout(${e.args.beginData.dirtyObjects}/${e.args.beginData.totalObjects} obj)`
            : e.name;
    kinds.set(k, (kinds.get(k) ?? 0) + us);
    tasks.set(task, kinds);
  }
  console.log('  tasks (start ms, duration ms: self time by event):');
  for (const [task, kinds] of [...tasks].sort((a, b) => a[0].ts - b[0].ts)) {
    if (clip(task) < 500) continue;
    const parts = [...kinds].sort((a, b) => b[1] - a[1]).filter(([, us]) => us >= 300).map(([k, us]) => `${k} ${(us / 1000).toFixed(1)}`);
    console.log(`  ${((Math.max(task.ts, t0) - t0) / 1000).toFixed(1).padStart(7)} ${(clip(task) / 1000).toFixed(1).padStart(6)}  ${parts.join(', ')}`);
  }
  return byKind;
}

// Marks for the trace's windows: the sessions response arriving, the frame after the first row.
const MARKS_SCRIPT = `(() => {
  const realFetch = window.fetch.bind(window);
  let marked = false;
  window.fetch = async (...args) => {
    const res = await realFetch(...args);
    const url = typeof args[0] === 'string' ? args[0] : args[0] instanceof URL ? args[0].href : args[0].url;
    if (url.includes('/sessions') && !marked) { marked = true; performance.mark('quell:response'); }
    return res;
  };
  const mo = new MutationObserver(() => {
    if (!document.querySelector('[data-session-id]')) return;
    mo.disconnect();
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => performance.mark('quell:painted');
      ch.port2.postMessage(0);
    });
  });
  mo.observe(document, { subtree: true, childList: true });
})();`;

/** Opens the sessions page with the unminified build, its sessions response held until `release`. */
async function openGated(context: BrowserContext, url: string, bodies: SessionsBodies, withMarks: boolean): Promise<{ page: Page; release: () => void; requested: Promise<void> }> {
  const page = await context.newPage();
  if (withMarks) await page.addInitScript(MARKS_SCRIPT);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let asked!: () => void;
  const requested = new Promise<void>((r) => (asked = r));
  await routeSessions(page, bodies, async () => {
    asked();
    await gate;
  });
  await page.goto(url);
  return { page, release, requested };
}

/** Marks `name` in the page (a window's edge for splitTrace). */
const markIn = (page: Page, name: string) => page.evaluate(`performance.mark(${JSON.stringify(name)})`);

const stack = await startBenchStack({ name: 'profile-table', bffPort: 3470, dasPort: 8870 });
const browser = await launchChromium();
// the unminified build, served as the BFF serves its own (the BFF's API behind it)
const web = await startWebServer(out, stack.url);
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
  await context.request.post(`${stack.url}${pathOf(routes.login)}`, { data: { username: stack.operator.username, password: stack.operator.password } });
  const bodies = sessionsBodies(INSTANCE_NAME, syntheticSessions(N, 'app'));
  const url = `${web.url}/instances/${INSTANCE_NAME}/sessions?user=app`;
  // Warm-up, so code caches are as warm as in the benchmark's rounds.
  {
    const { page, release } = await openGated(context, url, bodies, false);
    release();
    await page.waitForSelector('[data-session-id]', { timeout: 120_000 });
    await page.close();
  }
  // The traces: the paint on fresh pages (QUELL_PROFILE_ROUNDS of them), then keystrokes and sorts on the last.
  const rounds = Number(process.env.QUELL_PROFILE_ROUNDS ?? 5);
  const paints: Map<string, number>[] = [];
  for (let r = 0; r < rounds; r++) {
    const { page, release, requested } = await openGated(context, url, bodies, true);
    await requested;
    const tcdp = await context.newCDPSession(page);
    const stop = await startTrace(tcdp);
    release();
    await page.waitForFunction(`performance.getEntriesByName('quell:painted').length > 0`, undefined, { timeout: 120_000 });
    if (r < rounds - 1) {
      paints.push(splitTrace(`trace N=${N}, paint round ${r + 1} (response → frame after the first row)`, await stop(), 'quell:response', 'quell:painted', r === 0));
      await tcdp.detach();
      await page.close();
      continue;
    }
    await markIn(page, 'quell:keys');
    const keys = await timeKeystrokes(page, '#f-q', '= 42');
    await markIn(page, 'quell:keys-done');
    await page.fill('#f-q', '');
    await page.waitForTimeout(1000);
    await markIn(page, 'quell:sort-id');
    const idMs = await timeClick(page, 'thead th:nth-child(2) button');
    await markIn(page, 'quell:sort-host');
    const hostMs = await timeClick(page, 'thead th:nth-child(4) button');
    await markIn(page, 'quell:sorts-done');
    const events = await stop();
    paints.push(splitTrace(`trace N=${N}, paint round ${r + 1} (response → frame after the first row)`, events, 'quell:response', 'quell:painted'));
    const kinds = [...new Set(paints.flatMap((p) => [...p.keys()]))];
    const med = (k: string) => median(paints.map((p) => p.get(k) ?? 0)) / 1000;
    console.log(`\ntrace N=${N}, paint, median of ${paints.length}: ${kinds.sort((a, b) => med(b) - med(a)).map((k) => `${k} ${med(k).toFixed(1)}`).join(', ')} ms`);
    splitTrace(`trace keystrokes "= 42": ${keys.map((k) => k.toFixed(0)).join(', ')} ms`, events, 'quell:keys', 'quell:keys-done', true);
    splitTrace(`trace sort by id: ${idMs.toFixed(0)} ms`, events, 'quell:sort-id', 'quell:sort-host', true);
    splitTrace(`trace sort by host: ${hostMs.toFixed(0)} ms`, events, 'quell:sort-host', 'quell:sorts-done');
    await tcdp.detach();
    await page.close();
  }
  const { page, release, requested } = await openGated(context, url, bodies, false);
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
  await web.close();
  await browser.close();
  await stack.stop();
  await dropBenchDasAccount(stack);
}
