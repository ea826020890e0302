import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { mysqlTarget } from '@quell/test-kit/mariadb';
import { INSTANCE_ID, PROJECT_ID, call } from '../test/official-signer.ts';
import { ConfigError, loadConfig, parseCredentialsEnv } from './config.ts';

const MYSQL = await mysqlTarget();
const dir = mkdtempSync(join(tmpdir(), 'das-local-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (content: unknown) => {
  const file = join(dir, `config-${++n}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const valid = {
  projectId: PROJECT_ID,
  credentials: [{ ak: 'FILEAK', sk: 'file-secret-value' }],
  instances: [{ instanceId: INSTANCE_ID, host: MYSQL.host, port: MYSQL.port }],
  registryPath: 'registry.sqlite',
  registryKey: 'file-registry-key',
};

describe('config', () => {
  it('loads a valid file; registryPath is relative to the file; defaults for listen, lockout, faults', () => {
    const file = write(valid);
    const c = loadConfig(file, {});
    expect(c.deps.registryPath).toBe(join(dirname(file), 'registry.sqlite'));
    expect(c.deps.credentials).toEqual(valid.credentials);
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(c.faults).toEqual({ enabled: false, http: false });
    expect(c.deps.lockout).toBe(false);
    expect(c.deps.innodbTrxScope).toBe('locking');
    expect(loadConfig(write({ ...valid, innodbTrxScope: 'all' }), {}).deps.innodbTrxScope).toBe('all');
    expect(() => loadConfig(write({ ...valid, innodbTrxScope: 'some' }), {})).toThrow(/innodbTrxScope/);
  });

  it('takes secrets from DAS_LOCAL_CREDENTIALS and DAS_LOCAL_REGISTRY_KEY', () => {
    const { credentials: _c, registryKey: _k, ...noSecrets } = valid;
    const c = loadConfig(write(noSecrets), { DAS_LOCAL_CREDENTIALS: 'AK1:SK1, AK2:SK2:TOKEN2', DAS_LOCAL_REGISTRY_KEY: 'env-key' });
    expect(c.deps.credentials).toEqual([{ ak: 'AK1', sk: 'SK1' }, { ak: 'AK2', sk: 'SK2', securityToken: 'TOKEN2' }]);
    expect(c.deps.registryKey).toBe('env-key');
    expect(() => loadConfig(write(noSecrets), {})).toThrow(/credentials: required/);
    expect(() => loadConfig(write({ ...noSecrets, credentials: valid.credentials }), {})).toThrow(/registryKey: required/);
  });

  it('names the field and the file, never the secret values', () => {
    const file = write({ ...valid, projectId: 'short', credentials: [{ ak: 'A K', sk: '' }], instances: [{ instanceId: 'x', host: 'h', port: 70000 }], extra: 1 });
    let caught: unknown;
    try {
      loadConfig(file, {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as Error).message;
    expect(message).toContain(file);
    for (const field of ['projectId', 'credentials.0.ak', 'credentials.0.sk', 'instances.0.port', '(root)']) expect(message).toContain(field);
    expect(() => loadConfig(join(dir, 'missing.json'), {})).toThrow(/missing\.json: file not found/);
    expect(() => loadConfig(write('{not json'), {})).toThrow(/not valid JSON/);
    expect(() => parseCredentialsEnv('AK-only')).toThrow(/DAS_LOCAL_CREDENTIALS: entry 1/);
    const envErr = (() => {
      try {
        parseCredentialsEnv('GOOD:secret-one,BAD');
      } catch (err) {
        return err as Error;
      }
      return undefined;
    })();
    expect(envErr).toBeInstanceOf(ConfigError);
    expect(envErr?.message).toContain('entry 2');
    expect(envErr?.message).not.toContain('secret-one');
  });
});

describe('das-local CLI', () => {
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'das-local.mjs');

  it('exits non-zero on a bad config', async () => {
    const file = write({ ...valid, projectId: 'nope' });
    const child = spawn(process.execPath, [bin, '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(1);
    expect(stderr).toContain('projectId');
  });

  it('prints the listening line, serves signed requests, and stops on SIGTERM', async () => {
    const { credentials: _c, ...rest } = valid;
    const file = write({ ...rest, listen: { host: '127.0.0.1', port: 0 }, log: false });
    const child = spawn(process.execPath, [bin, '--config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DAS_LOCAL_CREDENTIALS: 'CLIAK:cli-secret' },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^das-local listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const res = await call(url, { method: 'GET', path: `/v3/${PROJECT_ID}/instances/${INSTANCE_ID}/db-users`, ak: 'CLIAK', sk: 'cli-secret' });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ total: 0, db_users: [] });
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', r)));
    expect(code).toBe(0);
  });
});
