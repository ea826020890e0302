// PostgreSQL and Redis for the several-replicas tests and benchmarks: the local PostgreSQL
// (127.0.0.1:5432, trust auth) and Redis (127.0.0.1:6379), overridable with QUELL_TEST_PG_HOST/_PORT/_USER
// and QUELL_TEST_REDIS_HOST/_PORT. Tests install and start nothing (`./quell test` does, through
// scripts/bootstrap.sh): a server that is not there is an error that says so. Every test gets its own
// database with a random name, and its own random Redis key prefix; both are removed afterwards.
import { randomBytes } from 'node:crypto';
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

async function required(what: string, host: string, port: number): Promise<void> {
  if (!(await listening(host, port))) throw new Error(`${what} is not listening on ${host}:${port}; \`./quell test\` installs and starts it (scripts/bootstrap.sh)`);
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
  await required('PostgreSQL', PG.host, PG.port);
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
  await required('Redis', REDIS.host, REDIS.port);
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
