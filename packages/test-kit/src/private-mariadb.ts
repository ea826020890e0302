// A private MariaDB server of a test's own (its own datadir and port): for restarts (thread ids start
// again low) and for what a fresh mariadb-install-db creates (the anonymous ''@localhost accounts).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';

export interface PrivateMariadb {
  host: string;
  port: number;
  /** root over TCP, no password. */
  admin(): Promise<mysql.Connection>;
  /** Stops the server cleanly and starts it again on the same datadir and port (thread ids restart low). */
  restart(): Promise<void>;
  /** Stops the server and keeps its datadir (restart() starts it again). */
  halt(): Promise<void>;
  /** Stops the server and removes its datadir. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Runs mariadb-install-db into a temporary directory and starts mariadbd there on a free port.
 * `freshDefaults` keeps what a plain install creates (the anonymous ''@localhost accounts and the
 * test database); otherwise the install skips them.
 */
export async function startPrivateMariadb(opts: { freshDefaults?: boolean } = {}): Promise<PrivateMariadb> {
  const dir = mkdtempSync(join(tmpdir(), 'quell-mariadb-'));
  const datadir = join(dir, 'data');
  await new Promise<void>((resolve, reject) => {
    execFile(
      'mariadb-install-db',
      ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--auth-root-authentication-method=normal', ...(opts.freshDefaults ? [] : ['--skip-test-db'])],
      (err) => (err ? reject(err) : resolve()),
    );
  });
  const port = await freePort();
  const host = '127.0.0.1';
  const connect = () => mysql.createConnection({ host, port, user: 'root', password: '', connectTimeout: 2000 });
  let proc: ChildProcess | undefined;
  const start = async () => {
    const mariadbd = ['/usr/sbin/mariadbd', '/usr/bin/mariadbd'].find((p) => existsSync(p)) ?? 'mariadbd';
    proc = spawn(
      mariadbd,
      ['--no-defaults', `--datadir=${datadir}`, '--user=root', `--port=${port}`, `--bind-address=${host}`, `--socket=${join(dir, 'sock')}`, '--skip-log-bin', `--log-error=${join(dir, 'error.log')}`, '--innodb-buffer-pool-size=16M'],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const c = await connect();
        await c.end();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const halt = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  };
  await start();
  return {
    host,
    port,
    admin: connect,
    async restart() {
      await halt();
      await start();
    },
    halt,
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
