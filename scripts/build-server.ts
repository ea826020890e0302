// Bundles a server app (run from its directory) into dist/ with esbuild, so that production runs
// `node dist/…` with no TypeScript loader. What the app lists under `dependencies` stays external and
// is installed by a production install (native modules and drivers); everything else, the workspace
// packages included, is bundled in.
//
//   tsx ../../scripts/build-server.ts src/index.ts [more entry points]
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const LAUNCHER = fileURLToPath(new URL('server-launcher.ts', import.meta.url));
/** src/cli/users.ts → cli/users.bundle (its launcher is dist/cli/users.js, as the entry was before). */
const bundleName = (entry: string) => `${entry.replace(/^src\//, '').replace(/\.tsx?$/, '')}.bundle`;

const entryPoints = process.argv.slice(2);
if (entryPoints.length === 0) {
  console.error('usage: build-server.ts <entry.ts>…');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
const external = Object.keys(manifest.dependencies ?? {}).filter((name) => !name.startsWith('@quell/'));
if (Object.keys(manifest.dependencies ?? {}).some((name) => name.startsWith('@quell/'))) {
  console.error(`${manifest.name}: workspace packages are bundled, so they belong in devDependencies`);
  process.exit(1);
}

rmSync('dist', { recursive: true, force: true });
// Each entry point becomes one CommonJS bundle (dist/<entry>.bundle.js) that the launcher beside it
// (dist/<entry>.js, server-launcher.ts) runs through V8's code cache. One bundle per entry, no code
// splitting: the code behind a dynamic import() (the PostgreSQL and Redis stores, openid-client) is in
// it but is neither run nor compiled until imported, and the drivers it needs load only then.
const result = await build({
  entryPoints: entryPoints.map((entry) => ({ in: entry, out: bundleName(entry) })),
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external,
  // The bundle exports the server as one function, which the launcher calls like a CommonJS module.
  banner: { js: 'module.exports = function (exports, require, module, __filename, __dirname, __importMetaUrl) {' },
  footer: { js: '};' },
  define: { 'import.meta.url': '__importMetaUrl' },
  // Less source to read and compile; the source maps keep stack traces readable.
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
for (const entry of entryPoints) {
  const bundle = `${bundleName(entry)}.js`;
  const hash = createHash('sha256').update(readFileSync(join('dist', bundle))).digest('hex').slice(0, 16);
  await build({
    entryPoints: [{ in: LAUNCHER, out: bundle.replace(/\.bundle\.js$/, '') }],
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    define: { SERVER_BUNDLE: JSON.stringify(`./${basename(bundle)}`), SERVER_BUNDLE_HASH: JSON.stringify(hash) },
    legalComments: 'none',
    logLevel: 'warning',
  });
}
// The app's package.json says "type": "module"; dist/ holds CommonJS.
writeFileSync(join('dist', 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);

const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith('.js'))
  .map(([file, out]) => `${file} ${(out.bytes / 1024).toFixed(0)} kB`);
console.log(`${manifest.name}: ${bytes.join(', ')} (external: ${external.join(', ') || 'none'})`);
