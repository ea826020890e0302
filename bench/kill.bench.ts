// Question 2 — kill at scale. N real MariaDB sessions (the benchmark's own account) killed by one
// commit through BFF → das-local, against a direct mysql2 `KILL CONNECTION` loop over the same
// number of sessions, for N = 10, 100, 1 000, 5 000, in alternating rounds. The commit answers only
// once it has verified the sessions are gone, so the baseline is timed the same way: the KILL loop,
// then until the process list no longer shows them (the loop alone is reported too).
// max_connections is raised for the run and put back afterwards, also on failure or a signal; an N
// that the open-files limits (MariaDB's or this process's) cannot hold is skipped, and says so.
//
//   pnpm exec tsx bench/kill.bench.ts [N ...]      (default 10 100 1000 5000)
import { readFileSync } from 'node:fs';
import { sampleRss } from './lib/proc.ts';
import { BffClient } from './lib/bff-client.ts';
import { median, report } from './lib/report.ts';
import { createBenchSandbox, withMaxConnections } from './lib/sandbox.ts';
import { dropBenchDasAccount, INSTANCE_NAME, startBenchStack } from './lib/stack.ts';

const REQUESTED = process.argv.slice(2).length ? process.argv.slice(2).map(Number) : [10, 100, 1000, 5000];
/** The sizes the commit is held to ≤ 1.5× the KILL loop at. */
const TARGET_SIZES = [1000, 5000];
const TARGET_RATIO = 1.5;
/** Connections beyond the benchmark's own sessions: the stack's pools, the admin, other users of the server. */
const HEADROOM = 1000;
const roundsFor = (n: number) => Number(process.env.QUELL_BENCH_ROUNDS ?? (n >= 1000 ? 3 : 5));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  n: number;
  previewMs: number[];
  commitMs: number[];
  loopMs: number[];
  loopGoneMs: number[];
  ratios: number[];
  loopOnlyRatios: number[];
  /** Rounds whose commit did not kill all N (e.g. sessions it judged changed since the preview). */
  failures: string[];
}

/** This process's soft RLIMIT_NOFILE (Linux), or undefined when it cannot be read. */
function ownOpenFilesLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

