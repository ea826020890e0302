// Question 2 — kill at scale. N real MariaDB sessions (the benchmark's own account) killed by one
// commit through BFF → das-local, against a direct mysql2 `KILL CONNECTION` loop over the same
// number of sessions, for N = 10, 100, 1 000, in alternating rounds. The commit answers only once
// it has verified the sessions are gone, so the baseline is timed the same way: the KILL loop, then
// until the process list no longer shows them (the loop alone is reported too).
//
//   pnpm exec tsx bench/kill.bench.ts [N ...]      (default 10 100 1000)
import { sampleRss } from './lib/proc.ts';
import { BffClient } from './lib/bff-client.ts';
import { median, report } from './lib/report.ts';
import { createBenchSandbox, withMaxConnections } from './lib/sandbox.ts';
import { dropBenchDasAccount, INSTANCE_NAME, startBenchStack } from './lib/stack.ts';

const SIZES = process.argv.slice(2).length ? process.argv.slice(2).map(Number) : [10, 100, 1000];
const roundsFor = (n: number) => Number(process.env.QUELL_BENCH_ROUNDS ?? (n >= 1000 ? 3 : 5));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  n: number;
  previewMs: number[];
  commitMs: number[];
  loopMs: number[];
  loopGoneMs: number[];
  ratios: number[];
}

const sandbox = await createBenchSandbox('kill');
try {
  await withMaxConnections(sandbox.target, 2000, async () => {
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
        if (result.summary.killed !== n) throw new Error(`commit of ${n}: ${JSON.stringify(result.summary)}`);
        row.previewMs.push(t1 - t0);
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
        const row: Row = { n, previewMs: [], commitMs: [], loopMs: [], loopGoneMs: [], ratios: [] };
        for (let r = 0; r < roundsFor(n); r++) {
          let b: number;
          let d: number;
          if (r % 2 === 0) {
            b = await bffSide(n, row);
            d = await directSide(n, row);
          } else {
            d = await directSide(n, row);
            b = await bffSide(n, row);
          }
          row.ratios.push(b / d);
          console.log(`  N=${n} round ${r + 1}: commit ${b.toFixed(0)} ms (preview ${row.previewMs.at(-1)!.toFixed(0)} ms), KILL loop ${row.loopMs.at(-1)!.toFixed(0)} ms, loop+gone ${d.toFixed(0)} ms`);
        }
        rows.push(row);
      }
      const peak = rss.stop();
      const figures: Record<string, number> = {};
      for (const row of rows) {
        figures[`commit_ms_${row.n}`] = Math.round(median(row.commitMs));
        figures[`preview_ms_${row.n}`] = Math.round(median(row.previewMs));
        figures[`kill_loop_ms_${row.n}`] = Number(median(row.loopMs).toFixed(1));
        figures[`loop_gone_ms_${row.n}`] = Number(median(row.loopGoneMs).toFixed(1));
        figures[`ratio_${row.n}`] = Number(median(row.ratios).toFixed(2));
        figures[`ratio_vs_loop_only_${row.n}`] = Number((median(row.commitMs) / median(row.loopMs)).toFixed(1));
      }
      figures.bff_peak_rss_mb = Math.round(peak.bff!);
      figures.das_peak_rss_mb = Math.round(peak.das!);
      const top = rows.find((r) => r.n === 1000) ?? rows.at(-1)!;
      const ratio = median(top.ratios);
      const small = rows[0]!;
      const growth = `commit ${Math.round(median(small.commitMs))} → ${Math.round(median(top.commitMs))} ms and KILL loop+gone ${Math.round(median(small.loopGoneMs))} → ${Math.round(median(top.loopGoneMs))} ms for N ${small.n} → ${top.n}`;
      report({
        name: 'kill',
        question: '2',
        ratio: Number(ratio.toFixed(2)),
        target: `≤ 3× at N=${top.n}`,
        pass: ratio <= 3,
        figures,
        note: `ratio = commit (re-list, chunked DAS kills, verified) / (mysql2 KILL loop + until gone from PROCESSLIST); ${growth}`,
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
