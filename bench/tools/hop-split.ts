// Where the extra hop of a one-client listing goes: one client, one request at a time, the kinds
// interleaved round by round: DasClient straight to das-local, the BFF's listing, the floor (the same
// listing through bench/lib/bare-hop.ts, a plain node:http server with nothing else in it), a signed-in
// GET /api/me, an anonymous GET /healthz, and the floor's server answering `{}` without asking DAS.
//
//   pnpm exec tsx bench/tools/hop-split.ts [rounds] [perRound]     (default 8 × 200)
import { routes, pathOf } from '@quell/contracts/routes';
import { startBareHop } from '../lib/bare-hop.ts';
import { BffClient, send } from '../lib/bff-client.ts';
import { median } from '../lib/report.ts';
import { createBenchSandbox, withMaxConnections } from '../lib/sandbox.ts';
import { dropBenchDasAccount, INSTANCE_NAME, startBenchStack } from '../lib/stack.ts';

const ROUNDS = Number(process.argv[2] ?? 8);
const PER_ROUND = Number(process.argv[3] ?? 200);

async function getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await send(url, 'GET', headers);
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return JSON.parse(res.text);
}

const sandbox = await createBenchSandbox('hop');
try {
  await withMaxConnections(sandbox.target, 1000, async () => {
    const user = await sandbox.user('list');
    await sandbox.openMany(user, 50, { parallel: 25 });
    const stack = await startBenchStack({ name: 'hop-split', bffPort: 3400, dasPort: 8800 });
    const { das } = stack;
    const floor = await startBareHop({ port: 3401, das, user });
    try {
      const bff = await BffClient.login(stack.url, stack.operator.username, stack.operator.password);
      const direct = stack.direct();
      const cookie = { cookie: bff.cookie };
      const kinds: Record<string, () => Promise<unknown>> = {
        direct: () => direct.listProcesses({ instanceId: das.dasInstanceId, dbUserId: das.dbUserId, user }),
        bff: () => getJson(`${stack.url}${pathOf(routes.sessions, { instanceId: INSTANCE_NAME })}?user=${user}`, cookie),
        floor: () => getJson(floor.url),
        me: () => getJson(`${stack.url}${pathOf(routes.me)}`, cookie),
        healthz: () => getJson(`${stack.url}${pathOf(routes.healthz)}`),
        'floor {}': () => getJson(`${floor.url}?nothing`),
      };
      const times: Record<string, number[]> = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
      for (const run of Object.values(kinds)) for (let i = 0; i < 50; i++) await run();
      for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 === 0 ? Object.keys(kinds) : Object.keys(kinds).reverse();
        for (const k of order) {
          const t: number[] = [];
          for (let i = 0; i < PER_ROUND; i++) {
            const t0 = performance.now();
            await kinds[k]!();
            t.push(performance.now() - t0);
          }
          times[k]!.push(median(t));
        }
      }
      for (const [k, t] of Object.entries(times)) console.log(`${k.padEnd(9)} p50 ${median(t).toFixed(3)} ms (rounds ${Math.min(...t).toFixed(2)}–${Math.max(...t).toFixed(2)})`);
      console.log(`BFF / direct ${(median(times.bff!) / median(times.direct!)).toFixed(2)}×, floor / direct ${(median(times.floor!) / median(times.direct!)).toFixed(2)}×`);
    } finally {
      await floor.stop();
      await stack.stop();
      await dropBenchDasAccount(stack);
    }
  });
} finally {
  await sandbox.drop();
}
