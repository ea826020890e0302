// The entry point as a process: config errors exit 1 naming the variable; a good config listens, serves, and stops on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventually } from '@quell/test-kit/eventually';
import { pathOf, routes } from '@quell/contracts/routes';

const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const entry = fileURLToPath(new URL('./index.ts', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'quell-index-'));
const inventory = path.join(dir, 'inventory.yaml');
writeFileSync(
  inventory,
  `instances:
  - id: demo-local
    name: demo-local
    environment: dev
    endpoint: http://127.0.0.1:9
    projectId: 0123456789abcdef0123456789abcdef
    instanceId: da304cd5bbb944de828759bc7be3d3fein01
    dbUserId: 2c250598-1e3c-4d31-bc19-be1d866247e6
`,
);
const secret = randomBytes(24).toString('hex');
const env = {
  PATH: process.env.PATH ?? '',
  QUELL_INVENTORY: inventory,
  QUELL_USERS_FILE: path.join(dir, 'users.json'),
  QUELL_DATA_DIR: path.join(dir, 'data'),
  QUELL_WEB_DIST: path.join(dir, 'no-dist'),
  QUELL_AK: 'AKTEST',
  QUELL_SK: secret,
  QUELL_SESSION_SECRET: secret,
  QUELL_LOG_LEVEL: 'silent',
  PORT: '0',
  HOST: '127.0.0.1',
};

function startBff(extraEnv: Record<string, string> = {}) {
  const child = spawn(tsx, [entry], { env: { ...env, ...extraEnv } as NodeJS.ProcessEnv, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 45_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Quell BFF listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
  });
  const stop = async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    return exited;
  };
  return { url, stop, output: () => out };
}

describe('index.ts', () => {
  it('exits 1 and names the variable when the configuration is wrong, without printing values', () => {
    const r = spawnSync(tsx, [entry], { env: { ...env, QUELL_SK: undefined, QUELL_SESSION_SECRET: 'too-short-secret' } as NodeJS.ProcessEnv, encoding: 'utf8', cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('QUELL_SK: is required');
    expect(r.stderr).toContain('QUELL_SESSION_SECRET: must be at least 32 characters');
    expect(r.stderr).not.toContain('too-short-secret');
  });

  it('listens, prints its URL, serves a hint page when the SPA is not built, and stops on SIGTERM', async () => {
    const bff = startBff();
    const url = await bff.url;
    try {
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('not built yet');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const api = await fetch(`${url}${pathOf(routes.instances)}`);
      expect(api.status).toBe(401);
    } finally {
      expect(await bff.stop()).toBe(0);
    }
    expect(bff.output()).not.toContain(secret);
  });

  it('starts its first readiness check with the process, before any probe asks', async () => {
    // A DAS that records what reaches it (and answers nothing useful): no /readyz request is made.
    const seen: string[] = [];
    const das = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(503, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((r) => das.listen(0, '127.0.0.1', r));
    const dasInventory = path.join(dir, 'inventory-recorded.yaml');
    writeFileSync(dasInventory, readFileSync(inventory, 'utf8').replace('http://127.0.0.1:9', `http://127.0.0.1:${(das.address() as AddressInfo).port}`));
    const bff = startBff({ QUELL_INVENTORY: dasInventory, QUELL_DATA_DIR: path.join(dir, 'data-recorded') });
    try {
      await bff.url;
      const calls = await eventually(async () => seen, (s) => s.length > 0, 20_000);
      expect(calls[0]).toMatch(/^GET \/v\d+\/[0-9a-f]+\/instances\/da304cd5bbb944de828759bc7be3d3fein01\/db-users\?/);
    } finally {
      await bff.stop();
      das.close();
    }
  });
});
