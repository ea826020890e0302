// Bundles a server app (run from its directory) into dist/ with esbuild, so that production runs
// `node dist/…` with no TypeScript loader. What the app lists under `dependencies` stays external and
// is installed by a production install (native modules and drivers); everything else, the workspace
// packages included, is bundled in.
//
//   tsx ../../scripts/build-server.ts src/index.ts [more entry points]
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

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
const result = await build({
  entryPoints,
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Code behind a dynamic import() (the PostgreSQL and Redis stores) becomes a chunk of its own, so
  // its drivers load only when configured.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  external,
  // Bundled CommonJS (Express and its middleware) calls require(); ESM has none of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
  // Less source for Node to compile at every start; the source maps keep stack traces readable.
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith('.js'))
  .map(([file, out]) => `${file} ${(out.bytes / 1024).toFixed(0)} kB`);
console.log(`${manifest.name}: ${bytes.join(', ')} (external: ${external.join(', ') || 'none'})`);
