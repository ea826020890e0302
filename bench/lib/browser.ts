// Chromium for the browser benchmarks: the built SPA served by a bench stack, its sessions response
// replaced by N synthetic rows valid against the contract (this measures rendering, not DAS), and a
// plain non-virtualised table of the same rows as the baseline.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Route } from '@playwright/test';
import { encodeSessionColumns } from '@quell/contracts/session-columns';
import { SessionListResponse, type Session } from '@quell/contracts/sessions';
import { REPO_ROOT } from '../../scripts/lib/repo-root.ts';
import { quietCpu } from './proc.ts';
import { pathOf, routes } from '@quell/contracts/routes';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.QUELL_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

const WEB = join(REPO_ROOT, 'apps/web');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds apps/web when dist is missing or older than its sources (or the contracts it bundles). */
export function ensureWebBuild(): string {
  const dist = join(WEB, 'dist');
  const index = join(dist, 'index.html');
  const sources = Math.max(newestMtime(join(WEB, 'src')), newestMtime(join(REPO_ROOT, 'packages/contracts/src')), statSync(join(WEB, 'index.html')).mtimeMs);
  if (process.env.QUELL_BENCH_BUILD === '1' || !existsSync(index) || statSync(index).mtimeMs < sources) {
    process.stderr.write('building apps/web …\n');
    execFileSync('pnpm', ['--filter', '@quell/web', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return dist;
}

/** N sessions as das-local would list them, typed as the BFF answers them. */
export function syntheticSessions(n: number, user: string): Session[] {
  const tables = ['orders', 'customers', 'payments', 'shipments', 'inventory'];
  const sessions: Session[] = [];
  for (let i = 0; i < n; i++) {
    const query = i % 3 !== 0;
    const table = tables[i % tables.length]!;
    sessions.push({
      id: 100_000 + i,
      user,
      host: `10.0.${(i >> 8) % 250}.${i % 250}:${40_000 + (i % 20_000)}`,
      database: `shop_${i % 5}`,
      command: query ? 'Query' : 'Sleep',
      time: (i * 7919) % 3600,
      state: query ? (i % 2 ? 'Sending data' : 'Waiting for table metadata lock') : '',
      sql: query ? `SELECT * FROM ${table} WHERE customer_id = ${i % 5000} AND status = 'open' ORDER BY created_at DESC LIMIT 50` : '',
      trxExecutedTime: i % 11 === 0 ? (i * 13) % 600 : 0,
    });
  }
  return sessions;
}

/** One listing as the BFF sends it: the object form (the plain table reads it) and the compact form (the SPA reads it). */
export interface SessionsBodies {
  objects: string;
  compact: string;
}

export function sessionsBodies(instanceId: string, sessions: Session[]): SessionsBodies {
  const list = { instanceId, sessions, count: sessions.length, fetchedAt: new Date().toISOString() };
  SessionListResponse.parse(list); // valid against the contract, or the benchmark is wrong
  return { objects: JSON.stringify(list), compact: JSON.stringify(encodeSessionColumns(list)) };
}

/** Answers both forms of the sessions listing in `page` with `bodies`. */
export async function routeSessions(page: Page, bodies: SessionsBodies, before?: () => Promise<void>): Promise<void> {
  const answer = (body: string) => async (route: Route) => {
    await before?.();
    await route.fulfill({ status: 200, contentType: 'application/json', body });
  };
  await page.route(`**${pathOf(routes.sessions, { instanceId: '*' })}?**`, answer(bodies.objects));
  await page.route(`**${pathOf(routes.sessionColumns, { instanceId: '*' })}?**`, answer(bodies.compact));
}

/**
 * Installed before any page script: notes when a response for `/sessions` arrives (fetch resolves),
 * when its body has been read, parsed and decoded, and when the first row (`[data-session-id]`) has
 * been painted (the frame after it appeared). The SPA decodes the compact listing synchronously
 * right after `res.json()` resolves, so the first task after that marks the end of the decode.
 */
const INIT_SCRIPT = `(() => {
  try { localStorage.setItem('quell.refreshSeconds', '0'); } catch {}
  const bench = (window.__bench = { responseAt: null, parsedAt: null, rowsAt: null, paintedAt: null });
  const realFetch = window.fetch.bind(window);
  window.fetch = async (...args) => {
    const res = await realFetch(...args);
    const url = typeof args[0] === 'string' ? args[0] : args[0] instanceof URL ? args[0].href : args[0].url;
    if (url.includes('/sessions') && bench.responseAt === null) {
      bench.responseAt = performance.now();
      // the body's read, JSON parse and decode are part of the paint figure; noted apart as well
      const json = res.json.bind(res);
      res.json = async () => {
        const v = await json();
        const ch = new MessageChannel();
        ch.port1.onmessage = () => { bench.parsedAt = performance.now(); };
        ch.port2.postMessage(0);
        return v;
      };
    }
    return res;
  };
  const watch = () => {
    const mo = new MutationObserver(() => {
      if (bench.rowsAt !== null || !document.querySelector('[data-session-id]')) return;
      bench.rowsAt = performance.now();
      mo.disconnect();
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => { bench.paintedAt = performance.now(); };
        ch.port2.postMessage(0);
      });
    });
    mo.observe(document, { subtree: true, childList: true });
  };
  watch();
})();`;

/** A plain table: every row in the DOM, sorted like Quell's default (longest time first), filtered on input. */
export function plainTableHtml(sessionsUrl: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>plain table</title>
<style>body{font:14px system-ui,sans-serif;margin:0}table{border-collapse:collapse;width:100%;table-layout:fixed}td,th{border-bottom:1px solid #ddd;padding:4px 6px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;text-align:left}</style></head>
<body><label for="f-q">SQL contains</label> <input id="f-q" type="search"> <span id="count"></span>
<table aria-label="Sessions"><thead><tr><th></th><th>ID</th><th>User</th><th>Host</th><th>Database</th><th>Command</th><th>Time</th><th>Trx</th><th>State</th><th>SQL</th></tr></thead><tbody id="rows"></tbody></table>
<script>
(async () => {
  const res = await fetch(${JSON.stringify(sessionsUrl)});
  const data = await res.json();
  const all = data.sessions.slice().sort((a, b) => b.time - a.time);
  const tbody = document.getElementById('rows');
  const render = (rows) => {
    const frag = document.createDocumentFragment();
    for (const s of rows) {
      const tr = document.createElement('tr');
      tr.dataset.sessionId = s.id;
      const box = document.createElement('td');
      const input = document.createElement('input');
      input.type = 'checkbox';
      box.append(input);
      tr.append(box);
      for (const v of [s.id, s.user, s.host, s.database, s.command, s.time + ' s', s.trxExecutedTime + ' s', s.state, s.sql]) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.append(td);
      }
      frag.append(tr);
    }
    tbody.replaceChildren(frag);
    document.getElementById('count').textContent = rows.length + ' shown';
  };
  render(all);
  document.getElementById('f-q').addEventListener('input', (e) => {
    const q = e.target.value.trim().toLowerCase();
    render(q ? all.filter((s) => s.sql.toLowerCase().includes(q)) : all);
  });
})();
</script></body></html>`;
}

export interface Opened {
  page: Page;
  /** ms from the sessions response (headers) to the first rows painted: body read, parse, checks and render included. */
  paintMs: number;
  /** ms from the response headers to the body read, parsed as JSON (`res.json()`) and decoded, when the page reads it that way. */
  parseMs: number | null;
}

/**
 * Serves the build of apps/web in `dir` over HTTP on a port of its own, as the BFF serves its own:
 * assets cached as immutable (so Chromium keeps their compiled code between pages, as it does for an
 * operator coming back), every other path the app's page; `/api` is passed on to the BFF at `bffUrl`.
 * The sign-in cookie of the BFF's host goes with the requests (cookies do not tell ports apart).
 */
export async function startWebServer(dir: string, bffUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const bff = new URL(bffUrl);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/api/')) {
      const upstream = httpRequest({ host: bff.hostname, port: bff.port, path: req.url, method: req.method, headers: { ...req.headers, host: bff.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
      return;
    }
    const asset = path.startsWith('/assets/') ? join(dir, path) : null;
    if (asset && !existsSync(asset)) return void res.writeHead(404).end();
    const type = !asset ? 'text/html' : asset.endsWith('.css') ? 'text/css' : 'text/javascript';
    res.writeHead(200, { 'content-type': type, 'cache-control': asset ? 'public, max-age=31536000, immutable' : 'no-cache' });
    res.end(readFileSync(asset ?? join(dir, 'index.html')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { url: `http://127.0.0.1:${port}`, close };
}

/**
 * Opens `url` in a fresh page with the sessions routes answered by `bodies`, `holdMs` after the page
 * asks (a real listing of N sessions is N / 100 DAS pages: it never comes the moment it is asked for;
 * at once, the page is still loading when it comes: its first frame, its other requests), once the
 * machine is quiet (the page closed before it, the plain table's thousands of rows, can take seconds
 * to go away on two cores); waits for the table to paint. `pages`: more pages to serve, by path.
 */
export async function openTable(context: BrowserContext, url: string, bodies: SessionsBodies, { holdMs = 0, pages = {} }: { holdMs?: number; pages?: Record<string, string> } = {}): Promise<Opened> {
  await quietCpu();
  const page = await context.newPage();
  await page.addInitScript(INIT_SCRIPT);
  await routeSessions(page, bodies, holdMs > 0 ? () => new Promise((resolve) => setTimeout(resolve, holdMs)) : undefined);
  for (const [path, html] of Object.entries(pages)) {
    await page.route(`**${path}`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
  }
  await page.goto(url);
  await page.waitForFunction('window.__bench.paintedAt !== null', undefined, { timeout: 180_000 });
  const t = (await page.evaluate('window.__bench')) as { responseAt: number; parsedAt: number | null; paintedAt: number };
  return { page, paintMs: t.paintedAt - t.responseAt, parseMs: t.parsedAt === null ? null : t.parsedAt - t.responseAt };
}

/**
 * Types `text` into the input one character at a time (value set + `input` event, as a keystroke
 * does) and returns, per keystroke, the time until the last DOM change it caused: the event
 * handler, the work React schedules after it (followed until the main thread is idle), and style +
 * layout (forced). Paint is not included.
 */
export async function timeKeystrokes(page: Page, selector: string, text: string): Promise<number[]> {
  // A string, not a function: tsx's name-keeping helpers do not exist in the page.
  return page.evaluate(`(${KEYSTROKES_SCRIPT})(${JSON.stringify(selector)}, ${JSON.stringify(text)})`) as Promise<number[]>;
}

/** Clicks the element `selector` (a sort button) and returns the time until the last DOM change it caused, measured like a keystroke. */
export async function timeClick(page: Page, selector: string): Promise<number> {
  return page.evaluate(`(${CLICK_SCRIPT})(${JSON.stringify(selector)})`) as Promise<number>;
}

// Follows the work an action schedules (router update, React's concurrent render in 5 ms slices):
// it runs in later tasks and touches the DOM only when it commits. Follow the task queue until five
// tick round-trips in a row come back at once (nothing else ran in between); the action is done at
// the last DOM change seen (plus forced style and layout).
const MEASURE_ACTION = `async (act) => {
  const tick = () => new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(0);
  });
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  await tick();
  let mutations = 0;
  const mo = new MutationObserver((list) => { mutations += list.length; });
  mo.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  const t0 = performance.now();
  act();
  void document.body.offsetHeight;
  let done = performance.now();
  await Promise.resolve();
  let seen = mutations;
  for (let idle = 0, i = 0; idle < 5 && i < 20000; i++) {
    const before = performance.now();
    await tick();
    const now = performance.now();
    if (mutations !== seen) {
      seen = mutations;
      void document.body.offsetHeight;
      done = performance.now();
    }
    idle = now - before < 1.5 ? idle + 1 : 0;
  }
  mo.disconnect();
  return done - t0;
}`;

const KEYSTROKES_SCRIPT = `async (selector, text) => {
  const measure = ${MEASURE_ACTION};
  const input = document.querySelector(selector);
  if (!input) throw new Error('no ' + selector);
  input.focus();
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  const times = [];
  let typed = '';
  for (const ch of text) {
    typed += ch;
    times.push(await measure(() => {
      setter.call(input, typed);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }));
  }
  return times;
}`;

const CLICK_SCRIPT = `async (selector) => {
  const measure = ${MEASURE_ACTION};
  const el = document.querySelector(selector);
  if (!el) throw new Error('no ' + selector);
  return measure(() => el.click());
}`;

/** JS heap in use after a full GC, in MB (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage). */
export async function pageHeapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
  await cdp.detach();
  return usage.usedSize / 1024 / 1024;
}