const sandbox = await createBenchSandbox('kill');
try {
  // Every session is one socket here and one file descriptor (plus a thread) in MariaDB.
  const [limits] = await sandbox.admin.query('SELECT @@GLOBAL.open_files_limit AS files, @@GLOBAL.table_open_cache AS tables');
  const { files: serverFiles, tables } = (limits as Array<{ files: number; tables: number }>)[0]!;
  const ownFiles = ownOpenFilesLimit();
  const skipped: string[] = [];
  const SIZES = REQUESTED.filter((n) => {
    const serverRoom = Number(serverFiles) - Number(tables) - HEADROOM;
    const ownRoom = ownFiles === undefined ? Infinity : ownFiles - 200;
    if (n <= serverRoom && n <= ownRoom) return true;
    skipped.push(`N=${n} (MariaDB open_files_limit ${serverFiles}, table_open_cache ${tables}; this process's open files ${ownFiles ?? 'unlimited'})`);
    return false;
  });
  for (const s of skipped) console.log(`  skipped ${s}`);
  if (SIZES.length === 0) throw new Error(`no size fits the open-files limits: ${skipped.join('; ')}`);
  await withMaxConnections(sandbox.target, Math.max(2000, Math.max(...SIZES) + HEADROOM), async () => {
    const user = await sandbox.user('app');
    const stack = await startBenchStack({ name: 'kill', bffPort: 3420, dasPort: 8820, blastRadiusCap: 50 });
    const rss = sampleRss({ bff: stack.bffPid, das: stack.dasPid });
    try {
      const bff = await BffClient.login(stack.url, stack.operator.username, stack.operator.password);
      // Warm-up: one small kill each way, so neither side pays first-call costs in round 1.
      {
        const ids = await sandbox.openMany(user, 5, { parallel: 25 });
        const p = await bff.preview(INSTANCE_NAME, { user });
        await bff.commit(p.previewId, { reason: 'benchmark warm-up' });
        await sandbox.closeAll();
        if ((await sandbox.alive(ids)).length) throw new Error('warm-up sessions survived');
      }

      const bffSide = async (n: number, row: Row) => {
        const ids = await sandbox.openMany(user, n, { parallel: 25 });
        const t0 = performance.now();
        const preview = await bff.preview(INSTANCE_NAME, { user });
        const t1 = performance.now();
        if (preview.targets.length !== n) throw new Error(`preview found ${preview.targets.length} of ${n} sessions`);
        const result = await bff.commit(preview.previewId, {
          reason: `benchmark: kill ${n} sessions`,
          ...(preview.requiresTypedConfirmation ? { confirmInstanceName: preview.instanceName } : {}),
        });
        const t2 = performance.now();
        row.previewMs.push(t1 - t0);
        if (result.summary.killed !== n) {
          // A failed round, counted and reported; what the commit left is ended here so the next round starts clean.
          row.failures.push(`commit of ${n} after a ${Math.round(t1 - t0)} ms preview: ${JSON.stringify(result.summary)}`);
          // what the commit saw, beside what the preview showed, for the sessions it did not kill (the first few)
          const previewed = new Map(preview.targets.map((t) => [t.id, t]));
          for (const o of result.outcomes.filter((o) => o.outcome !== 'killed').slice(0, 5)) console.log(`    not killed: ${JSON.stringify(o)}; previewed as ${JSON.stringify(previewed.get(o.sessionId))}`);
          const left = await sandbox.alive(ids);
          for (const id of left) await sandbox.admin.query(`KILL CONNECTION ${Number(id)}`).catch(() => {});
          await sandbox.closeAll();
          return undefined;
        }
        row.commitMs.push(t2 - t1);
        await sandbox.closeAll();
        if ((await sandbox.alive(ids)).length) throw new Error('sessions survived the commit');
        return t2 - t1;
      };
      const directSide = async (n: number, row: Row) => {
        const ids = await sandbox.openMany(user, n, { parallel: 25 });
        const t0 = performance.now();
        for (const id of ids) await sandbox.admin.query(`KILL CONNECTION ${Number(id)}`);
        const t1 = performance.now();
        for (let i = 0; i < 3000 && (await sandbox.alive(ids)).length > 0; i++) await sleep(5);
        const t2 = performance.now();
        row.loopMs.push(t1 - t0);
        row.loopGoneMs.push(t2 - t0);
        await sandbox.closeAll();
        return t2 - t0;
      };

      const rows: Row[] = [];
      for (const n of SIZES) {
        const row: Row = { n, previewMs: [], commitMs: [], loopMs: [], loopGoneMs: [], ratios: [], loopOnlyRatios: [], failures: [] };
        for (let r = 0; r < roundsFor(n); r++) {
          let b: number | undefined;
          let d: number;
          if (r % 2 === 0) {
            b = await bffSide(n, row);
            d = await directSide(n, row);
          } else {
            d = await directSide(n, row);
            b = await bffSide(n, row);
          }
          if (b === undefined) {
            console.log(`  N=${n} round ${r + 1}: FAILED ${row.failures.at(-1)}; KILL loop ${row.loopMs.at(-1)!.toFixed(0)} ms, loop+gone ${d.toFixed(0)} ms`);
            continue;
          }
          row.ratios.push(b / d);
          row.loopOnlyRatios.push(b / row.loopMs.at(-1)!);
          console.log(`  N=${n} round ${r + 1}: commit ${b.toFixed(0)} ms (preview ${row.previewMs.at(-1)!.toFixed(0)} ms), KILL loop ${row.loopMs.at(-1)!.toFixed(0)} ms, loop+gone ${d.toFixed(0)} ms`);
        }
        rows.push(row);
      }
      const peak = rss.stop();
      const figures: Record<string, number | string> = {};
      // Every round of an N may have failed: no median then.
      const fig = (values: number[], digits: number) => (values.length === 0 ? 'n/a' : Number(median(values).toFixed(digits)));
      for (const row of rows) {
        figures[`commit_ms_${row.n}`] = fig(row.commitMs, 0);
        figures[`preview_ms_${row.n}`] = fig(row.previewMs, 0);
        figures[`kill_loop_ms_${row.n}`] = fig(row.loopMs, 1);
        figures[`loop_gone_ms_${row.n}`] = fig(row.loopGoneMs, 1);
        figures[`ratio_${row.n}`] = fig(row.ratios, 2);
        figures[`ratio_vs_loop_only_${row.n}`] = fig(row.loopOnlyRatios, 2);
        figures[`failed_rounds_${row.n}`] = row.failures.length;
        if (row.failures.length > 0) figures[`first_failure_${row.n}`] = row.failures[0]!;
      }
      figures.bff_peak_rss_mb = Math.round(peak.bff!);
      figures.das_peak_rss_mb = Math.round(peak.das!);
      // Held to the target: N = 1 000 and 5 000 where they ran; otherwise the largest N that did.
      const held = rows.filter((r) => TARGET_SIZES.includes(r.n));
      const judged = held.length > 0 ? held : [rows.at(-1)!];
      // A size whose every round failed counts as a miss of unknown ratio.
      const ratioOf = (r: Row) => (r.ratios.length === 0 ? Infinity : median(r.ratios));
      const worst = judged.reduce((a, b) => (ratioOf(b) > ratioOf(a) ? b : a));
      const ratio = ratioOf(worst);
      const failedRounds = rows.reduce((k, r) => k + r.failures.length, 0);
      const small = rows[0]!;
      const top = rows.at(-1)!;
      const growth = `commit ${fig(small.commitMs, 0)} → ${fig(top.commitMs, 0)} ms and KILL loop+gone ${fig(small.loopGoneMs, 0)} → ${fig(top.loopGoneMs, 0)} ms for N ${small.n} → ${top.n}`;
      const missing = TARGET_SIZES.filter((n) => !rows.some((r) => r.n === n));
      report({
        name: 'kill',
        question: '2',
        ratio: Number.isFinite(ratio) ? Number(ratio.toFixed(2)) : null,
        target: `≤ ${TARGET_RATIO}× at N=${judged.map((r) => r.n).join(' and ')}`,
        pass: judged.every((r) => ratioOf(r) <= TARGET_RATIO) && missing.length === 0 && failedRounds === 0,
        figures: { ...figures, ...(skipped.length ? { skipped: skipped.join('; ') } : {}) },
        note: `ratio = commit (re-list, chunked DAS kills, verified) / (mysql2 KILL loop + until gone from PROCESSLIST), the worst of N=${judged.map((r) => r.n).join(', ')}; ${growth}${missing.length ? `; not run: N=${missing.join(', ')}` : ''}${failedRounds ? `; ${failedRounds} failed rounds` : ''}`,
      });
    } finally {
      rss.stop();
      await stack.stop();
      await dropBenchDasAccount(stack);
    }
  });
} finally {
  await sandbox.drop();
}
