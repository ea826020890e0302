// Where one listing of N sessions through the BFF spends its time (bench/listing.bench.ts's BFF side):
// a V8 CPU profile of the built BFF through its inspector during a few listings, and for each listing
// the caller's split between waiting for the answer's headers, reading its body and parsing it.
//
//   pnpm exec tsx bench/tools/profile-listing.ts [N] [listings]      (default 100000, 3)
// QUELL_PROFILE_OUT=file.cpuprofile keeps the profile.
import { writeFileSync } from 'node:fs';
import { routes, pathOf } from '@quell/contracts/routes';
import { BffClient } from '../lib/bff-client.ts';
import { inspectorOf } from '../lib/inspector.ts';
import { dropBenchDasAccount, INSTANCE_NAME, REPO_ROOT, startBenchStack } from '../lib/stack.ts';

const N = Number(process.argv[2] ?? 100_000);
const LISTINGS = Number(process.argv[3] ?? 3);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

const stack = await startBenchStack({
  name: 'profile-listing',
  bffPort: 3491,
  dasPort: 8891,
  keepLines: true,
  env: { DAS_LOCAL_BENCH_SYNTHETIC_PROCESSES: String(N), NODE_OPTIONS: '--inspect=127.0.0.1:0' },
});
const inspector = await inspectorOf(stack.lines.filter((l) => l.name === 'bff').map((l) => l.line), stack.bffPid);
try {
  const bff = await BffClient.login(stack.url, stack.operator.username, stack.operator.password);
  const path = `${pathOf(routes.sessions, { instanceId: INSTANCE_NAME })}?user=app`;
  // The caller's side, as BffClient does it (fetch, text, JSON.parse), timed in three parts.
  const listOnce = async () => {
    const t0 = performance.now();
    const res = await fetch(`${stack.url}${path}`, { headers: { cookie: bff.cookie } });
    const t1 = performance.now();
    const text = await res.text();
    const t2 = performance.now();
    const count = (JSON.parse(text) as { sessions: unknown[] }).sessions.length;
    const t3 = performance.now();
    if (count !== N) throw new Error(`listed ${count} sessions, not ${N}`);
    console.log(
      `  listing: ${(t3 - t0).toFixed(0)} ms = headers after ${(t1 - t0).toFixed(0)} + body ${(t2 - t1).toFixed(0)} (${(text.length / 1e6).toFixed(1)} MB) + parse ${(t3 - t2).toFixed(0)}`,
    );
  };
  // DasClient alone over the same pages, between the listings through the BFF: the baseline of listing.bench.ts.
  const direct = stack.direct();
  const params = { instanceId: stack.secrets.dasInstanceId, dbUserId: stack.dbUserId, user: 'app' };
  const directOnce = async () => {
    const t0 = performance.now();
    const count = (await direct.listProcesses(params)).length;
    if (count !== N) throw new Error(`DasClient listed ${count} sessions, not ${N}`);
    console.log(`  DasClient alone: ${(performance.now() - t0).toFixed(0)} ms`);
  };
  await listOnce(); // warm-up, not profiled
  await directOnce();
  await inspector.send('Profiler.enable');
  await inspector.send('Profiler.setSamplingInterval', { interval: 200 });
  await inspector.send('Profiler.start');
  for (let i = 0; i < LISTINGS; i++) {
    await listOnce();
    // The BFF is idle during the baseline: it adds only "(idle)" samples to the profile.
    await directOnce();
  }
  const { profile } = await inspector.send<{ profile: { nodes: Node[]; samples: number[]; timeDeltas: number[] } }>('Profiler.stop');
  if (process.env.QUELL_PROFILE_OUT) writeFileSync(process.env.QUELL_PROFILE_OUT, JSON.stringify(profile));
  const self = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  let total = 0;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const url = n.callFrame.url.replace(`file://${REPO_ROOT}/`, '').replace(/.*node_modules\/\.pnpm\/([^/]+)\/node_modules\//, '$1:');
    const key = `${n.callFrame.functionName || '(anonymous)'}  ${url}:${n.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  console.log(`\nbff: ${(total / 1000).toFixed(0)} ms sampled over ${LISTINGS} listings; top self time:`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000 / LISTINGS).toFixed(0).padStart(5)} ms/listing  ${k}`);
  direct.close();
} finally {
  inspector.close();
  await stack.stop();
  await dropBenchDasAccount(stack);
}
