// What bench/run-all.ts does after a benchmark process dies abnormally (a fatal V8 out-of-memory,
// SIGKILL): its finally blocks never ran, so stop its stack, drop its MariaDB accounts and database,
// and put max_connections back to what it was before that benchmark started.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { adminConnection, dropAccounts, mysqlTarget } from '@quell/test-kit/mariadb';
import type { SandboxState } from '@quell/test-kit/sandbox';
import { REPO_ROOT } from '../../scripts/lib/repo-root.ts';
import { LEFTOVERS_DIR } from './sandbox.ts';
import { DAS_DB_USER } from './stack.ts';

export async function readMaxConnections(): Promise<number | undefined> {
  try {
    const admin = await adminConnection(await mysqlTarget());
    try {
      const [rows] = await admin.query('SELECT @@GLOBAL.max_connections AS v');
      return Number((rows as Array<{ v: number }>)[0]!.v);
    } finally {
      await admin.end();
    }
  } catch {
    return undefined;
  }
}

export async function cleanUpAfterCrash(maxConnectionsBefore: number | undefined, log: (line: string) => void): Promise<void> {
  // 1. Stacks: the BFF and das-local processes recorded by bench/lib/stack.ts, if they are still ours.
  const quellDir = join(REPO_ROOT, '.quell');
  for (const dir of existsSync(quellDir) ? readdirSync(quellDir).filter((d) => d.startsWith('bench-')) : []) {
    const file = join(quellDir, dir, 'pids.json');
    if (!existsSync(file)) continue;
    for (const pid of (JSON.parse(readFileSync(file, 'utf8')) as { pids: number[] }).pids) {
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue; // gone
      }
      if (!/apps\/(bff|das-local)\//.test(cmdline)) continue;
      try {
        process.kill(pid, 'SIGTERM');
        log(`stopped leftover ${cmdline.includes('apps/bff') ? 'BFF' : 'das-local'} (pid ${pid})`);
      } catch {
        /* gone meanwhile */
      }
    }
    rmSync(file, { force: true });
  }
  await new Promise((r) => setTimeout(r, 1000));
  // 2. MariaDB: the sandboxes' accounts (and their sessions) and databases, the DAS account, max_connections.
  let admin;
  try {
    admin = await adminConnection(await mysqlTarget());
  } catch (err) {
    log(`could not reach MariaDB to clean up: ${(err as Error).message}`);
    return;
  }
  try {
    for (const f of existsSync(LEFTOVERS_DIR) ? readdirSync(LEFTOVERS_DIR) : []) {
      const { databases, users } = JSON.parse(readFileSync(join(LEFTOVERS_DIR, f), 'utf8')) as SandboxState;
      await dropAccounts(admin, users);
      for (const db of databases) await admin.query(`DROP DATABASE IF EXISTS \`${db.replace(/`/g, '')}\``);
      rmSync(join(LEFTOVERS_DIR, f), { force: true });
      log(`dropped leftover ${databases.join(', ')} and ${users.length} accounts`);
    }
    await dropAccounts(admin, [DAS_DB_USER]);
    if (maxConnectionsBefore !== undefined) {
      const [rows] = await admin.query('SELECT @@GLOBAL.max_connections AS v');
      const now = Number((rows as Array<{ v: number }>)[0]!.v);
      if (now !== maxConnectionsBefore) {
        await admin.query(`SET GLOBAL max_connections = ${Number(maxConnectionsBefore)}`);
        log(`max_connections restored from ${now} to ${maxConnectionsBefore}`);
      }
    }
  } finally {
    await admin.end();
  }
}
