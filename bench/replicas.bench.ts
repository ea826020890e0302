// Several replicas: throughput of two BFF replicas sharing PostgreSQL (audit, previews, idempotency
// keys) and Redis (login sessions, rate limits) against one such replica, in the same run. A tiny
// round-robin proxy on loopback sits in front of both sides (one upstream, or two), so the only
// difference is the second replica. Rounds alternate which side goes first; ratios are medians of
// the per-round ratios of requests per second (two replicas ÷ one).
//
//   pnpm exec tsx bench/replicas.bench.ts
//   QUELL_BENCH_ROUNDS=3 QUELL_BENCH_ROUND_SECONDS=3 (defaults)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, createTestRedis } from '@quell/test-kit/services';
import { startReplica, type ReplicaProcess } from '../apps/bff/test/replica-process.ts';
import { runLoad, type LoadResult, type LoadSpec } from './lib/load.ts';
import { median, report } from './lib/report.ts';
import { createBenchSandbox, withMaxConnections } from './lib/sandbox.ts';
import { dropBenchDasAccount, INSTANCE_NAME, startBenchStack } from './lib/stack.ts';

const ROUNDS = Number(process.env.QUELL_BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.QUELL_BENCH_ROUND_SECONDS ?? 3);
const LIST_CONCURRENCY = 8;
const LIST_SESSIONS = 50;
const KILL_CONCURRENCY = 4;

/** Round-robin HTTP proxy on 127.0.0.1 over keep-alive connections; `use()` picks the upstreams. */
function startProxy(): Promise<{ url: string; use(upstreams: string[]): void; close(): Promise<void> }> {
  let upstreams: URL[] = [];
  let next = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const target = upstreams[next++ % upstreams.length]!;
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        use(list) {
          upstreams = list.map((u) => new URL(u));
          next = 0;
        },
        close: () =>
          new Promise<void>((r) => {
            agent.destroy();
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

const [db, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
const sandbox = await createBenchSandbox('rep');
const replicas: ReplicaProcess[] = [];
try {
  await withMaxConnections(sandbox.target, 1000, async () => {
    const listUser = await sandbox.user('list');
    const killUser = await sandbox.user('kill');
    await sandbox.openMany(listUser, LIST_SESSIONS, { parallel: 25 });
    const shared = { QUELL_DATABASE_URL: db.url, QUELL_REDIS_URL: redis.url, QUELL_REDIS_KEY_PREFIX: redis.prefix };
    // Replica A is the bench stack's own BFF, started with the shared stores; B is a second process with the same configuration.
    const stack = await startBenchStack({ name: 'replicas', bffPort: 3480, dasPort: 8880, env: shared });
    const proxy = await startProxy();
    try {
      const secrets = JSON.parse(readFileSync(join(stack.stateDir, 'secrets.json'), 'utf8')) as { ak: string; sk: string; sessionSecret: string };
      const b = await startReplica({
        ...shared,
        QUELL_INVENTORY: stack.inventoryPath,
        QUELL_USERS_FILE: join(stack.stateDir, 'users.json'),
        QUELL_DATA_DIR: join(stack.stateDir, 'data-b'),
        QUELL_WEB_DIST: join(stack.stateDir, 'no-dist'),
        QUELL_AK: secrets.ak,
        QUELL_SK: secrets.sk,
        QUELL_SESSION_SECRET: secrets.sessionSecret,
        QUELL_LOG_LEVEL: 'warn',
      });
      replicas.push(b);
      for (const u of [stack.url, b.url]) {
        const ready = (await (await fetch(`${u}/readyz`)).json()) as { checks: { store: { kind: string }; sessions: { kind: string } } };
        if (ready.checks.store.kind !== 'postgres' || ready.checks.sessions.kind !== 'redis') throw new Error(`${u} does not use the shared stores: ${JSON.stringify(ready)}`);
      }
      const spec = (mode: LoadSpec['mode'], user: string, concurrency: number): LoadSpec => ({
        mode,
        seconds: SECONDS,
        warmupSeconds: 1,
        concurrency,
        sessionsPerClient: 60,
        user,
        bff: { url: proxy.url, ...stack.operator, instanceId: INSTANCE_NAME },
        das: stack.das,
        mysql: { host: sandbox.target.host, port: sandbox.target.port, password: sandbox.password, database: sandbox.database },
      });
      const sides = { one: [stack.url], two: [stack.url, b.url] } as const;

      for (const scenario of ['list', 'kill'] as const) {
        const user = scenario === 'list' ? listUser : killUser;
        const concurrency = scenario === 'list' ? LIST_CONCURRENCY : KILL_CONCURRENCY;
        const got: Record<'one' | 'two', LoadResult[]> = { one: [], two: [] };
        const ratios: number[] = [];
        for (let r = 0; r < ROUNDS; r++) {
          const order = r % 2 === 0 ? (['two', 'one'] as const) : (['one', 'two'] as const);
          const round: Partial<Record<'one' | 'two', LoadResult>> = {};
          for (const side of order) {
            proxy.use([...sides[side]]);
            const result = await runLoad(spec(scenario === 'list' ? 'bff-list' : 'bff-kill', user, concurrency));
            round[side] = result;
            got[side].push(result);
            console.log(
              `  ${scenario} round ${r + 1} ${side === 'one' ? 'one replica ' : 'two replicas'} ${result.ops} ops, ${result.rps.toFixed(1)}/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, errors ${result.errors}${result.firstError ? ` (${result.firstError})` : ''}`,
            );
          }
          ratios.push(round.two!.rps / round.one!.rps);
        }
        const ratio = median(ratios);
        const errors = [...got.one, ...got.two].reduce((n, x) => n + x.errors, 0);
        report({
          name: `replicas-${scenario}`,
          question: 'scale-out',
          ratio: Number(ratio.toFixed(2)),
          target: 'rps ≥ 0.9× (shared state costs no throughput)',
          pass: ratio >= 0.9 && errors === 0,
          figures: {
            two_rps: Number(median(got.two.map((x) => x.rps)).toFixed(1)),
            one_rps: Number(median(got.one.map((x) => x.rps)).toFixed(1)),
            two_p50_ms: Number(median(got.two.map((x) => x.p50)).toFixed(2)),
            one_p50_ms: Number(median(got.one.map((x) => x.p50)).toFixed(2)),
            concurrency,
            rounds: ROUNDS,
            round_s: SECONDS,
            errors,
          },
          note: `${scenario === 'list' ? `GET …/sessions?user= (${LIST_SESSIONS} sessions)` : 'preview {user, sessionIds:[1]} + commit (audit, preview and idempotency key in PostgreSQL)'} through a round-robin proxy to two replicas vs one, both on PostgreSQL + Redis; ${os.cpus().length} cores shared by the load, the proxy, both replicas, das-local, MariaDB, PostgreSQL and Redis, so the gain is bounded by the CPU`,
        });
      }
    } finally {
      for (const r of replicas) await r.stop('SIGTERM');
      await proxy.close();
      await stack.stop();
      await dropBenchDasAccount(stack);
    }
  });
} finally {
  await sandbox.drop();
  await db.drop();
  await redis.cleanup();
}
