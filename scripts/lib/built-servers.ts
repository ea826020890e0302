// The built servers (`node dist/…`, as in production) that `./quell start`, the browser tests and the
// benchmarks run. A bundle older than the code it was built from is refused, so nothing runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-root.ts';

export const BUILD_SERVERS = 'pnpm --filter @quell/bff --filter @quell/das-local build';

// How production runs each server (`pnpm start` in the app does the same). The memory settings:
// glibc keeps freed memory per arena (a 16 MB scrypt buffer per libuv thread after a login burst), and
// V8's young generation grows to 3 × 16 MB under load; two arenas and 4 MB semi-spaces keep the BFF's
// peak under load about 45 MB lower, for a little more scavenging. A fixed mmap threshold stops glibc
// raising it after the first large free (to 16 MB, after one scrypt), so large buffers keep coming from
// mmap and go back to the system when freed instead of staying in the heap.
const MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };
const SERVERS = {
  bff: { app: 'apps/bff', entry: 'dist/index.js', nodeArgs: ['--max-semi-space-size=4'], env: MALLOC_ENV },
  'das-local': { app: 'apps/das-local', entry: 'dist/cli.js', nodeArgs: ['--max-semi-space-size=4'], env: MALLOC_ENV },
} as const;

export interface BuiltServer {
  /** Node's own arguments, then the bundle: spawn `process.execPath` with these, then the server's arguments. */
  args: string[];
  /** Added to the environment the server is given. */
  env: Record<string, string>;
}

/** Sources a bundle is made of: the app's own and the workspace packages it bundles. */
const SOURCE_DIRS = (app: string) => [join(REPO_ROOT, app, 'src'), join(REPO_ROOT, 'packages/contracts/src'), join(REPO_ROOT, 'packages/das-client/src')];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** How to run a server's bundle; throws, naming the command to run, if it is missing or stale. */
export function builtServer(name: keyof typeof SERVERS): BuiltServer {
  const { app, entry, nodeArgs, env } = SERVERS[name];
  const file = join(REPO_ROOT, app, entry);
  if (!existsSync(file)) throw new Error(`${app}/${entry} is not built: run \`${BUILD_SERVERS}\``);
  const built = statSync(file).mtimeMs;
  if (SOURCE_DIRS(app).some((dir) => newestSource(dir) > built)) throw new Error(`${app}/${entry} is older than its sources: run \`${BUILD_SERVERS}\``);
  return { args: [...nodeArgs, file], env: { ...env } };
}
