// The BFF at 100 000 sessions: one listing of N sessions through the BFF (N / 100 DAS pages, the BFF
// answering them as one response), in the object form and in the compact form the web app reads,
// against the same pages fetched by DasClient straight from das-local, in the same run, the order
// rotating round by round. Also the BFF's peak RSS during its listings against its RSS idle.
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
  const compactMs: number[] = [];
  const directMs: number[] = [];
  const ratios: number[] = [];
  const compactRatios: number[] = [];
  const peaks: number[] = [];
  const SIDES = ['bff', 'compact', 'direct'] as const;
  const list = async (side: (typeof SIDES)[number]) =>
    side === 'bff'
      ? (await bff.listSessions(INSTANCE_NAME, { user: USER })).sessions.length
      : side === 'compact'
        ? (await bff.listSessionColumns(INSTANCE_NAME, { user: USER })).sessions.length
        : (await direct.listProcesses(params)).length;
  for (let r = 0; r < ROUNDS; r++) {
    const order = SIDES.map((_, i) => SIDES[(i + r) % SIDES.length]!);
    const got: Record<string, number> = {};
    for (const side of order) {
      if (side !== 'direct') resetPeakRss(stack.bffPid);
      const t0 = performance.now();
      const count = await list(side);
      got[side] = performance.now() - t0;
      if (count !== N) throw new Error(`${side} listed ${count} sessions, not ${N}`);
      if (side !== 'direct') peaks.push(memoryOf(stack.bffPid)!.hwmMb);
    }
    bffMs.push(got.bff!);
    compactMs.push(got.compact!);
    directMs.push(got.direct!);
    ratios.push(got.bff! / got.direct!);
    compactRatios.push(got.compact! / got.direct!);
    console.log(
      `  N=${N} round ${r + 1}: BFF ${got.bff!.toFixed(0)} ms, compact ${got.compact!.toFixed(0)} ms (peak RSS ${Math.max(...peaks.slice(-2)).toFixed(0)} MB) | DasClient ${got.direct!.toFixed(0)} ms | ${(got.bff! / got.direct!).toFixed(2)}×, compact ${(got.compact! / got.direct!).toFixed(2)}×`,
    );
  }
  direct.close();
  const ratio = median(ratios);
  const compactRatio = median(compactRatios);
  const peakMb = Math.max(...peaks);
  report({
    name: `listing-${N}`,
    question: 'scale',
    ratio: Number(ratio.toFixed(2)),
    target: 'BFF ≤ 1.3× DasClient alone, in either form; BFF peak RSS ≤ 2× idle',
    pass: ratio <= 1.3 && compactRatio <= 1.3 && peakMb <= 2 * idleMb,
    figures: {
      bff_ms: Math.round(median(bffMs)),
      bff_compact_ms: Math.round(median(compactMs)),
      compact_ratio: Number(compactRatio.toFixed(2)),
      dasclient_ms: Math.round(median(directMs)),
      pages: Math.ceil(N / 100),
      bff_idle_rss_mb: Math.round(idleMb),
      bff_peak_rss_mb: Math.round(peakMb),
      rss_ratio: Number((peakMb / idleMb).toFixed(2)),
      rounds: ROUNDS,
    },
    note: `das-local in its bench-only mode (DAS_LOCAL_BENCH_SYNTHETIC_PROCESSES=${N}): made-up threads, so this measures the BFF and the client, not MariaDB; ratio = BFF (object form) / DasClient; BFF side = the browser's request until the whole JSON body is parsed (the compact form also decoded into sessions); DasClient side = listProcesses over the same pages; peak RSS = VmHWM of the BFF during its listing (reset before each)`,
  });
} finally {
  await stack.stop();
  await dropBenchDasAccount(stack);
}
