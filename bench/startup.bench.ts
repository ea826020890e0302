// Question 6 — start-up. From process start (the built servers, `node dist/…` as in production and
// as the embedded default spawns them, same environment and state) until the "listening" line, and
// until ready: the BFF's GET /readyz answers 200 (its store takes a write and each
// instance answers a one-row ListProcesses); das-local has no /readyz, so its ready is its first signed ListDbUsers answered 200.
// Baseline: a bare Express app under plain node, ready when GET / answers — the part of start-up that
// is Node + Express, not Quell. Target: the BFF ready in ≤ 1.5× that. The three alternate round by round.
//
//   pnpm exec tsx bench/startup.bench.ts
import { join } from 'node:path';
import { DasClient } from '@quell/das-client/client';
import { builtServer } from '../scripts/lib/built-servers.ts';
import { bffEnv, dasLocalEnv, readStackSecrets } from '../scripts/lib/embedded-stack.ts';
import { startProcess, type Started } from '../scripts/lib/processes.ts';
import { median, report } from './lib/report.ts';
import { dropBenchDasAccount, REPO_ROOT, startBenchStack } from './lib/stack.ts';

const ROUNDS = Number(process.env.QUELL_BENCH_ROUNDS ?? 5);
const TARGET_RATIO = 1.5;
const NODE = process.execPath;
const DAS = builtServer('das-local');
const BFF = builtServer('bff');
const BFF_PORT = 3440;
const DAS_PORT = 8840;
const HELLO_PORT = 3441;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = () => {};

// One normal start creates the state (secrets, registry with the db user, inventory, accounts).
const setup = await startBenchStack({ name: 'startup', bffPort: BFF_PORT, dasPort: DAS_PORT });
await setup.stop();
const secrets = readStackSecrets(setup.stateDir);
const dasEnv = dasLocalEnv(secrets);
const bffEnvOfStack = { ...bffEnv({ secrets, stateDir: setup.stateDir, inventoryPath: setup.inventoryPath, port: BFF_PORT }), QUELL_LOG_LEVEL: 'warn' };

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(5);
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms`);
}
const answers = (url: string) => async () => (await fetch(url)).status === 200;

interface Timing {
  listenMs: number;
  readyMs: number;
}

async function startDas(): Promise<{ t: Timing; proc: Started }> {
  const t0 = performance.now();
  const proc = await startProcess({ name: 'das-local', command: NODE, args: [...DAS.args, '--config', join(setup.stateDir, 'das-local.json')], env: dasEnv, ready: /das-local listening on/, onLine: quiet });
  const t1 = performance.now();
  const client = new DasClient({ endpoint: `http://127.0.0.1:${DAS_PORT}`, projectId: secrets.projectId, credentials: () => ({ ak: secrets.ak, sk: secrets.sk }), maxAttempts: 1 });
  await until(async () => (await client.listDbUsers(secrets.dasInstanceId)).length > 0, 'das-local');
  client.close();
  return { t: { listenMs: t1 - t0, readyMs: performance.now() - t0 }, proc };
}
async function startBff(): Promise<{ t: Timing; proc: Started }> {
  const t0 = performance.now();
  const proc = await startProcess({ name: 'bff', command: NODE, args: BFF.args, env: bffEnvOfStack, ready: /Quell BFF listening on/, onLine: quiet });
  const t1 = performance.now();
  await until(answers(`http://127.0.0.1:${BFF_PORT}/readyz`), 'BFF');
  return { t: { listenMs: t1 - t0, readyMs: performance.now() - t0 }, proc };
}
async function startHello(): Promise<{ t: Timing; proc: Started }> {
  const t0 = performance.now();
  const proc = await startProcess({ name: 'hello', command: NODE, args: [join(REPO_ROOT, 'bench/lib/hello-express.mjs')], env: { ...process.env, PORT: String(HELLO_PORT) }, ready: /hello listening on/, onLine: quiet });
  const t1 = performance.now();
  await until(answers(`http://127.0.0.1:${HELLO_PORT}/`), 'hello');
  return { t: { listenMs: t1 - t0, readyMs: performance.now() - t0 }, proc };
}

const das: Timing[] = [];
const bff: Timing[] = [];
const hello: Timing[] = [];
const ratios: number[] = [];
// The BFF's /readyz needs das-local: one stays up while the BFF rounds run.
let dasForBff: Started | undefined;
try {
  for (let r = 0; r < ROUNDS; r++) {
    const kinds = ['das', 'bff', 'hello'] as const;
    const order = kinds.map((_, i) => kinds[(i + r) % 3]!);
    let b = 0;
    let h = 0;
    for (const kind of order) {
      if (kind === 'das') {
        if (dasForBff) {
          await dasForBff.stop();
          dasForBff = undefined;
        }
        const { t, proc } = await startDas();
        das.push(t);
        await proc.stop();
      } else if (kind === 'bff') {
        dasForBff ??= (await startDas()).proc;
        const { t, proc } = await startBff();
        bff.push(t);
        b = t.readyMs;
        await proc.stop();
      } else {
        const { t, proc } = await startHello();
        hello.push(t);
        h = t.readyMs;
        await proc.stop();
      }
    }
    ratios.push(b / h);
    console.log(`  round ${r + 1}: BFF ready ${bff.at(-1)!.readyMs.toFixed(0)} ms, das-local ready ${das.at(-1)!.readyMs.toFixed(0)} ms, bare Express ready ${hello.at(-1)!.readyMs.toFixed(0)} ms`);
  }
} finally {
  await dasForBff?.stop();
  await dropBenchDasAccount(setup);
}

const med = (xs: Timing[], k: keyof Timing) => Math.round(median(xs.map((x) => x[k])));
const ratio = Number(median(ratios).toFixed(2));
report({
  name: 'startup',
  question: '6',
  ratio,
  target: `BFF ready ≤ ${TARGET_RATIO}× bare Express`,
  pass: ratio <= TARGET_RATIO,
  figures: {
    bff_listening_ms: med(bff, 'listenMs'),
    bff_ready_ms: med(bff, 'readyMs'),
    das_listening_ms: med(das, 'listenMs'),
    das_ready_ms: med(das, 'readyMs'),
    express_hello_ready_ms: med(hello, 'readyMs'),
    rounds: ROUNDS,
  },
  note: 'ratio = built BFF ready (/readyz 200) / a bare Express app under plain node answering GET / (median of the per-round ratios); das-local ready = first signed ListDbUsers answered',
});
