// das-local's config file (JSON), validated with zod; secrets may come from the environment instead.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { INNODB_TRX_SCOPES, type InnodbTrxScope } from './locks.ts';
import type { DasServerDeps } from './server.ts';
import { SYNTHETIC_PROCESSES_ENV, syntheticProcessCount } from './synthetic-processes.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const Credential = z
  .object({
    ak: z.string().regex(/^[A-Za-z0-9]{1,128}$/, 'must be 1..128 letters or digits'),
    sk: z.string().min(1, 'must not be empty'),
    securityToken: z.string().min(1, 'must not be empty').optional(),
  })
  .strict();

const FileSchema = z
  .object({
    projectId: z.string().regex(/^[A-Za-z0-9]{32}$/, 'must be 32 letters or digits'),
    credentials: z.array(Credential).min(1, 'must list at least one AK/SK pair').optional(),
    instances: z
      .array(
        z
          .object({
            instanceId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be 1..64 letters, digits or hyphens'),
            host: z.string().min(1, 'must not be empty'),
            port: z.number().int().min(1).max(65535),
            sqlLimit: z
              .object({
                proxy: z.object({ host: z.string().min(1).optional(), port: z.number().int().min(0).max(65535) }).strict().optional(),
                caseSensitive: z.boolean().optional(),
                exemptRoot: z.boolean().optional(),
                jobDelayMs: z.number().int().min(0).max(600_000).optional(),
                reportSwitching: z.boolean().optional(),
              })
              .strict()
              .optional(),
          })
          .strict(),
      )
      .min(1, 'must list at least one instance'),
    registryPath: z.string().min(1, 'must not be empty'),
    registryKey: z.string().min(1, 'must not be empty').optional(),
    lockout: z.boolean().optional(),
    innodbTrxScope: z.enum(INNODB_TRX_SCOPES as [InnodbTrxScope, ...InnodbTrxScope[]]).optional(),
    listen: z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8787) })
      .strict()
      .optional(),
    faults: z.object({ enabled: z.boolean(), http: z.boolean().optional() }).strict().optional(),
    log: z.boolean().optional(),
  })
  .strict();

export interface CliConfig {
  deps: Omit<DasServerDeps, 'faults' | 'log' | 'now'>;
  listen: { host: string; port: number };
  faults: { enabled: boolean; http: boolean };
  log: boolean;
}

/** `AK:SK[:SECURITY_TOKEN][,AK:SK[:SECURITY_TOKEN]]` */
export function parseCredentialsEnv(value: string): DasServerDeps['credentials'] {
  const entries = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (entries.length === 0) throw new ConfigError('DAS_LOCAL_CREDENTIALS: must hold at least one AK:SK pair');
  return entries.map((entry, i) => {
    const parts = entry.split(':');
    const [ak, sk, token] = parts;
    if (parts.length < 2 || parts.length > 3 || !ak || !sk || !/^[A-Za-z0-9]{1,128}$/.test(ak) || (parts.length === 3 && !token)) {
      throw new ConfigError(`DAS_LOCAL_CREDENTIALS: entry ${i + 1} is not AK:SK or AK:SK:SECURITY_TOKEN`);
    }
    return token ? { ak, sk, securityToken: token } : { ak, sk };
  });
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): CliConfig {
  const path = resolve(file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : err instanceof SyntaxError ? 'not valid JSON' : 'cannot be read';
    throw new ConfigError(`config ${path}: ${reason}`);
  }
  const parsed = FileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new ConfigError(`config ${path} is invalid:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const credentials = env.DAS_LOCAL_CREDENTIALS ? parseCredentialsEnv(env.DAS_LOCAL_CREDENTIALS) : c.credentials;
  if (!credentials) throw new ConfigError(`config ${path} is invalid:\n  - credentials: required (in the file or in DAS_LOCAL_CREDENTIALS)`);
  const registryKey = env.DAS_LOCAL_REGISTRY_KEY || c.registryKey;
  if (!registryKey) throw new ConfigError(`config ${path} is invalid:\n  - registryKey: required (in the file or in DAS_LOCAL_REGISTRY_KEY)`);
  const ids = c.instances.map((i) => i.instanceId);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new ConfigError(`config ${path} is invalid:\n  - instances: instanceId ${dup} appears twice`);
  const aks = credentials.map((x) => x.ak);
  if (new Set(aks).size !== aks.length) throw new ConfigError(`config ${path} is invalid:\n  - credentials: an AK appears twice`);
  let syntheticProcesses: number | undefined;
  try {
    syntheticProcesses = syntheticProcessCount(env[SYNTHETIC_PROCESSES_ENV]);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return {
    deps: {
      projectId: c.projectId,
      credentials,
      instances: c.instances,
      registryPath: c.registryPath === ':memory:' ? ':memory:' : resolve(dirname(path), c.registryPath),
      registryKey,
      lockout: c.lockout ?? false,
      innodbTrxScope: c.innodbTrxScope ?? 'locking',
      ...(syntheticProcesses === undefined ? {} : { syntheticProcesses }),
    },
    listen: { host: c.listen?.host ?? '127.0.0.1', port: c.listen?.port ?? 8787 },
    faults: { enabled: c.faults?.enabled ?? false, http: c.faults?.http ?? false },
    log: c.log ?? true,
  };
}
