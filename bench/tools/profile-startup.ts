// Where the built BFF's start-up goes: starts it as question 6 does (das-local already up, the code
// cache in place), with `--cpu-prof`, stops it as soon as /readyz answers 200, and prints the top
// functions by self time and by file/package up to that moment.
//
//   pnpm exec tsx bench/tools/profile-startup.ts [profile-dir]
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { builtServer } from '../../scripts/lib/built-servers.ts';
import { bffEnv, dasLocalEnv, readStackSecrets } from '../../scripts/lib/embedded-stack.ts';
import { startProcess } from '../../scripts/lib/processes.ts';
import { dropBenchDasAccount, REPO_ROOT, startBenchStack } from '../lib/stack.ts';

const dir = process.argv[2] ?? join(REPO_ROOT, '.quell', 'profile-startup');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const BFF_PORT = 3470;
const DAS_PORT = 8870;

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

// One normal start creates the state; then das-local alone, and the BFF under the profiler.
const setup = await startBenchStack({ name: 'profile-startup', bffPort: BFF_PORT, dasPort: DAS_PORT });
await setup.stop();
const secrets = readStackSecrets(setup.stateDir);
const DAS = builtServer('das-local');
const BFF = builtServer('bff');
const das = await startProcess({
  name: 'das-local',
  command: process.execPath,
  args: [...DAS.args, '--config', join(setup.stateDir, 'das-local.json')],
  env: dasLocalEnv(secrets),
  ready: /das-local listening on/,
  onLine: () => {},
});
const PROFILED_ARGS = ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200', ...BFF.args];
/** One BFF start until /readyz answers 200; its times. */
async function startBff(): Promise<{ listening: number; ready: number }> {
  const t0 = performance.now();
  const bff = await startProcess({
    name: 'bff',
    command: process.execPath,
    args: PROFILED_ARGS,
    env: { ...bffEnv({ secrets, stateDir: setup.stateDir, inventoryPath: setup.inventoryPath, port: BFF_PORT }), QUELL_LOG_LEVEL: 'warn' },
    ready: /Quell BFF listening on/,
    onLine: () => {},
  });
  const listening = performance.now() - t0;
  while ((await fetch(`http://127.0.0.1:${BFF_PORT}/readyz`).then((r) => r.status, () => 0)) !== 200) await new Promise((r) => setTimeout(r, 5));
  const ready = performance.now() - t0;
  await bff.stop();
  return { listening, ready };
}
// The profiler's flags are V8 flags, so the code cache the normal starts wrote does not fit: a first
// start writes one under them, and the profile kept is the second start's, as a normal restart runs.
await startBff();
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const { listening, ready } = await startBff();
await das.stop();
await dropBenchDasAccount(setup);
console.log(`listening ${listening.toFixed(0)} ms, ready ${ready.toFixed(0)} ms (with the profiler's own cost)`);

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const byPackage = new Map<string, number>();
let at = 0;
let total = 0;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  if (at / 1000 > ready) return;
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const n = byId.get(id)!;
  const url = n.callFrame.url.replace(`file://${REPO_ROOT}/`, '').replace(/.*node_modules\/\.pnpm\/([^/]+)\/node_modules\//, '$1:');
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${url}:${n.callFrame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  const pkg = url ? url.split(':')[0]! : n.callFrame.functionName;
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
});
console.log(`\n${(total / 1000).toFixed(0)} ms sampled until ready; top self time:`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${(v / 1000).toFixed(1).padStart(6)} ms  ${k}`);
console.log('\nby file/package:');
for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${(v / 1000).toFixed(1).padStart(6)} ms  ${k}`);
console.log(`\nprofile: ${join(dir, file)} (open in Chrome DevTools → Performance)`);
