// Where one listing of N sessions through the BFF spends its time (bench/listing.bench.ts's BFF side):
// a V8 CPU profile of the built BFF through its inspector during a few listings, and for each listing
// the caller's split between waiting for the answer's headers, reading its body and parsing it.
//
//   pnpm exec tsx bench/tools/profile-listing.ts [N] [listings]      (default 100000, 3)
// QUELL_PROFILE_OUT=file.cpuprofile keeps the profile.
import { writeFileSync } from 'node:fs';
import { routes, pathOf } from '@quell/contracts/routes';
import { BffClient } from '../lib/bff-client.ts';
import { summariseProfile, type CpuProfile } from '../lib/cpu-profile.ts';
import { inspectorOf } from '../lib/inspector.ts';
import { dropBenchDasAccount, INSTANCE_NAME, startBenchStack } from '../lib/stack.ts';

const N = Number(process.argv[2] ?? 100_000);
const LISTINGS = Number(process.argv[3] ?? 3);

const stack = await startBenchStack({
  name: 'profile-listing',
  bffPort: 3460,
  dasPort: 8860,
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
  const { profile } = await inspector.send<{ profile: CpuProfile }>('Profiler.stop');
  if (process.env.QUELL_PROFILE_OUT) writeFileSync(process.env.QUELL_PROFILE_OUT, JSON.stringify(profile));
  summariseProfile(`bff, ${LISTINGS} listings`, profile);
  direct.close();
} finally {
  inspector.close();
  await stack.stop();
  await dropBenchDasAccount(stack);
}
