// Adds up the JSON reports of every suite into the closing line "N passed, N failed".
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '.quell/test-reports';
let passed = 0;
let failed = 0;
const rows: string[] = [];

for (const file of readdirSync(dir).sort()) {
  const path = join(dir, file);
  if (file.endsWith('.failed')) {
    failed += 1;
    rows.push(`${file.replace('.failed', '').padEnd(28)} FAILED (${readFileSync(path, 'utf8').trim()})`);
    continue;
  }
  if (!file.endsWith('.json')) continue;
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    failed += 1;
    rows.push(`${file.padEnd(28)} unreadable report (the suite crashed)`);
    continue;
  }
  if (file.startsWith('vitest-')) {
    const p = Number(report.numPassedTests ?? 0);
    // A file that failed to load (or whose hooks threw) has no failed test to count it: it counts once.
    const f = Number(report.numFailedTests ?? 0) + countFilesFailedWithoutATest(report);
    passed += p;
    failed += f;
    rows.push(`${file.replace(/^vitest-|\.json$/g, '').padEnd(28)} ${p} passed, ${f} failed, ${Number(report.numPendingTests ?? 0)} skipped`);
  } else if (file === 'playwright.json') {
    const stats = (report.stats ?? {}) as Record<string, number>;
    const p = (stats.expected ?? 0) + (stats.flaky ?? 0);
    const f = (stats.unexpected ?? 0) + ((report.errors as unknown[] | undefined)?.length ?? 0);
    passed += p;
    failed += f;
    rows.push(`${'e2e (playwright)'.padEnd(28)} ${p} passed, ${f} failed, ${stats.skipped ?? 0} skipped${stats.flaky ? ` (${stats.flaky} flaky)` : ''}`);
  }
}

// numFailedTestSuites is no help: it counts describe blocks too, so one failed test in a describe
// block is two failed suites. A file that failed because a test in it failed is counted through that test.
function countFilesFailedWithoutATest(report: Record<string, unknown>): number {
  const results = (report.testResults ?? []) as Array<{ status?: string; assertionResults?: Array<{ status: string }> }>;
  return results.filter((r) => r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed')).length;
}

// Checks that are one pass or one fail each: the file their step wrote, and the line it ends with on success.
const checks = [
  { file: 'deps.txt', name: 'dependency rules', ok: /dependency rules hold/ },
  { file: 'lint.txt', name: 'lint (oxlint)', ok: /^lint passed$/m },
];
for (const check of checks) {
  let output: string;
  try {
    output = readFileSync(join(dir, check.file), 'utf8');
  } catch {
    continue;
  }
  const ok = check.ok.test(output);
  if (ok) passed += 1;
  else failed += 1;
  rows.push(`${check.name.padEnd(28)} ${ok ? '1 passed' : '1 failed'}`);
}

console.log(rows.join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
