// The load run shared by load.test.ts (short) and bench/load.bench.ts (60 s): N simulated operators, each
// with its own login session, mixing session listings, previews and commits against the BFF on das-local
// on MariaDB, for a bounded time. Every commit kills a real session opened for it (plus, now and then, a
// double-click: the same key sent twice at once). Afterwards it checks the audit trail against what was
// sent (one row per commit key, none missing, none duplicated, none pending), that every session reported
// killed is gone and that the bystander sessions are alive, and reports latency percentiles.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { AuditEntry } from '@quell/contracts/audit';
import { eventually } from '@quell/test-kit/eventually';
import type { DbSession } from '@quell/test-kit/mariadb';
import { startStack, type Stack } from '@quell/test-kit/stack';
import { pathOf, routes } from '@quell/contracts/routes';

export interface LoadOptions {
  operators: number;
  seconds: number;
  /** At most this many victim sessions open at once (MariaDB's default max_connections is 151, shared). */
  maxOpenVictims: number;
  log?: (line: string) => void;
}

export interface OpFigures {
  n: number;
  p50: number;
  p99: number;
}

export interface LoadReport {
  operators: number;
  seconds: number;
  requests: number;
  rps: number;
  status5xx: number;
  unexpected: number;
  firstUnexpected?: string;
  byOp: Record<'list' | 'preview' | 'commit' | 'replay', OpFigures>;
  all: OpFigures;
  commits: number;
  commitKeys: number;
  sessionsKilled: number;
  auditRows: number;
  auditLost: number;
  auditDuplicated: number;
  auditPending: number;
  reportedKilledStillAlive: number;
  bystandersKilled: number;
  dasRequests: number;
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const fig = (v: number[]): OpFigures => ({ n: v.length, p50: Math.round(pct(v, 50) * 10) / 10, p99: Math.round(pct(v, 99) * 10) / 10 });

/** A tiny semaphore: victims open at once stay under the cap. */
function limiter(max: number) {
  let used = 0;
  const waiting: Array<() => void> = [];
  return {
    async take() {
      if (used < max) {
        used++;
        return;
      }
      await new Promise<void>((r) => waiting.push(r));
      used++;
    },
    give() {
      used--;
      waiting.shift()?.();
    },
  };
}

export async function runLoad(options: LoadOptions, existing?: Stack): Promise<LoadReport> {
  // Debug logging (kept in memory) as in the runs bench/RESULTS.md and docs/RELIABILITY.md report.
  const s = existing ?? (await startStack({ label: 'load', blastRadiusCap: 1000, logLevel: 'debug', killOptions: { verifyDelayMs: 200 } }));
  const log = options.log ?? (() => {});
  try {
    const bystanders: DbSession[] = [];
    for (let i = 0; i < 4; i++) bystanders.push(await s.open(i % 2 ? s.accounts.oth : s.accounts.app, s.db2));
    const ops: Array<{ agent: request.Agent; csrf: string }> = [];
    for (let i = 0; i < options.operators; i++) ops.push(await s.login(i % 10 === 0 ? 'admin' : 'operator'));
    log(`${ops.length} operators logged in`);
    const victims = limiter(options.maxOpenVictims);
    const lat: Record<'list' | 'preview' | 'commit' | 'replay', number[]> = { list: [], preview: [], commit: [], replay: [] };
    let requests = 0;
    let status5xx = 0;
    let unexpected = 0;
    let firstUnexpected: string | undefined;
    const sentKeys = new Map<string, string>(); // key → actor
    const reportedKilled: number[] = [];
    const check = (what: string, r: request.Response, ok: number[]) => {
      requests++;
      if (r.status >= 500) status5xx++;
      if (!ok.includes(r.status)) {
        unexpected++;
        firstUnexpected ??= `${what}: ${r.status} ${r.text.slice(0, 300)}`;
      }
    };
    const timed = async <T>(kind: keyof typeof lat, fn: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      const v = await fn();
      lat[kind].push(performance.now() - t);
      return v;
    };
    const dasMark = s.dasLines.length;
    const started = Date.now();
    const deadline = started + options.seconds * 1000;

    const operator = async (i: number) => {
      const op = ops[i]!;
      const actor = i % 10 === 0 ? 'admin-user' : 'operator-user';
      let n = 0;
      while (Date.now() < deadline) {
        n++;
        const roll = (i * 7 + n * 13) % 10;
        if (roll < 5) {
          const r = await timed('list', () => op.agent.get(`${pathOf(routes.sessions, { instanceId: 'main' })}?user=${s.accounts.app.user}`));
          check('list', r, [200]);
        } else if (roll < 8) {
          const r = await timed('preview', () => op.agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set('X-CSRF-Token', op.csrf).send({ database: s.db1 }));
          check('preview', r, [201]);
        } else {
          await victims.take();
          let victim: DbSession | undefined;
          try {
            victim = await s.open(s.accounts.app, s.db1);
            const p = await timed('preview', () => op.agent.post(pathOf(routes.killPreviews, { instanceId: 'main' })).set('X-CSRF-Token', op.csrf).send({ user: s.accounts.app.user, database: s.db1, sessionIds: [victim!.id] }));
            check('preview', p, [201]);
            if (p.status !== 201) continue;
            const key = `load-${randomUUID()}`;
            sentKeys.set(key, actor);
            const send = () => op.agent.post(pathOf(routes.commitPreview, { previewId: p.body.previewId })).set('X-CSRF-Token', op.csrf).set('Idempotency-Key', key).send({ reason: 'load test' });
            // Every fifth commit is a double click: the same key twice at once.
            const [c, again] = await timed('commit', () => Promise.all([send(), n % 5 === 0 ? send() : Promise.resolve(undefined)]));
            check('commit', c, [200]);
            if (again) {
              check('commit (double click)', again, [200]);
              if (again.status === 200 && c.status === 200 && again.body.auditId !== c.body.auditId) {
                unexpected++;
                firstUnexpected ??= 'a double click produced two audit ids';
              }
            }
            const replay = await timed('replay', () => send());
            check('replay', replay, [200]);
            if (replay.status === 200 && replay.headers['idempotent-replayed'] !== 'true') {
              unexpected++;
              firstUnexpected ??= 'a replay was not marked Idempotent-Replayed';
            }
            for (const o of (c.body?.outcomes ?? []) as Array<{ sessionId: number; outcome: string }>) if (o.outcome === 'killed') reportedKilled.push(o.sessionId);
          } finally {
            victim?.conn.destroy();
            victims.give();
          }
        }
      }
    };
    await Promise.all(ops.map((_, i) => operator(i)));
    const seconds = (Date.now() - started) / 1000;
    await s.quell.kill.drain();
    log(`load done: ${requests} requests in ${seconds.toFixed(1)} s`);

    // The audit trail against what was sent.
    const rows: AuditEntry[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await s.stores.audit.list({ limit: 500, offset });
      rows.push(...page.entries);
      if (page.entries.length < 500) break;
    }
    const perKey = new Map<string, number>();
    for (const r of rows) if (r.idempotencyKey) perKey.set(r.idempotencyKey, (perKey.get(r.idempotencyKey) ?? 0) + 1);
    let lost = 0;
    let duplicated = 0;
    for (const key of sentKeys.keys()) {
      const n = perKey.get(key) ?? 0;
      if (n === 0) lost++;
      if (n > 1) duplicated++;
    }
    const stray = rows.filter((r) => r.idempotencyKey && !sentKeys.has(r.idempotencyKey)).length;
    const stillAlive = (await eventually(() => s.aliveIds(reportedKilled), (v) => v.length === 0, 3000)).length;
    const bystandersAlive = (await s.aliveIds(bystanders.map((b) => b.id))).length;
    const all = Object.values(lat).flat();
    return {
      operators: options.operators,
      seconds: Math.round(seconds * 10) / 10,
      requests,
      rps: Math.round(requests / seconds),
      status5xx,
      unexpected,
      ...(firstUnexpected ? { firstUnexpected } : {}),
      byOp: { list: fig(lat.list), preview: fig(lat.preview), commit: fig(lat.commit), replay: fig(lat.replay) },
      all: fig(all),
      commits: lat.commit.length,
      commitKeys: sentKeys.size,
      sessionsKilled: reportedKilled.length,
      auditRows: rows.length,
      auditLost: lost,
      auditDuplicated: duplicated + stray,
      auditPending: rows.filter((r) => r.status === 'pending').length,
      reportedKilledStillAlive: stillAlive,
      bystandersKilled: bystanders.length - bystandersAlive,
      dasRequests: s.dasLines.length - dasMark,
    };
  } finally {
    if (!existing) await s.close();
  }
}
