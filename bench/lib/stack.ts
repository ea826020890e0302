// A Quell stack of its own for one benchmark: das-local + BFF on the local MariaDB (the embedded
// default), with its own state dir under .quell/bench-*, its own ports and its own DAS db account.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DasClient } from '@quell/das-client/client';
import { adminConnection, dropAccounts } from '@quell/test-kit/mariadb';
import { startEmbeddedStack, REPO_ROOT, type Stack } from '../../scripts/lib/embedded-stack.ts';
import type { LoadSpec } from './load-types.ts';
import { pidListeningOn } from './proc.ts';

export { REPO_ROOT };

export const DAS_DB_USER = 'quell_das_bench';
export const INSTANCE_NAME = 'bench-local';

export interface BenchStack extends Stack {
  stateDir: string;
  operator: { username: string; password: string };
  secrets: { ak: string; sk: string; projectId: string; dasInstanceId: string };
  dbUserId: string;
  /** What a caller needs to sign DAS calls straight to das-local (load workers, the floor). */
  das: LoadSpec['das'];
  bffPort: number;
  dasPort: number;
  /** Pids of the node processes that own the listening sockets (not the tsx wrappers). */
  bffPid: number;
  dasPid: number;
  /** A DasClient signed with the stack's AK/SK, talking straight to das-local. */
  direct(): DasClient;
  /** Lines the two processes printed (kept only when `keepLines`). */
  lines: Array<{ name: string; line: string }>;
}

export async function startBenchStack(opts: {
  name: string;
  bffPort: number;
  dasPort: number;
  blastRadiusCap?: number;
  env?: NodeJS.ProcessEnv;
  keepLines?: boolean;
  verbose?: boolean;
}): Promise<BenchStack> {
  const stateDir = join(REPO_ROOT, '.quell', `bench-${opts.name}`);
  // Fresh audit trail and previews every run; secrets and the db-user registry are recreated too.
  rmSync(stateDir, { recursive: true, force: true });
  const lines: Array<{ name: string; line: string }> = [];
  const savedEnv = { ...process.env };
  // startEmbeddedStack hands process.env to its children: set what the benchmark needs for this call only.
  process.env.QUELL_LOG_LEVEL = process.env.QUELL_BENCH_LOG_LEVEL ?? 'warn';
  Object.assign(process.env, opts.env ?? {});
  let stack: Stack;
  try {
    stack = await startEmbeddedStack({
      stateDir,
      bffPort: opts.bffPort,
      dasPort: opts.dasPort,
      dasDbUser: DAS_DB_USER,
      accounts: [{ username: 'bench-operator', role: 'admin' }],
      instance: { id: INSTANCE_NAME, name: INSTANCE_NAME, environment: 'test', blastRadiusCap: opts.blastRadiusCap ?? 20 },
      onLine: (name, line) => {
        if (opts.keepLines) lines.push({ name, line });
        if (opts.verbose || process.env.QUELL_VERBOSE === '1') process.stderr.write(`[${name}] ${line}\n`);
      },
    });
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
  }
  const secrets = JSON.parse(readFileSync(join(stateDir, 'secrets.json'), 'utf8')) as BenchStack['secrets'];
  const inventory = JSON.parse(readFileSync(stack.inventoryPath, 'utf8')) as { instances: Array<{ dbUserId: string }> };
  const account = stack.accounts[0]!;
  const dbUserId = inventory.instances[0]!.dbUserId;
  const bffPid = pidListeningOn(opts.bffPort);
  const dasPid = pidListeningOn(opts.dasPort);
  if (!bffPid || !dasPid) {
    await stack.stop();
    throw new Error(`could not find the processes listening on ${opts.bffPort} and ${opts.dasPort}`);
  }
  // For bench/run-all.ts: what to stop if this benchmark dies without running its finally blocks.
  writeFileSync(join(stateDir, 'pids.json'), JSON.stringify({ pids: [bffPid, dasPid] }));
  return {
    ...stack,
    stateDir,
    operator: { username: account.username, password: account.password },
    secrets,
    dbUserId,
    das: { endpoint: stack.dasUrl, projectId: secrets.projectId, ak: secrets.ak, sk: secrets.sk, dasInstanceId: secrets.dasInstanceId, dbUserId },
    bffPort: opts.bffPort,
    dasPort: opts.dasPort,
    bffPid,
    dasPid,
    lines,
    direct: () =>
      new DasClient({ endpoint: stack.dasUrl, projectId: secrets.projectId, credentials: () => ({ ak: secrets.ak, sk: secrets.sk }) }),
  };
}

/** Drops the benchmarks' DAS account (recreated by the next start). Call after the stack stopped. */
export async function dropBenchDasAccount(stack: Stack): Promise<void> {
  const admin = await adminConnection(stack.mysql);
  try {
    await dropAccounts(admin, [DAS_DB_USER]);
  } finally {
    await admin.end();
  }
}
