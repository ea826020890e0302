// `./quell bench`: runs every bench/*.bench.ts in its own process, one after another, and prints
// one table of ratio, target and pass/miss. `./quell bench signing kill` runs only those.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanUpAfterCrash, readMaxConnections } from './lib/cleanup.ts';
import { RESULT_PREFIX, type BenchResult } from './lib/report.ts';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const results: Array<BenchResult & { file: string }> = [];
const started = Date.now();
const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
for (const file of files) {
  process.stderr.write(`\n== ${file}\n`);
  const fileStarted = Date.now();
  const maxConnectionsBefore = await readMaxConnections();
  const run = spawnSync(join(here, '../node_modules/.bin/tsx'), [join(here, file)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = (run.stdout ?? '').split('\n');
  for (const line of lines) if (!line.startsWith(RESULT_PREFIX) && line.trim()) process.stderr.write(`${line}\n`);
  const found = lines.filter((l) => l.startsWith(RESULT_PREFIX)).map((l) => JSON.parse(l.slice(RESULT_PREFIX.length)) as BenchResult);
  if (found.length === 0) {
    results.push({ file, name: file.replace('.bench.ts', ''), question: '?', ratio: null, target: '-', pass: false, figures: {}, note: `no result (exit ${run.status})` });
  }
  for (const r of found) results.push({ ...r, file });
  if (run.status !== 0) {
    process.stderr.write(`== ${file} ended abnormally (exit ${run.status}, signal ${run.signal}): cleaning up after it\n`);
    await cleanUpAfterCrash(maxConnectionsBefore, (line) => process.stderr.write(`   ${line}\n`));
  }
  process.stderr.write(`== ${file}: ${((Date.now() - fileStarted) / 1000).toFixed(0)} s\n`);
}

const fmt = (n: number | null) => (n === null ? '-' : Number.isInteger(n) || Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));
const machine = `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
console.log(`\nQuell benchmarks — ${new Date().toISOString()} — ${machine} — load average at start ${load} — ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
console.log(`| question | benchmark | ratio | target | result | figures |`);
console.log(`|---|---|---|---|---|---|`);
// In question order (1…7, then anything else), whatever the file names.
const order = (q: string) => (/^\d+$/.test(q) ? Number(q) : 100);
results.sort((a, b) => order(a.question) - order(b.question) || a.name.localeCompare(b.name));
for (const r of results) {
  const figures = Object.entries(r.figures).map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`).join(', ');
  console.log(`| ${r.question} | ${r.name} | ${fmt(r.ratio)} | ${r.target} | ${r.pass ? 'pass' : 'MISS'} | ${figures}${r.note ? ` (${r.note})` : ''} |`);
}
