// Startup configuration: environment variables and the instance inventory, validated with zod.
// Error messages name the variable, or the file and field: never a value.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { Environment } from '@quell/contracts/instances';
import { loadOidcConfig, type OidcConfig } from './auth/oidc-config.ts';
import { loadNotifyConfig, type NotifyConfig } from './notify/config.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const InstanceInventoryEntry = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 lowercase letters, digits or hyphens, starting with a letter or digit'),
    name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
    environment: Environment,
    endpoint: z
      .string()
      .url('must be an http(s) URL')
      .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
      .optional(),
    region: z.string().regex(/^[a-z]{2,4}-[a-z]+-\d+$/, 'must look like ap-southeast-1').optional(),
    projectId: z.string().regex(/^[A-Za-z0-9]{32}$/, 'must be 32 letters or digits'),
    instanceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"'),
    dbUserId: z.string().regex(UUID_RE, 'must be a UUID (36 characters)').optional(),
    protectedUsers: z.array(z.string().min(1, 'must not be empty').max(80)).default([]),
    protectedHosts: z.array(z.string().min(1, 'must not be empty').max(255)).default([]),
    blastRadiusCap: z.number().int('must be a whole number').min(1, 'must be at least 1').max(100_000).default(20),
    /** Two-person rule: a broad kill, or a commit above the cap, waits for a second engineer. Default: true for prod. */
    requireApproval: z.boolean({ error: 'must be true or false' }).optional(),
    /** How long this instance's approval requests wait (default QUELL_APPROVAL_TTL_SECONDS). */
    approvalTtlSeconds: z.number().int('must be a whole number').min(5, 'must be at least 5').max(3600, 'must be at most 3600').optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.endpoint === undefined) === (v.region === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'give exactly one of endpoint or region' });
    }
  });
export type InstanceConfig = z.infer<typeof InstanceInventoryEntry>;

/** Whether the instance follows the two-person rule: as the inventory says, else only production does. */
export function requiresApproval(instance: Pick<InstanceConfig, 'requireApproval' | 'environment'>): boolean {
  return instance.requireApproval ?? instance.environment === 'prod';
}

export const Inventory = z
  .object({ instances: z.array(InstanceInventoryEntry).min(1, 'must list at least one instance') })
  .strict()
  .superRefine((inv, ctx) => {
    const seenIds = new Set<string>();
    const seenNames = new Set<string>();
    inv.instances.forEach((i, n) => {
      if (seenIds.has(i.id)) ctx.addIssue({ code: 'custom', path: ['instances', n, 'id'], message: 'is used by another instance' });
      if (seenNames.has(i.name)) ctx.addIssue({ code: 'custom', path: ['instances', n, 'name'], message: 'is used by another instance' });
      seenIds.add(i.id);
      seenNames.add(i.name);
    });
  });
export type Inventory = z.infer<typeof Inventory>;

