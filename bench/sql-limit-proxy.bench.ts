// Question 8 — what SQL limit enforcement costs a statement. das-local (its own process, started as
// the embedded default starts it) with its SQL limit proxy in front of MariaDB, the switch ON and
// five rules, one of which governs the benchmark statement (so every statement is matched, counted
// and released). One mysql2 connection through the proxy and one straight to MariaDB run the same
// short primary-key SELECT one after another, in alternating rounds; a statement no rule governs
// runs through the proxy too. Reports the median latency per statement of each and the difference.
//
//   pnpm exec tsx bench/sql-limit-proxy.bench.ts [statementsPerRound]     (default 500)
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { DasClient } from '@quell/das-client/client';
import { startProcess } from '../scripts/lib/processes.ts';
import { median, percentile, report } from './lib/report.ts';
import { createBenchSandbox } from './lib/sandbox.ts';
import { REPO_ROOT } from './lib/stack.ts';

const ROUNDS = Number(process.env.QUELL_BENCH_ROUNDS ?? 10);
const PER_ROUND = Number(process.argv[2] ?? 500);
const DAS_PORT = 8890;
const PROXY_PORT = 8891;
const INSTANCE_ID = `${randomBytes(16).toString('hex')}in01`;
const PROJECT_ID = randomBytes(16).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const sandbox = await createBenchSandbox('sqlproxy');
const stateDir = join(REPO_ROOT, '.quell', 'bench-sql-limit-proxy');
try {
  const user = await sandbox.user('app');
  await sandbox.admin.query(`CREATE TABLE \`${sandbox.database}\`.orders (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL) ENGINE=InnoDB`);
  await sandbox.admin.query(`INSERT INTO \`${sandbox.database}\`.orders VALUES ${Array.from({ length: 100 }, (_, i) => `(${i + 1}, 'paid')`).join(', ')}`);

  mkdirSync(stateDir, { recursive: true });
  const ak = `AK${randomBytes(8).toString('hex').toUpperCase()}`;
  const sk = randomBytes(24).toString('base64url');
  const configPath = join(stateDir, 'das-local.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      projectId: PROJECT_ID,
      listen: { host: '127.0.0.1', port: DAS_PORT },
      instances: [{ instanceId: INSTANCE_ID, host: sandbox.target.host, port: sandbox.target.port, sqlLimit: { proxy: { port: PROXY_PORT }, jobDelayMs: 0 } }],
      registryPath: ':memory:',
      log: false,
    }),
  );
  const das = await startProcess({
    name: 'das-local',
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, 'apps/das-local/src/cli.ts'), '--config', configPath],
    cwd: REPO_ROOT,
    env: { ...process.env, DAS_LOCAL_CREDENTIALS: `${ak}:${sk}`, DAS_LOCAL_REGISTRY_KEY: randomBytes(16).toString('hex') },
    ready: /das-local sql-limit proxy for \S+ on (\S+):(\d+)/,
    onLine: () => {},
  });
  try {
    const client = new DasClient({ endpoint: `http://127.0.0.1:${DAS_PORT}`, projectId: PROJECT_ID, credentials: () => ({ ak, sk }) });
    const { jobId } = await client.changeSqlLimitSwitchStatus({ instanceId: INSTANCE_ID, status: 'ON' });
    while ((await client.showSqlLimitJobInfo({ instanceId: INSTANCE_ID, jobId })).status === 'RUNNING') await sleep(10);
    await client.createSqlLimitRules({
      instanceId: INSTANCE_ID,
      rules: [
        { sqlType: 'SELECT', pattern: 'select~orders~status', maxConcurrency: 1_000_000_000 },
        { sqlType: 'SELECT', pattern: 'select~customers', maxConcurrency: 1 },
        { sqlType: 'UPDATE', pattern: 'update~orders', maxConcurrency: 1 },
        { sqlType: 'DELETE', pattern: 'delete~orders', maxConcurrency: 1 },
        { sqlType: 'SELECT', pattern: 'select~sleep~from', maxConcurrency: 2 },
      ],
    });
    client.close();

    const login = { user, password: sandbox.password, database: sandbox.database };
    const direct = await mysql.createConnection({ host: sandbox.target.host, port: sandbox.target.port, ...login });
    const proxied = await mysql.createConnection({ host: '127.0.0.1', port: PROXY_PORT, ...login });
    const governed = (i: number) => `SELECT status FROM orders WHERE id = ${(i % 100) + 1}`;
    const ungoverned = (i: number) => `SELECT id FROM orders WHERE id = ${(i % 100) + 1}`;

    const timed = async (conn: mysql.Connection, sql: (i: number) => string, into: number[]) => {
      for (let i = 0; i < PER_ROUND; i++) {
        const t0 = performance.now();
        await conn.query(sql(i));
        into.push(performance.now() - t0);
      }
    };
    // Warm-up: JIT, connection buffers, MariaDB's caches.
    for (const conn of [direct, proxied]) await timed(conn, governed, []);

    const all = { direct: [] as number[], proxied: [] as number[], ungoverned: [] as number[] };
    const added: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const round = { direct: [] as number[], proxied: [] as number[], ungoverned: [] as number[] };
      const sides = [() => timed(direct, governed, round.direct), () => timed(proxied, governed, round.proxied), () => timed(proxied, ungoverned, round.ungoverned)];
      for (const side of r % 2 === 0 ? sides : [...sides].reverse()) await side();
      added.push(median(round.proxied) - median(round.direct));
      for (const k of ['direct', 'proxied', 'ungoverned'] as const) all[k].push(...round[k]);
      console.log(
        `  round ${r + 1}: direct ${median(round.direct).toFixed(3)} ms, proxy (governed) ${median(round.proxied).toFixed(3)} ms, proxy (no rule) ${median(round.ungoverned).toFixed(3)} ms (medians of ${PER_ROUND})`,
      );
    }
    direct.destroy();
    proxied.destroy();

    const addedMedian = median(added);
    const ms = (v: number) => Number(v.toFixed(3));
    report({
      name: 'sql-limit-proxy',
      question: '8',
      ratio: ms(median(all.proxied) / median(all.direct)),
      target: '≤ 1 ms added median',
      pass: addedMedian <= 1,
      figures: {
        direct_median_ms: ms(median(all.direct)),
        proxy_median_ms: ms(median(all.proxied)),
        proxy_no_rule_median_ms: ms(median(all.ungoverned)),
        added_median_ms: ms(addedMedian),
        direct_p95_ms: ms(percentile(all.direct, 95)),
        proxy_p95_ms: ms(percentile(all.proxied, 95)),
        statements_per_side: all.direct.length,
      },
      note: 'ratio = proxy / direct median per statement; added = median over rounds of (proxy median - direct median); switch ON, 5 rules, the statement governed by one',
    });
  } finally {
    await das.stop();
  }
} finally {
  await sandbox.drop();
  rmSync(stateDir, { recursive: true, force: true });
}
