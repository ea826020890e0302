// The built servers (`node dist/…`, as `pnpm start` runs them in production) that `./quell start`,
// the browser tests and the benchmarks run. A bundle older than the code it was built from is refused, so nothing runs stale code.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-root.ts';

export const BUILD_SERVERS = 'pnpm --filter @quell/bff --filter @quell/das-local build';

// How each server runs is defined once, by its package.json `start` script (`pnpm start`, what
// production runs): the environment it sets, node's own arguments, and the bundle. `./quell start`, the
// browser tests and the benchmarks read it from there, so they run the servers the same way. What the
// memory settings do is explained in apps/bff/README.md.
const SERVERS = { bff: 'apps/bff', 'das-local': 'apps/das-local' } as const;

export interface BuiltServer {
  /** Node's own arguments, then the bundle: spawn `process.execPath` with these, then the server's arguments. */
  args: string[];
  /** Added to the environment the server is given. */
  env: Record<string, string>;
}

/** `NAME=value … node [--node-flag …] dist/entry.js` → its parts; anything else is refused rather than misread. */
function parseStartScript(script: string): { env: Record<string, string>; nodeArgs: string[]; entry: string } {
  const words = script.trim().split(/\s+/);
  const env: Record<string, string> = {};
  let i = 0;
  for (let m; i < words.length && (m = /^([A-Z_][A-Z0-9_]*)=(\S*)$/.exec(words[i]!)); i++) env[m[1]!] = m[2]!;
  if (words[i++] !== 'node') throw new Error(`start script is not "[NAME=value …] node [--flag …] <bundle>": ${script}`);
  const nodeArgs: string[] = [];
  while (i < words.length && words[i]!.startsWith('-')) nodeArgs.push(words[i++]!);
  const entry = words[i++];
  if (!entry || i !== words.length) throw new Error(`start script is not "[NAME=value …] node [--flag …] <bundle>": ${script}`);
  return { env, nodeArgs, entry };
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
  const app = SERVERS[name];
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, app, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const { env, nodeArgs, entry } = parseStartScript(manifest.scripts.start);
  const file = join(REPO_ROOT, app, entry);
  if (!existsSync(file)) throw new Error(`${app}/${entry} is not built: run \`${BUILD_SERVERS}\``);
  const built = statSync(file).mtimeMs;
  if (SOURCE_DIRS(app).some((dir) => newestSource(dir) > built)) throw new Error(`${app}/${entry} is older than its sources: run \`${BUILD_SERVERS}\``);
  return { args: [...nodeArgs, file], env };
}
