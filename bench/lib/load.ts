// Runs bench/lib/load-worker.ts as a child process and returns its result.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/repo-root.ts';
import { LOAD_PREFIX, type LoadResult, type LoadSpec } from './load-types.ts';

export type { LoadResult, LoadSpec };

export function runLoad(spec: LoadSpec, timeoutMs = (spec.seconds + spec.warmupSeconds) * 1000 + 60_000): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(REPO_ROOT, 'node_modules/.bin/tsx'), [join(REPO_ROOT, 'bench/lib/load-worker.ts')], {
      env: { ...process.env, QUELL_BENCH_LOAD: JSON.stringify(spec) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(LOAD_PREFIX));
      if (!line) return reject(new Error(`load worker (${spec.mode}) exited ${code} without a result`));
      resolve(JSON.parse(line.slice(LOAD_PREFIX.length)) as LoadResult);
    });
  });
}
