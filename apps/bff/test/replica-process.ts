// Starts a BFF replica as its own process (`node --import tsx src/index.ts`), configured only through
// the environment, exactly as production starts it. Used by the several-replicas test and bench.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BFF_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface ReplicaProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Spawns a replica and resolves once it printed its address; rejects with its output if it exits first. */
export function startReplica(env: Record<string, string>, timeoutMs = 30_000): Promise<ReplicaProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: BFF_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`replica did not start in time:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({
        url: m[1]!,
        child,
        output: () => out,
        exited,
        async stop(signal: NodeJS.Signals = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`replica exited (${code}) before listening:\n${out}`));
    });
  });
}

/** A failed start: the exit code and what the process printed. */
export async function startReplicaExpectingFailure(env: Record<string, string>, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  try {
    const r = await startReplica(env, timeoutMs);
    await r.stop('SIGKILL');
    return { code: 0, output: r.output() };
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const m = /exited \((\w+)\)/.exec(text);
    return { code: m ? Number(m[1]) : null, output: text };
  }
}
