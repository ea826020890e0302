// Test services for the several-replicas path: the local PostgreSQL (127.0.0.1:5432, trust) and
// Redis (127.0.0.1:6379). Started where installed but not running, installed with apt where absent
// (scripts/bootstrap.sh does the same for `./quell test`). Every test gets its own database with a
// random name, and its own random Redis key prefix; both are removed afterwards.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';

export const PG = {
  host: process.env.QUELL_TEST_PG_HOST ?? '127.0.0.1',
  port: Number(process.env.QUELL_TEST_PG_PORT ?? 5432),
};
export const REDIS = {
  host: process.env.QUELL_TEST_REDIS_HOST ?? '127.0.0.1',
  port: Number(process.env.QUELL_TEST_REDIS_PORT ?? 6379),
};

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitFor(host: string, port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await listening(host, port)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
let aptUpdated = false;
function aptInstall(...pkgs: string[]) {
  if (!aptUpdated) run('apt-get', ['update', '-qq']);
  aptUpdated = true;
  run('apt-get', ['install', '-y', '-qq', ...pkgs]);
}

/** Makes sure PostgreSQL answers on PG.host:PG.port (starting or installing the Debian cluster). */
export async function ensurePostgres(): Promise<void> {
  if (await listening(PG.host, PG.port)) return;
  if (!existsSync('/usr/bin/pg_ctlcluster')) aptInstall('postgresql');
  const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
  if (versions.length === 0) throw new Error('PostgreSQL is installed but has no cluster under /etc/postgresql');
  run('pg_ctlcluster', ['--skip-systemctl-redirect', versions.sort().at(-1)!, 'main', 'start']);
  if (!(await waitFor(PG.host, PG.port, 30_000))) throw new Error(`PostgreSQL did not start on ${PG.host}:${PG.port}`);
}

/** Makes sure Redis answers on REDIS.host:REDIS.port (starting or installing redis-server). */
export async function ensureRedis(): Promise<void> {
  if (await listening(REDIS.host, REDIS.port)) return;
  if (!existsSync('/usr/bin/redis-server')) aptInstall('redis-server');
  run('redis-server', ['--daemonize', 'yes', '--bind', REDIS.host, '--port', String(REDIS.port), '--save', '', '--appendonly', 'no']);
  if (!(await waitFor(REDIS.host, REDIS.port, 30_000))) throw new Error(`Redis did not start on ${REDIS.host}:${REDIS.port}`);
}

/** Trust auth: the superuser is `postgres` on Debian; some machines map root instead. */
async function adminClient(): Promise<pg.Client> {
  let last: unknown;
  for (const user of [process.env.QUELL_TEST_PG_USER, 'postgres', 'root'].filter((u): u is string => !!u)) {
    const c = new pg.Client({ host: PG.host, port: PG.port, user, database: 'postgres' });
    try {
      await c.connect();
      return c;
    } catch (err) {
      last = err;
      await c.end().catch(() => undefined);
    }
  }
  throw last instanceof Error ? last : new Error('cannot connect to PostgreSQL');
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates a database with a random name (dropped by drop(), together with its connections). */
export async function createTestDatabase(): Promise<TestDatabase> {
  await ensurePostgres();
  const name = `qt_bff_${randomBytes(5).toString('hex')}`;
  const a = await adminClient();
  const user = a.user!;
  try {
    await a.query(`CREATE DATABASE ${name}`);
  } finally {
    await a.end();
  }
  return {
    name,
    url: `postgres://${encodeURIComponent(user)}@${PG.host}:${PG.port}/${name}`,
    async drop() {
      const c = await adminClient();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface TestRedis {
  url: string;
  prefix: string;
  client: Redis;
  /** The keys under this test's prefix. */
  keys(): Promise<string[]>;
  /** Deletes this test's keys (only those under its prefix) and disconnects. */
  cleanup(): Promise<void>;
}

export async function createTestRedis(): Promise<TestRedis> {
  await ensureRedis();
  const url = `redis://${REDIS.host}:${REDIS.port}`;
  const prefix = `qt_bff_${randomBytes(5).toString('hex')}:`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await client.connect();
  const keys = async () => {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      out.push(...batch);
    } while (cursor !== '0');
    return out;
  };
  return {
    url,
    prefix,
    client,
    keys,
    async cleanup() {
      const ks = await keys();
      for (let i = 0; i < ks.length; i += 500) await client.del(...ks.slice(i, i + 500));
      await client.quit();
    },
  };
}
