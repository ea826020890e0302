// Question 4 — bundle size. The JavaScript and CSS that apps/web/dist/index.html loads up front
// (entry script, modulepreloads and the entry's static imports; not the lazy route chunks), gzip
// level 9 and raw. Baseline: a bare React 19 + ReactDOM "hello" page built by the same Vite, so the
// ratio says how much Quell's first download weighs against React alone.
//
//   pnpm exec tsx bench/bundle.bench.ts
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, posix } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ensureWebBuild } from './lib/browser.ts';
import { report } from './lib/report.ts';
import { REPO_ROOT } from '../scripts/lib/repo-root.ts';

interface Initial {
  js: string[];
  css: string[];
  lazy: string[];
}

/** Files index.html loads before anything is clicked: scripts, stylesheets, modulepreloads and their static imports. */
function initialFiles(dist: string): Initial {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const attr = (tag: string, name: string) => tag.match(new RegExp(`\\b${name}="([^"]+)"`))?.[1];
  const js = new Set<string>();
  const css = new Set<string>();
  for (const tag of html.match(/<script\b[^>]*>/g) ?? []) {
    const src = attr(tag, 'src');
    if (src) js.add(src.replace(/^\//, ''));
  }
  for (const tag of html.match(/<link\b[^>]*>/g) ?? []) {
    const rel = attr(tag, 'rel');
    const href = attr(tag, 'href');
    if (!href) continue;
    if (rel === 'stylesheet') css.add(href.replace(/^\//, ''));
    if (rel === 'modulepreload') js.add(href.replace(/^\//, ''));
  }
  // Static imports (import … from "./x.js", import "./x.js", export … from "./x.js") pull more in; import("./x.js") does not.
  const lazy = new Set<string>();
  const queue = [...js];
  while (queue.length) {
    const file = queue.shift()!;
    const code = readFileSync(join(dist, file), 'utf8');
    const base = posix.dirname(file);
    for (const m of code.matchAll(/(?:^|[^\w$.])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?["'`](\.{1,2}\/[^"'`]+)["'`]/g)) {
      const dep = posix.normalize(posix.join(base, m[1]!));
      if (dep.endsWith('.css')) css.add(dep);
      else if (!js.has(dep)) {
        js.add(dep);
        queue.push(dep);
      }
    }
  }
  // Every other chunk is loaded later, when a route needs it.
  for (const f of readdirSync(join(dist, 'assets'))) if (f.endsWith('.js') && !js.has(`assets/${f}`)) lazy.add(`assets/${f}`);
  return { js: [...js], css: [...css], lazy: [...lazy] };
}

function sizes(dist: string, files: string[]): { raw: number; gzip: number } {
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const buf = readFileSync(join(dist, f));
    raw += buf.length;
    gzip += gzipSync(buf, { level: 9 }).length;
  }
  return { raw, gzip };
}

/** A bare React 19 page (createRoot + one element) built with apps/web's own Vite. */
async function buildReactHello(): Promise<string> {
  const web = join(REPO_ROOT, 'apps/web');
  const root = mkdtempSync(join(os.tmpdir(), 'quell-bench-react-hello-'));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><html><body><div id="root"></div><script type="module" src="/src/main.js"></script></body></html>');
  writeFileSync(
    join(root, 'src/main.js'),
    "import { createElement } from 'react';\nimport { createRoot } from 'react-dom/client';\ncreateRoot(document.getElementById('root')).render(createElement('h1', null, 'hello'));\n",
  );
  const vite = (await import(pathToFileURL(join(web, 'node_modules/vite/dist/node/index.js')).href)) as {
    build(config: Record<string, unknown>): Promise<unknown>;
  };
  const resolveFrom = (spec: string) => dirname(join(web, 'node_modules', spec, 'package.json'));
  await vite.build({
    root,
    configFile: false,
    logLevel: 'silent',
    resolve: { alias: { react: resolveFrom('react'), 'react-dom': resolveFrom('react-dom') } },
    build: { outDir: join(root, 'dist'), emptyOutDir: true },
  });
  return root;
}

const dist = ensureWebBuild();
const quell = initialFiles(dist);
const qJs = sizes(dist, quell.js);
const qCss = sizes(dist, quell.css);
const lazy = sizes(dist, quell.lazy);

let helloJs: { raw: number; gzip: number } | undefined;
let helloNote = '';
try {
  const root = await buildReactHello();
  const hello = initialFiles(join(root, 'dist'));
  helloJs = sizes(join(root, 'dist'), hello.js);
  rmSync(root, { recursive: true, force: true });
} catch (err) {
  helloNote = `; React baseline not built: ${(err as Error).message.split('\n')[0]}`;
}

const kb = (n: number) => Number((n / 1024).toFixed(1));
console.log(`  initial JS:  ${quell.js.join(', ')}`);
console.log(`  initial CSS: ${quell.css.join(', ')}`);
console.log(`  lazy chunks: ${quell.lazy.join(', ')}`);
report({
  name: 'bundle',
  question: '4',
  ratio: helloJs ? Number((qJs.gzip / helloJs.gzip).toFixed(2)) : null,
  target: 'initial JS ≤ 150 KB gzip',
  pass: qJs.gzip <= 150 * 1024,
  figures: {
    js_gzip_kb: kb(qJs.gzip),
    js_raw_kb: kb(qJs.raw),
    css_gzip_kb: kb(qCss.gzip),
    css_raw_kb: kb(qCss.raw),
    lazy_js_gzip_kb: kb(lazy.gzip),
    ...(helloJs ? { react_hello_js_gzip_kb: kb(helloJs.gzip) } : {}),
    initial_js_files: quell.js.length,
  },
  note: `ratio = Quell initial JS gzip / a bare React 19 page built by the same Vite (deterministic: no rounds)${helloNote}`,
});
