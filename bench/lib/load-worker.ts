// The load generator, run as its own process (so its CPU is not the measured server's):
//   QUELL_BENCH_LOAD='{"mode":"bff-list",...}' tsx bench/lib/load-worker.ts
// Runs `concurrency` closed-loop clients for `warmupSeconds` + `seconds`, prints one LOAD_RESULT line.
import mysql, { type Connection } from 'mysql2/promise';
import { DasClient } from '@quell/das-client/client';
import { BffClient, send } from './bff-client.ts';
import { LOAD_PREFIX, type LoadMode, type LoadResult, type LoadSpec } from './load-types.ts';

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// The BFF's verification policy (apps/bff kill service): re-list up to 5 times, 300 ms apart.
const VERIFY_ATTEMPTS = 5;
const VERIFY_DELAY_MS = 300;

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.QUELL_BENCH_LOAD ?? '{}') as LoadSpec;
  const killMode = spec.mode.endsWith('kill');
  const direct = new DasClient({ endpoint: spec.das.endpoint, projectId: spec.das.projectId, credentials: () => ({ ak: spec.das.ak, sk: spec.das.sk }) });
  const listParams = { instanceId: spec.das.dasInstanceId, dbUserId: spec.das.dbUserId, user: spec.user };

  // Per client: a BFF login (bff modes) and, in kill modes, a stack of idle sessions to kill.
  const clients = await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      const bff = spec.mode.startsWith('bff') ? await BffClient.login(spec.bff.url, spec.bff.username, spec.bff.password) : undefined;
      const sessions: Connection[] = [];
      if (killMode) {
        for (let i = 0; i < (spec.sessionsPerClient ?? 20); i++) {
          const c = await mysql.createConnection({ host: spec.mysql.host, port: spec.mysql.port, user: spec.user, password: spec.mysql.password, database: spec.mysql.database });
          c.on('error', () => {});
          sessions.push(c);
        }
      }
      return { bff, sessions };
    }),
  );

  const op: Record<LoadMode, (client: (typeof clients)[number], id?: number) => Promise<void>> = {
    'bff-list': async (c) => {
      const r = await c.bff!.listSessions(spec.bff.instanceId, { user: spec.user });
      if (r.count === 0) throw new Error('empty list');
    },
    'direct-list': async () => {
      const rows = await direct.listProcesses(listParams);
      if (rows.length === 0) throw new Error('empty list');
    },
    'floor-list': async () => {
      const res = await send(spec.floorUrl!, 'GET', {});
      if (res.status !== 200) throw new Error(`floor: ${res.status} ${res.text.slice(0, 200)}`);
      if ((JSON.parse(res.text) as { count: number }).count === 0) throw new Error('empty list');
    },
    'bff-kill': async (c, id) => {
      const preview = await c.bff!.preview(spec.bff.instanceId, { user: spec.user, sessionIds: [id!] });
      if (preview.targets.length !== 1) throw new Error(`preview has ${preview.targets.length} targets`);
      const result = await c.bff!.commit(preview.previewId, { reason: 'benchmark: preview and commit under load' });
      if (result.summary.killed !== 1) throw new Error(`commit: ${JSON.stringify(result.summary)}`);
    },
    // The same DAS calls the BFF makes for a one-session preview + commit: list, list again, kill, verify by listing.
    'direct-kill': async (_c, id) => {
      const before = await direct.listProcesses(listParams);
      if (!before.some((p) => Number(p.id) === id)) throw new Error('target not listed');
      const again = await direct.listProcesses(listParams);
      if (!again.some((p) => Number(p.id) === id)) throw new Error('target gone before kill');
      await direct.deleteProcess({ instanceId: spec.das.dasInstanceId, dbUserId: spec.das.dbUserId, processIds: [id!] });
      for (let attempt = 0; attempt < VERIFY_ATTEMPTS; attempt++) {
        if (attempt > 0) await sleep(VERIFY_DELAY_MS);
        const after = await direct.listProcesses(listParams);
        if (!after.some((p) => Number(p.id) === id)) return;
      }
      throw new Error('still present');
    },
  };

  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let exhausted = 0;
  let lastEnd = 0;
  const t0 = performance.now();
  const measureFrom = t0 + spec.warmupSeconds * 1000;
  const until = measureFrom + spec.seconds * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < until) {
        let id: number | undefined;
        if (killMode) {
          const conn = client.sessions.shift();
          if (!conn) {
            exhausted++;
            return;
          }
          id = conn.threadId;
        }
        const start = performance.now();
        try {
          await op[spec.mode](client, id);
          const end = performance.now();
          if (start >= measureFrom && end <= until) {
            latencies.push(end - start);
            lastEnd = Math.max(lastEnd, end);
          }
        } catch (err) {
          if (start >= measureFrom) {
            errors++;
            firstError ??= (err as Error).message;
          }
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  // Normally the whole window; shorter when the clients of a kill run used up their sessions early.
  const measured = exhausted > 0 ? Math.max(0.001, (lastEnd - measureFrom) / 1000) : spec.seconds;
  const result: LoadResult = {
    mode: spec.mode,
    ops: latencies.length,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds: measured,
    rps: latencies.length / measured,
    p50: pct(latencies, 50),
    p90: pct(latencies, 90),
    p99: pct(latencies, 99),
    exhausted,
  };
  for (const c of clients) for (const s of c.sessions) s.destroy();
  direct.close();
  process.stdout.write(`${LOAD_PREFIX}${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`load worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
