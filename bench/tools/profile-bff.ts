// Where the BFF spends its CPU under question 1's list (or kill) load: a V8 CPU profile taken through
// the BFF's inspector while a second process loads it; prints the top functions by self time.
//
//   pnpm exec tsx bench/tools/profile-bff.ts [list|kill] [seconds] [clients]
// QUELL_PROFILE=das-local profiles das-local instead; QUELL_PROFILE_OUT=file.cpuprofile keeps the profile.
import { writeFileSync } from 'node:fs';
import { summariseProfile, type CpuProfile } from '../lib/cpu-profile.ts';
import { Inspector, inspectorOf } from '../lib/inspector.ts';
import { runLoad } from '../lib/load.ts';
import { createBenchSandbox, withMaxConnections } from '../lib/sandbox.ts';
import { dropBenchDasAccount, INSTANCE_NAME, startBenchStack } from '../lib/stack.ts';

const scenario = (process.argv[2] ?? 'list') as 'list' | 'kill';
const seconds = Number(process.argv[3] ?? 6);
const clients = process.argv[4] ? Number(process.argv[4]) : undefined;
const target = (process.env.QUELL_PROFILE ?? 'bff') as 'bff' | 'das-local';

const sandbox = await createBenchSandbox('prof');
try {
  await withMaxConnections(sandbox.target, 1000, async () => {
    const user = await sandbox.user(scenario);
    if (scenario === 'list') await sandbox.openMany(user, 50, { parallel: 25 });
    const stack = await startBenchStack({ name: 'profile', bffPort: 3460, dasPort: 8860, keepLines: true, env: { NODE_OPTIONS: '--inspect=127.0.0.1:0' } });
    let inspector: Inspector | undefined;
    try {
      const pid = target === 'bff' ? stack.bffPid : stack.dasPid;
      inspector = await inspectorOf(stack.lines.filter((l) => l.name === target).map((l) => l.line), pid);
      await inspector.send('Profiler.enable');
      await inspector.send('Profiler.setSamplingInterval', { interval: 200 });
      const load = runLoad({
        mode: `bff-${scenario}`,
        seconds,
        warmupSeconds: 1,
        concurrency: clients ?? (scenario === 'list' ? 8 : 4),
        sessionsPerClient: 60,
        user,
        bff: { url: stack.url, ...stack.operator, instanceId: INSTANCE_NAME },
        das: stack.das,
        mysql: { host: sandbox.target.host, port: sandbox.target.port, password: sandbox.password, database: sandbox.database },
      });
      await new Promise((r) => setTimeout(r, 2500));
      await inspector.send('Profiler.start');
      const result = await load;
      const { profile } = await inspector.send<{ profile: CpuProfile }>('Profiler.stop');
      console.log(`load: ${result.rps.toFixed(0)}/s, p50 ${result.p50.toFixed(1)} ms`);
      if (process.env.QUELL_PROFILE_OUT) writeFileSync(process.env.QUELL_PROFILE_OUT, JSON.stringify(profile));
      summariseProfile(target, profile);
    } finally {
      inspector?.close();
      await stack.stop();
      await dropBenchDasAccount(stack);
    }
  });
} finally {
  await sandbox.drop();
}
