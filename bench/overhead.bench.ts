// Question 1 — BFF overhead. Listing sessions, and a one-session preview + commit, through the BFF
// against the same DAS calls signed and sent straight to das-local, under closed-loop load from a
// second process on loopback. BFF and direct runs alternate round by round; the ratios are medians
// of the per-round ratios.
//
//   pnpm exec tsx bench/overhead.bench.ts
//   QUELL_BENCH_ROUNDS=5 QUELL_BENCH_ROUND_SECONDS=4 (defaults)
import os from 'node:os';
import { runLoad, type LoadResult, type LoadSpec } from './lib/load.ts';
import { sampleRss } from './lib/proc.ts';
import { median, report } from './lib/report.ts';
import { createBenchSandbox, withMaxConnections } from './lib/sandbox.ts';
import { dropBenchDasAccount, INSTANCE_NAME, startBenchStack } from './lib/stack.ts';
import { routes } from '@quell/contracts/routes';

const ROUNDS = Number(process.env.QUELL_BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.QUELL_BENCH_ROUND_SECONDS ?? 4);
const LIST_CONCURRENCY = 8;
const LIST_SESSIONS = 50;
const KILL_CONCURRENCY = 4;

const sandbox = await createBenchSandbox('ovh');
try {
  await withMaxConnections(sandbox.target, 1000, async () => {
    const listUser = await sandbox.user('list');
    const killUser = await sandbox.user('kill');
    await sandbox.openMany(listUser, LIST_SESSIONS, { parallel: 25 });
    const stack = await startBenchStack({ name: 'overhead', bffPort: 3410, dasPort: 8810 });
    try {
      const base = (mode: LoadSpec['mode'], user: string, concurrency: number): LoadSpec => ({
        mode,
        seconds: SECONDS,
        warmupSeconds: 1,
        concurrency,
        sessionsPerClient: 90,
        user,
        bff: { url: stack.url, ...stack.operator, instanceId: INSTANCE_NAME },
        das: { endpoint: stack.dasUrl, projectId: stack.secrets.projectId, ak: stack.secrets.ak, sk: stack.secrets.sk, dasInstanceId: stack.secrets.dasInstanceId, dbUserId: stack.dbUserId },
        mysql: { host: sandbox.target.host, port: sandbox.target.port, password: sandbox.password, database: sandbox.database },
      });
      const rss = sampleRss({ bff: stack.bffPid, das: stack.dasPid });

      for (const scenario of ['list', 'kill'] as const) {
        const user = scenario === 'list' ? listUser : killUser;
        const concurrency = scenario === 'list' ? LIST_CONCURRENCY : KILL_CONCURRENCY;
        const bff: LoadResult[] = [];
        const direct: LoadResult[] = [];
        const p50Ratios: number[] = [];
        const rpsRatios: number[] = [];
        for (let r = 0; r < ROUNDS; r++) {
          const order = r % 2 === 0 ? (['bff', 'direct'] as const) : (['direct', 'bff'] as const);
          const got: Partial<Record<'bff' | 'direct', LoadResult>> = {};
          for (const side of order) {
            const result = await runLoad(base(`${side}-${scenario}`, user, concurrency));
            got[side] = result;
            console.log(
              `  ${scenario} round ${r + 1} ${side.padEnd(6)} ${result.ops} ops, ${result.rps.toFixed(1)}/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, errors ${result.errors}${result.firstError ? ` (${result.firstError})` : ''}`,
            );
          }
          bff.push(got.bff!);
          direct.push(got.direct!);
          p50Ratios.push(got.bff!.p50 / got.direct!.p50);
          rpsRatios.push(got.bff!.rps / got.direct!.rps);
        }
        // Without contention: one client, so the ratio shows the extra hop itself rather than CPU queueing.
        const solo: Record<'bff' | 'direct', number[]> = { bff: [], direct: [] };
        const soloRatios: number[] = [];
        for (let r = 0; r < 3; r++) {
          const order = r % 2 === 0 ? (['bff', 'direct'] as const) : (['direct', 'bff'] as const);
          const got: Partial<Record<'bff' | 'direct', number>> = {};
          for (const side of order) got[side] = (await runLoad({ ...base(`${side}-${scenario}`, user, 1), seconds: 3, sessionsPerClient: 60 })).p50;
          solo.bff.push(got.bff!);
          solo.direct.push(got.direct!);
          soloRatios.push(got.bff! / got.direct!);
        }
        console.log(`  ${scenario} one client: BFF p50 ${median(solo.bff).toFixed(1)} ms, direct p50 ${median(solo.direct).toFixed(1)} ms`);
        const p50Ratio = median(p50Ratios);
        const rpsRatio = median(rpsRatios);
        const errors = [...bff, ...direct].reduce((n, x) => n + x.errors, 0);
        const pass = p50Ratio <= 1.5 && rpsRatio >= 0.6 && errors === 0;
        report({
          name: `overhead-${scenario}`,
          question: '1',
          ratio: Number(p50Ratio.toFixed(2)),
          target: 'p50 ≤ 1.5×, rps ≥ 0.6×',
          pass,
          figures: {
            bff_p50_ms: Number(median(bff.map((x) => x.p50)).toFixed(2)),
            direct_p50_ms: Number(median(direct.map((x) => x.p50)).toFixed(2)),
            bff_p99_ms: Number(median(bff.map((x) => x.p99)).toFixed(2)),
            direct_p99_ms: Number(median(direct.map((x) => x.p99)).toFixed(2)),
            bff_rps: Number(median(bff.map((x) => x.rps)).toFixed(1)),
            direct_rps: Number(median(direct.map((x) => x.rps)).toFixed(1)),
            rps_ratio: Number(rpsRatio.toFixed(2)),
            one_client_bff_p50_ms: Number(median(solo.bff).toFixed(2)),
            one_client_direct_p50_ms: Number(median(solo.direct).toFixed(2)),
            one_client_p50_ratio: Number(median(soloRatios).toFixed(2)),
            concurrency,
            rounds: ROUNDS,
            round_s: SECONDS,
            errors,
          },
          note:
            scenario === 'list'
              ? `${routes.sessions.method} ${routes.sessions.path}?user= (${LIST_SESSIONS} sessions) vs DasClient.listProcesses straight to das-local; ${os.cpus().length} cores shared by load, BFF, das-local and MariaDB`
              : 'preview {user, sessionIds:[1]} + commit vs the same DAS calls direct (list, list, kill, verify-list with the BFF’s 5×300 ms policy)',
        });
      }
      const peak = rss.stop();
      console.log(`  peak RSS during the load: BFF ${peak.bff!.toFixed(0)} MB, das-local ${peak.das!.toFixed(0)} MB`);
    } finally {
      await stack.stop();
      await dropBenchDasAccount(stack);
    }
  });
} finally {
  await sandbox.drop();
}
