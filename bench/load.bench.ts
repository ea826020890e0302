// Reliability under load — 50 simulated operators for 60 s mixing session listings, previews and commits
// (each commit kills a real MariaDB session opened for it; some commits are double clicks and every key is
// replayed) against the BFF on das-local. The same run as the test suite's short load test
// (apps/bff/src/reliability/load.test.ts), for the full duration. Pass = zero 5xx, zero unexpected
// answers, zero lost/duplicated/pending audit rows, every reported kill gone, every bystander alive.
// There is no baseline to divide by: the figures are the point (ratio is left empty).
//
//   pnpm exec tsx bench/load.bench.ts
//   QUELL_LOAD_SECONDS=60 QUELL_LOAD_OPERATORS=50 (defaults)
import { runLoad } from '../apps/bff/test/load.ts';
import { report } from './lib/report.ts';

const SECONDS = Number(process.env.QUELL_LOAD_SECONDS ?? 60);
const OPERATORS = Number(process.env.QUELL_LOAD_OPERATORS ?? 50);

const r = await runLoad({ operators: OPERATORS, seconds: SECONDS, maxOpenVictims: 25, log: (line) => process.stderr.write(`${line}\n`) });
const pass =
  r.status5xx === 0 && r.unexpected === 0 && r.auditLost === 0 && r.auditDuplicated === 0 && r.auditPending === 0 && r.auditRows === r.commitKeys && r.reportedKilledStillAlive === 0 && r.bystandersKilled === 0;
report({
  name: 'load',
  question: `${OPERATORS} operators for ${SECONDS} s: nothing lost`,
  ratio: null,
  target: '0 5xx, 0 lost/dup audit rows',
  pass,
  figures: {
    requests: r.requests,
    rps: r.rps,
    status5xx: r.status5xx,
    p50_ms: r.all.p50,
    p99_ms: r.all.p99,
    list_p50_ms: r.byOp.list.p50,
    list_p99_ms: r.byOp.list.p99,
    preview_p50_ms: r.byOp.preview.p50,
    preview_p99_ms: r.byOp.preview.p99,
    commit_p50_ms: r.byOp.commit.p50,
    commit_p99_ms: r.byOp.commit.p99,
    replay_p50_ms: r.byOp.replay.p50,
    replay_p99_ms: r.byOp.replay.p99,
    commits: r.commits,
    sessions_killed: r.sessionsKilled,
    audit_rows: r.auditRows,
    audit_lost: r.auditLost,
    audit_duplicated: r.auditDuplicated,
  },
  ...(r.firstUnexpected ? { note: r.firstUnexpected.slice(0, 200) } : {}),
});
console.error(JSON.stringify(r));
process.exit(pass ? 0 : 1);
