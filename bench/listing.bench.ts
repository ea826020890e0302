// The BFF at 100 000 sessions: one listing of N sessions through the BFF (N / 100 DAS pages, the BFF
// answering them as one response), against the same pages fetched by DasClient straight from
// das-local, in the same run, alternating round by round. Also the BFF's peak RSS during its
// listings against its RSS idle.
//
// MariaDB cannot hold 100 000 connections on a test machine, so das-local runs in its bench-only
// mode (DAS_LOCAL_BENCH_SYNTHETIC_PROCESSES=N): ListProcesses answers N made-up threads, each page
// made on demand from its offset. This measures the BFF and the DAS client, not MariaDB.
//
//   pnpm exec tsx bench/listing.bench.ts [N]      (default 100000)
import { writeFileSync } from 'node:fs';
import { BffClient } from './lib/bff-client.ts';
import { memoryOf } from './lib/proc.ts';
import { median, report } from './lib/report.ts';
import { dropBenchDasAccount, INSTANCE_NAME, startBenchStack } from './lib/stack.ts';

const N = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.env.QUELL_BENCH_ROUNDS ?? 5);
const USER = 'app';

/** Forgets the process's peak RSS (VmHWM), so the next reading is the peak from now on (Linux, own processes). */
function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

const stack = await startBenchStack({ name: 'listing', bffPort: 3490, dasPort: 8890, env: { DAS_LOCAL_BENCH_SYNTHETIC_PROCESSES: String(N) } });
try {
  const bff = await BffClient.login(stack.url, stack.operator.username, stack.operator.password);
  const direct = stack.direct();
  const params = { instanceId: stack.secrets.dasInstanceId, dbUserId: stack.dbUserId, user: USER };
  // Idle: started, one operator signed in, nothing listed yet.
  await new Promise((r) => setTimeout(r, 1000));
  const idleMb = memoryOf(stack.bffPid)!.rssMb;

  const bffMs: number[] = [];
  const directMs: number[] = [];
  const ratios: number[] = [];
  const peaks: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['bff', 'direct'] as const) : (['direct', 'bff'] as const);
    const got: Record<string, number> = {};
    for (const side of order) {
      if (side === 'bff') resetPeakRss(stack.bffPid);
      const t0 = performance.now();
      const count = side === 'bff' ? (await bff.listSessions(INSTANCE_NAME, { user: USER })).sessions.length : (await direct.listProcesses(params)).length;
      got[side] = performance.now() - t0;
      if (count !== N) throw new Error(`${side} listed ${count} sessions, not ${N}`);
      if (side === 'bff') peaks.push(memoryOf(stack.bffPid)!.hwmMb);
    }
    bffMs.push(got.bff!);
    directMs.push(got.direct!);
    ratios.push(got.bff! / got.direct!);
    console.log(`  N=${N} round ${r + 1}: BFF ${got.bff!.toFixed(0)} ms (peak RSS ${peaks.at(-1)!.toFixed(0)} MB) | DasClient ${got.direct!.toFixed(0)} ms | ${(got.bff! / got.direct!).toFixed(2)}×`);
  }
  direct.close();
  const ratio = median(ratios);
  const peakMb = Math.max(...peaks);
  report({
    name: `listing-${N}`,
    question: 'scale',
    ratio: Number(ratio.toFixed(2)),
    target: 'BFF ≤ 1.3× DasClient alone; BFF peak RSS ≤ 2× idle',
    pass: ratio <= 1.3 && peakMb <= 2 * idleMb,
    figures: {
      bff_ms: Math.round(median(bffMs)),
      dasclient_ms: Math.round(median(directMs)),
      pages: Math.ceil(N / 100),
      bff_idle_rss_mb: Math.round(idleMb),
      bff_peak_rss_mb: Math.round(peakMb),
      rss_ratio: Number((peakMb / idleMb).toFixed(2)),
      rounds: ROUNDS,
    },
    note: `das-local in its bench-only mode (DAS_LOCAL_BENCH_SYNTHETIC_PROCESSES=${N}): made-up threads, so this measures the BFF and the client, not MariaDB; BFF side = the browser's request until the whole JSON body is parsed; DasClient side = listProcesses over the same pages; peak RSS = VmHWM of the BFF during its listing (reset before each)`,
  });
} finally {
  await stack.stop();
  await dropBenchDasAccount(stack);
}
