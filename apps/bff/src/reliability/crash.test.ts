// Crash: the BFF as a real child process (src/index.ts, as deployed) on a SQLite data dir, SIGKILLed while
// a burst of commits is in flight (das-local holds the kills with added latency, then carries them out,
// as DAS would). After a restart on the same data dir: the store passes PRAGMA integrity_check; every
// kill that reached DAS has its audit intent row; no row is left pending (an interrupted one is
// `unknown`); the same idempotency keys sent again kill nothing a second time — every session id appears
// in at most one DeleteProcess request ever received — and what is reported killed is gone in MariaDB.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@quell/test-kit/eventually';
import { DAS_INSTANCE_ID, startStack, type Stack } from '@quell/test-kit/stack';
import { startProcess, type Started } from '../../../../scripts/lib/processes.ts';
import { upsertUser } from '../auth/users-file.ts';
import { pathOf, routes } from '@quell/contracts/routes';

// node with tsx's loader, not the tsx wrapper: one process, so SIGKILL hits the BFF itself.
const TSX_LOADER = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const ENTRY = fileURLToPath(new URL('../index.ts', import.meta.url));
const BURST = Number(process.env.QUELL_CRASH_BURST ?? 12);
const BEFORE = 4; // commits that finish before the crash

let s: Stack;
const dir = mkdtempSync(path.join(tmpdir(), 'quell-crash-'));
const dataDir = path.join(dir, 'data');
const password = randomBytes(12).toString('hex');
const output: string[] = [];
/** Every DeleteProcess das-local received: the ids in its body. */
const kills: string[][] = [];
let bff: Started | undefined;

async function startBff(): Promise<{ url: string; proc: Started }> {
  const proc = await startProcess({
    name: 'bff',
    command: process.execPath,
    args: ['--import', TSX_LOADER, ENTRY],
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      QUELL_INVENTORY: path.join(dir, 'inventory.json'),
      QUELL_USERS_FILE: path.join(dir, 'users.json'),
      QUELL_DATA_DIR: dataDir,
      QUELL_WEB_DIST: path.join(dir, 'no-dist'),
      QUELL_AK: s.creds.ak,
      QUELL_SK: s.creds.sk,
      QUELL_SESSION_SECRET: randomBytes(32).toString('hex'),
      QUELL_LOG_LEVEL: 'info',
    },
    ready: /Quell BFF listening on (http:\/\/\S+)/,
    onLine: (line) => output.push(line),
  });
  return { url: proc.match[1]!, proc };
}

async function api(url: string, method: string, p: string, opts: { cookie?: string; csrf?: string; key?: string; body?: unknown } = {}) {
  const res = await fetch(`${url}${p}`, {
    method,
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
      ...(opts.csrf ? { 'x-csrf-token': opts.csrf } : {}),
      ...(opts.key ? { 'idempotency-key': opts.key } : {}),
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as any) : undefined };
}

async function login(url: string) {
  const r = await api(url, 'POST', pathOf(routes.login), { body: { username: 'crash-operator', password } });
  expect(r.status).toBe(200);
  return { cookie: /quell_session=[^;]+/.exec(String(r.headers.get('set-cookie')))![0], csrf: r.json.csrfToken as string };
}

beforeAll(async () => {
  s = await startStack({ label: 'rel', blastRadiusCap: 1000 });
  // Watch what reaches das-local: the body of every DeleteProcess.
  s.das.server.prependListener('request', (req: IncomingMessage) => {
    if (req.method !== 'DELETE' || !req.url?.endsWith('/process')) return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        kills.push((JSON.parse(Buffer.concat(chunks).toString('utf8')).process_ids as string[]) ?? []);
      } catch {
        kills.push([]);
      }
    });
  });
  writeFileSync(
    path.join(dir, 'inventory.json'),
    JSON.stringify({ instances: [{ id: 'main', name: 'main-db', environment: 'test', endpoint: s.dasUrl, projectId: s.projectId, instanceId: DAS_INSTANCE_ID, dbUserId: s.dbUserId, blastRadiusCap: 100 }] }),
  );
  await upsertUser(path.join(dir, 'users.json'), 'crash-operator', password, 'operator');
}, 60_000);

