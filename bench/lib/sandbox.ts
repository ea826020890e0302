// Real MariaDB sessions owned by one benchmark: a test-kit sandbox (qt_<label>_<random>_…) whose accounts
// share one password (the load workers sign in as several of them), noted on disk until it is dropped.
// Only sessions it opened are ever killed by its baselines.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminConnection, type MysqlTarget } from '@quell/test-kit/mariadb';
import { createSandbox, type Sandbox } from '@quell/test-kit/sandbox';
import { REPO_ROOT } from '../../scripts/lib/repo-root.ts';

export interface BenchSandbox extends Sandbox {
  password: string;
  /** Creates `<prefix><label>` (ALL on the database, the shared password) and returns its name. */
  user(label: string): Promise<string>;
}

/** Where each live sandbox notes its databases and accounts until it has dropped them. */
export const LEFTOVERS_DIR = join(REPO_ROOT, '.quell', 'bench-leftovers');

export async function createBenchSandbox(label: string): Promise<BenchSandbox> {
  const password = randomBytes(12).toString('hex');
  // For bench/run-all.ts: what to drop if this benchmark dies without running its finally blocks.
  mkdirSync(LEFTOVERS_DIR, { recursive: true });
  let leftover = '';
  const sandbox = await createSandbox({
    label,
    onChange: (state) => {
      leftover ||= join(LEFTOVERS_DIR, `${state.databases[0]}.json`);
      writeFileSync(leftover, JSON.stringify(state));
    },
  });
  return {
    ...sandbox,
    password,
    async user(userLabel) {
      return (await sandbox.account(`${sandbox.prefix}${userLabel}`.slice(0, 32), { password })).user;
    },
    async drop() {
      await sandbox.drop();
      rmSync(leftover, { force: true });
    },
  };
}

/**
 * Raises MariaDB's max_connections for the duration of `body` and puts the previous value back
 * afterwards — also when `body` throws or the process is interrupted (SIGINT/SIGTERM/SIGHUP).
 */
export async function withMaxConnections<T>(target: MysqlTarget, wanted: number, body: () => Promise<T>): Promise<T> {
  const admin = await adminConnection(target);
  const [rows] = await admin.query('SELECT @@GLOBAL.max_connections AS v');
  const previous = Number((rows as Array<{ v: number }>)[0]!.v);
  let restored = false;
  let changed = false;
  const restore = async () => {
    if (restored || !changed) return;
    restored = true;
    await admin.query(`SET GLOBAL max_connections = ${previous}`);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    // Restore on a fresh connection (the admin one may be busy), then die by the same signal.
    void (async () => {
      try {
        if (!changed || restored) process.exit(130);
        const c = await adminConnection(target);
        await c.query(`SET GLOBAL max_connections = ${previous}`);
        restored = true;
        await c.end();
      } catch {
        /* nothing more we can do */
      }
      process.stderr.write(`max_connections restored to ${previous} after ${signal}\n`);
      process.exit(130);
    })();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  try {
    if (previous < wanted) {
      changed = true;
      await admin.query(`SET GLOBAL max_connections = ${Number(wanted)}`);
    }
    return await body();
  } finally {
    for (const s of signals) process.off(s, onSignal);
    try {
      await restore();
    } finally {
      await admin.end();
    }
  }
}