/** Reads and validates an inventory file (YAML or JSON; JSON is valid YAML). */
export function loadInventory(file: string): InstanceConfig[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError([`QUELL_INVENTORY: cannot read the file ${file}`]);
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch {
    throw new ConfigError([`${file}: is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}`]);
  }
  const result = Inventory.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${file}: ${i.path.map(String).join('.') || '(root)'}: ${i.message}`));
  }
  return result.data.instances;
}

export interface Credentials {
  ak: string;
  sk: string;
  securityToken?: string;
}

export interface AppConfig {
  inventoryFile: string;
  instances: InstanceConfig[];
  credentials: Credentials;
  sessionSecret: string;
  usersFile: string;
  dataDir: string;
  webDist: string;
  cookieSecure: boolean;
  sessionIdleMinutes: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  port: number;
  host: string;
  /** Express `trust proxy`: how many proxy hops to trust (0: none), or the proxies' addresses. Never "trust everyone". */
  trustProxy: false | number | string;
  /** When set, only these Host names are served (a defence against DNS rebinding). */
  allowedHosts?: string[];
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** Request line and headers must arrive within this many seconds. */
  headersTimeoutSeconds: number;
  /** The whole request, body included, must arrive within this many seconds. */
  requestTimeoutSeconds: number;
  /** Open connections beyond this are closed at once. */
  maxConnections: number;
  /** PostgreSQL for audit, previews and idempotency keys (several replicas); absent: SQLite in dataDir. */
  databaseUrl?: string;
  /** Redis for login sessions and rate limits (several replicas); absent: SQLite sessions, in-memory limits. */
  redisUrl?: string;
  /** Prefix of every Redis key Quell writes (default "quell:"). */
  redisKeyPrefix: string;
  /** Lease of a replica in PostgreSQL: its audit rows still pending this long after it stopped renewing become unknown. */
  replicaLeaseSeconds: number;
  /** Sign-in with an OpenID Connect identity provider (QUELL_OIDC_*); absent: local accounts only. */
  oidc?: OidcConfig;
  /** Incident notifications: destinations (QUELL_NOTIFY_*) and the public URL for links (QUELL_PUBLIC_URL). */
  notify: NotifyConfig;
  /** How long an approval request waits for a second engineer before it expires. */
  approvalTtlSeconds: number;
}

const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

const EnvSchema = z.object({
  QUELL_INVENTORY: z.string({ error: 'is required' }).min(1, 'is required'),
  QUELL_USERS_FILE: z.string({ error: 'is required' }).min(1, 'is required'),
  QUELL_DATA_DIR: z.string().min(1).optional(),
  QUELL_WEB_DIST: z.string().min(1).optional(),
  QUELL_COOKIE_SECURE: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  QUELL_SESSION_IDLE_MINUTES: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(24 * 60, 'must be at most 1440').default(30),
  QUELL_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  PORT: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0-65535').max(65535, 'must be 0-65535').default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  QUELL_REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1-64 letters, digits or : _ . -').default('quell:'),
  QUELL_REPLICA_LEASE_SECONDS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(2, 'must be at least 2').max(3600, 'must be at most 3600').default(60),
  // A hop count, not a boolean: "true" would trust any client's own X-Forwarded-For (and so its throttle key).
  QUELL_TRUST_PROXY: z
    .string()
    .regex(/^(\d{1,2}|(?:[0-9a-fA-F.:/]+|loopback|linklocal|uniquelocal)(?:\s*,\s*(?:[0-9a-fA-F.:/]+|loopback|linklocal|uniquelocal))*)$/, 'must be a hop count (0-99, e.g. 1 behind one reverse proxy) or a comma-separated list of proxy addresses')
    .optional(),
  QUELL_APPROVAL_TTL_SECONDS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(5, 'must be at least 5').max(3600, 'must be at most 3600').default(600),
  QUELL_HEADERS_TIMEOUT_SECONDS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(120, 'must be at most 120').default(10),
  QUELL_REQUEST_TIMEOUT_SECONDS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(300, 'must be at most 300').default(30),
  QUELL_MAX_CONNECTIONS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(100_000, 'must be at most 100000').default(1000),
  QUELL_ALLOWED_HOSTS: z
    .string()
    .regex(/^\s*[A-Za-z0-9.:\[\]-]+(\s*,\s*[A-Za-z0-9.:\[\]-]+)*\s*$/, 'must be a comma-separated list of host names (without ports)')
    .optional(),
});

/** A secret from VAR or from the file named by VAR_FILE (never both). Problems name the variable only. */
function readSecret(env: Record<string, string | undefined>, name: string, problems: string[], required: boolean): string | undefined {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  if (direct !== undefined && direct !== '' && file !== undefined && file !== '') {
    problems.push(`${name}: set either ${name} or ${name}_FILE, not both`);
    return undefined;
  }
  if (file !== undefined && file !== '') {
    try {
      const value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      if (value === '') problems.push(`${name}_FILE: the file is empty`);
      return value || undefined;
    } catch {
      problems.push(`${name}_FILE: cannot read the file it names`);
      return undefined;
    }
  }
  if (direct !== undefined && direct !== '') return direct;
  if (required) problems.push(`${name}: is required (or ${name}_FILE)`);
  return undefined;
}

/** Validates the environment and the inventory; throws ConfigError listing every problem. The result is frozen. */
export function loadConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Readonly<AppConfig> {
  const problems: string[] = [];
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.map(String).join('.')}: ${issue.message}`);
  }
  const ak = readSecret(env, 'QUELL_AK', problems, true);
  const sk = readSecret(env, 'QUELL_SK', problems, true);
  const securityToken = readSecret(env, 'QUELL_SECURITY_TOKEN', problems, false);
  const metricsToken = readSecret(env, 'QUELL_METRICS_TOKEN', problems, false);
  if (metricsToken !== undefined && metricsToken.length < 16) problems.push('QUELL_METRICS_TOKEN: must be at least 16 characters');
  const sessionSecret = readSecret(env, 'QUELL_SESSION_SECRET', problems, true);
  if (sessionSecret !== undefined && sessionSecret.length < 32) problems.push('QUELL_SESSION_SECRET: must be at least 32 characters');
  // Connection URLs may hold a password: read like secrets, checked without ever echoing them.
  const databaseUrl = readSecret(env, 'QUELL_DATABASE_URL', problems, false);
  const databaseProblem = databaseUrl === undefined ? undefined : checkServiceUrl(databaseUrl, ['postgres:', 'postgresql:'], 'postgres://user@host:5432/database');
  if (databaseProblem) problems.push(`QUELL_DATABASE_URL: ${databaseProblem}`);
  const redisUrl = readSecret(env, 'QUELL_REDIS_URL', problems, false);
  const redisProblem = redisUrl === undefined ? undefined : checkServiceUrl(redisUrl, ['redis:', 'rediss:'], 'redis://host:6379');
  if (redisProblem) problems.push(`QUELL_REDIS_URL: ${redisProblem}`);
  const oidc = loadOidcConfig(env, (name, required) => readSecret(env, name, problems, required), problems);
  const notify = loadNotifyConfig(env, (name, required) => readSecret(env, name, problems, required), problems);

  let instances: InstanceConfig[] = [];
  if (parsed.success) {
    try {
      instances = loadInventory(path.resolve(cwd, parsed.data.QUELL_INVENTORY));
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (parsed.success && parsed.data.QUELL_HEADERS_TIMEOUT_SECONDS > parsed.data.QUELL_REQUEST_TIMEOUT_SECONDS) {
    problems.push('QUELL_HEADERS_TIMEOUT_SECONDS: must not exceed QUELL_REQUEST_TIMEOUT_SECONDS');
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  const tp = e.QUELL_TRUST_PROXY;
  const trustProxy: false | number | string = tp === undefined ? false : /^\d+$/.test(tp) ? Number(tp) : tp;
  const allowedHosts = e.QUELL_ALLOWED_HOSTS?.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  return Object.freeze({
    inventoryFile: path.resolve(cwd, e.QUELL_INVENTORY),
    instances,
    credentials: Object.freeze({ ak: ak!, sk: sk!, ...(securityToken ? { securityToken } : {}) }),
    sessionSecret: sessionSecret!,
    usersFile: path.resolve(cwd, e.QUELL_USERS_FILE),
    dataDir: path.resolve(cwd, e.QUELL_DATA_DIR ?? '.quell/data'),
    webDist: e.QUELL_WEB_DIST ? path.resolve(cwd, e.QUELL_WEB_DIST) : DEFAULT_WEB_DIST,
    cookieSecure: e.QUELL_COOKIE_SECURE === 'true',
    sessionIdleMinutes: e.QUELL_SESSION_IDLE_MINUTES,
    logLevel: e.QUELL_LOG_LEVEL,
    port: e.PORT,
    host: e.HOST,
    trustProxy,
    ...(allowedHosts && allowedHosts.length > 0 ? { allowedHosts } : {}),
    ...(metricsToken ? { metricsToken } : {}),
    headersTimeoutSeconds: e.QUELL_HEADERS_TIMEOUT_SECONDS,
    requestTimeoutSeconds: e.QUELL_REQUEST_TIMEOUT_SECONDS,
    maxConnections: e.QUELL_MAX_CONNECTIONS,
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(redisUrl ? { redisUrl } : {}),
    redisKeyPrefix: e.QUELL_REDIS_KEY_PREFIX,
    replicaLeaseSeconds: e.QUELL_REPLICA_LEASE_SECONDS,
    ...(oidc ? { oidc } : {}),
    notify,
    approvalTtlSeconds: e.QUELL_APPROVAL_TTL_SECONDS,
  });
}

/** Why a service URL is unusable (undefined if it is fine). The message never contains the URL. */
export function checkServiceUrl(value: string, protocols: string[], example: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `is not a valid URL (expected something like ${example})`;
  }
  if (!protocols.includes(u.protocol)) return `must start with ${protocols.map((p) => `${p}//`).join(' or ')} (like ${example})`;
  if (u.hostname === '') return `names no host (expected something like ${example})`;
  return undefined;
}

/** The HTTPS endpoint of DAS in a region (SDK 3.1.211 table; na-mexico-1 is served from la-south-2). */
export function dasEndpointFor(instance: Pick<InstanceConfig, 'endpoint' | 'region'>): string {
  if (instance.endpoint) return instance.endpoint;
  const region = instance.region === 'na-mexico-1' ? 'la-south-2' : instance.region;
  return `https://das.${region}.myhuaweicloud.com`;
}