afterAll(async () => {
  // The BFF is one process here (not a group): SIGTERM it directly and wait for its graceful exit.
  const child = bff?.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
  }
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SIGKILL during a burst of commits', () => {
  it('leaves an intact store, an audit row for every kill sent, no pending rows, and keys that never kill twice', async () => {
    const first = await startBff();
    bff = first.proc;
    const op = await login(first.url);
    const sessions = [];
    for (let i = 0; i < BURST; i++) sessions.push(await s.open(s.accounts.app, s.db1));
    const previews: string[] = [];
    for (const x of sessions) {
      const p = await api(first.url, 'POST', pathOf(routes.killPreviews, { instanceId: 'main' }), { ...op, body: { user: s.accounts.app.user, sessionIds: [x.id] } });
      expect(p.status).toBe(201);
      previews.push(p.json.previewId);
    }
    const keys = sessions.map(() => `crash-${randomUUID()}`);
    const commit = (url: string, o: { cookie: string; csrf: string }, i: number) => api(url, 'POST', pathOf(routes.commitPreview, { previewId: previews[i]! }), { ...o, key: keys[i]!, body: { reason: 'crash test burst' } });

    // A few finish normally.
    for (let i = 0; i < BEFORE; i++) expect((await commit(first.url, op, i)).json.summary).toEqual({ killed: 1 });
    // The rest are held at DAS, and the BFF dies while they wait.
    s.faults.addLatency(1500, { operations: ['DeleteProcess'] });
    const inFlight = [];
    for (let i = BEFORE; i < BURST; i++) inFlight.push(commit(first.url, op, i).catch((e: unknown) => e));
    await eventually(async () => kills.length, (n) => n >= BEFORE + Math.ceil((BURST - BEFORE) / 2), 10_000);
    if (first.proc.child.exitCode !== null) throw new Error(`the BFF exited early (${first.proc.child.exitCode}); kills=${kills.length}: ${output.slice(-20).join('\n')}`);
    first.proc.child.kill('SIGKILL');
    await new Promise<void>((r) => (first.proc.child.exitCode !== null || first.proc.child.signalCode !== null ? r() : first.proc.child.once('exit', () => r())));
    const answered = (await Promise.all(inFlight)).filter((r) => !(r instanceof Error)).length;
    bff = undefined;
    s.faults.clear();

    // The store, straight after the crash (WAL recovered on open).
    const db = new Database(path.join(dataDir, 'quell.sqlite'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const pendingAtCrash = (db.prepare("SELECT COUNT(*) AS n FROM audit WHERE status = 'pending'").get() as { n: number }).n;
    db.close();

    const second = await startBff();
    bff = second.proc;
    const rows = new Database(path.join(dataDir, 'quell.sqlite'), { readonly: true });
    const audit = rows.prepare('SELECT idempotency_key AS key, status, outcomes, target FROM audit').all() as Array<{ key: string; status: string; outcomes: string; target: string }>;
    expect(rows.pragma('integrity_check', { simple: true })).toBe('ok');
    rows.close();
    const byKey = new Map(audit.map((r) => [r.key, r]));
    // No silence: nothing pending after the restart, and interrupted rows say unknown.
    expect(audit.filter((r) => r.status === 'pending')).toEqual([]);
    expect(audit.filter((r) => r.status === 'unknown').length).toBe(pendingAtCrash);
    // Every session whose kill reached DAS has the audit intent of its commit.
    const sent = new Set(kills.flat().map(Number));
    sessions.forEach((x, i) => {
      if (sent.has(x.id)) expect(byKey.get(keys[i]!), `audit row for ${keys[i]}`).toBeDefined();
    });
    for (let i = 0; i < BEFORE; i++) expect(byKey.get(keys[i]!)?.status).toBe('completed');

    // The same keys again, after the restart: replays or refusals, never a second kill.
    const op2 = await login(second.url);
    const again = [];
    for (let i = 0; i < BURST; i++) again.push(await commit(second.url, op2, i));
    for (const r of again) expect(r.status).toBeLessThan(500);
    const counts = new Map<number, number>();
    for (const id of kills.flat().map(Number)) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // Reported killed ⇒ gone in MariaDB.
    const reportedKilled = again.flatMap((r) => (r.status === 200 ? (r.json.outcomes as Array<{ sessionId: number; outcome: string }>) : [])).filter((o) => o.outcome === 'killed').map((o) => o.sessionId);
    expect(await eventually(() => s.aliveIds(reportedKilled), (v) => v.length === 0)).toEqual([]);

    const summary = {
      burst: BURST,
      finishedBeforeCrash: BEFORE,
      answeredDuringCrash: answered,
      killRequestsAtDas: kills.length,
      auditRows: audit.length,
      unknownAfterRestart: pendingAtCrash,
      replays: again.filter((r) => r.headers.get('idempotent-replayed') === 'true').length,
      refusedOnRetry: again.filter((r) => r.status === 409).length,
      freshOnRetry: again.filter((r) => r.status === 200 && r.headers.get('idempotent-replayed') !== 'true').length,
      gone: BURST - (await s.aliveIds(sessions.map((x) => x.id))).length,
    };
    console.log(`crash: ${JSON.stringify(summary)}`);
    expect(summary.auditRows).toBeGreaterThanOrEqual(BEFORE);
    // The logs of both runs hold no key.
    const logs = output.join('\n');
    expect(logs).toContain('Quell BFF listening');
    expect(logs.includes(s.creds.sk)).toBe(false);
    expect(logs.includes(s.creds.ak)).toBe(false);
  }, 120_000);
});
