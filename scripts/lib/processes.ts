// Child processes that announce readiness with a line of output, and never outlive the process that started them.
import { spawn, type ChildProcess } from 'node:child_process';

export interface Started {
  child: ChildProcess;
  /** The regex match of the readiness line. */
  match: RegExpMatchArray;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

/**
 * On Ctrl-C or SIGTERM: run `beforeExit` (if any), stop every child still running, exit.
 * Install it first thing, so that a signal during start-up leaves nothing behind either.
 */
export function exitOnSignals(beforeExit?: () => Promise<void>): void {
  let exiting = false;
  const onSignal = async (signal: NodeJS.Signals) => {
    if (exiting) return;
    exiting = true;
    await beforeExit?.().catch(() => undefined);
    const exits = [...live].map((child) => new Promise<void>((resolve) => child.once('exit', () => resolve())));
    for (const child of live) child.kill('SIGTERM');
    const force = setTimeout(() => [...live].forEach((child) => child.kill('SIGKILL')), 10_000);
    await Promise.all(exits);
    clearTimeout(force);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', (s) => void onSignal(s));
  process.on('SIGTERM', (s) => void onSignal(s));
}

export function startProcess(opts: {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  ready: RegExp;
  timeoutMs?: number;
  /** Where to copy the child's output; defaults to this process's stderr with a name prefix. */
  onLine?: (line: string) => void;
}): Promise<Started> {
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Same process group as the caller: whoever stops the caller's group (Ctrl-C, Playwright) stops these too.
  });
  // Never outlive the caller: if it exits without stopping us (an uncaught error), we go too.
  const reap = () => child.kill('SIGTERM');
  process.once('exit', reap);
  live.add(child);
  child.once('exit', () => {
    process.removeListener('exit', reap);
    live.delete(child);
  });
  const onLine = opts.onLine ?? ((line: string) => process.stderr.write(`[${opts.name}] ${line}\n`));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      void stop();
      reject(new Error(`${opts.name} did not become ready within ${opts.timeoutMs ?? 60_000} ms`));
    }, opts.timeoutMs ?? 60_000);
    const scan = (stream: NodeJS.ReadableStream) => {
      let buffer = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) !== -1) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          onLine(line);
          const match = line.match(opts.ready);
          if (match && !settled) {
            settled = true;
            clearTimeout(timer);
            resolve({ child, match, stop });
          }
        }
      });
    };
    scan(child.stdout!);
    scan(child.stderr!);
    child.once('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${opts.name} exited before it was ready (code ${code}, signal ${signal})`));
    });
  });
}
