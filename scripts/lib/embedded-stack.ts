// The embedded default: das-local on the local MariaDB, a generated AK/SK pair shared with the BFF,
// a registered DAS db user, an inventory with one instance, operator accounts, and the BFF serving the SPA.
// Used by `./quell start` (with demo sessions) and by the browser tests (with test accounts).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DasClient } from '@quell/das-client/client';
import { upsertUser } from '@quell/bff/auth/users-file';
import type { Role } from '@quell/contracts/common';
import { adminConnection, ensureDasAccount, resolveMysqlTarget, type MysqlTarget } from '@quell/test-kit/mariadb';
import { builtServer } from './built-servers.ts';
import { startProcess, type Started } from './processes.ts';
import { REPO_ROOT } from './repo-root.ts';

export { REPO_ROOT };

export interface StackAccount {
  username: string;
  role: Role;
  password: string;
}

export interface StackInstance {
  id?: string;
  name?: string;
  environment?: 'prod' | 'staging' | 'dev' | 'test';
  blastRadiusCap?: number;
  protectedUsers?: string[];
  requireApproval?: boolean;
  approvalTtlSeconds?: number;
}

export interface StackOptions {
  stateDir: string;
  bffPort: number;
  dasPort: number;
  /** Port of das-local's SQL limit proxy in front of the instance's MariaDB (sessions through it are throttled); none if unset. */
  sqlProxyPort?: number;
  accounts: Array<{ username: string; role: Role; password?: string }>;
  instance?: StackInstance;
  /** More inventory entries on the same DAS instance (e.g. a production one for the two-person rule). */
  extraInstances?: Array<StackInstance & { id: string; name: string }>;
  /** Account DAS uses on MariaDB; tests pass their own so they never share one with a running demo. */
  dasDbUser?: string;
  onLine?: (name: string, line: string) => void;
  /** More settings for the BFF (e.g. QUELL_OIDC_* for the browser tests' identity provider). */
  bffEnv?: Record<string, string>;
}

export interface Stack {
  url: string;
  dasUrl: string;
  mysql: MysqlTarget;
  /** Where sessions reach the instance through das-local's SQL limit proxy (throttles bite there). */
  sqlProxy?: { host: string; port: number };
  accounts: StackAccount[];
  instanceId: string;
  inventoryPath: string;
  stop(): Promise<void>;
}

export interface Secrets {
  ak: string;
  sk: string;
  sessionSecret: string;
  registryKey: string;
  dasDbPassword: string;
  projectId: string;
  dasInstanceId: string;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Secrets are generated once per state dir and kept (0600) so the db-user registry stays valid across restarts. */
function loadOrCreateSecrets(stateDir: string): Secrets {
  const file = join(stateDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Secrets;
  const secrets: Secrets = {
    ak: randomBytes(10).toString('hex').toUpperCase(),
    sk: randomBytes(30).toString('base64url'),
    sessionSecret: hex(32),
    registryKey: hex(32),
    dasDbPassword: randomBytes(18).toString('base64url'),
    projectId: hex(16),
    dasInstanceId: `${hex(16)}in01`,
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

/** The secrets a stack's state dir holds (after one start of the stack). */
export function readStackSecrets(stateDir: string): Secrets {
  return JSON.parse(readFileSync(join(stateDir, 'secrets.json'), 'utf8')) as Secrets;
}

/** das-local's environment for a stack: its built-server settings, the AK/SK it accepts and the registry key. */
export function dasLocalEnv(secrets: Secrets): NodeJS.ProcessEnv {
  return { ...process.env, ...builtServer('das-local').env, DAS_LOCAL_CREDENTIALS: `${secrets.ak}:${secrets.sk}`, DAS_LOCAL_REGISTRY_KEY: secrets.registryKey };
}

/** The BFF's environment for a stack's state dir: inventory, accounts, data, the web build and the secrets. */
export function bffEnv(o: { secrets: Secrets; stateDir: string; inventoryPath: string; port: number }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...builtServer('bff').env,
    HOST: '127.0.0.1',
    PORT: String(o.port),
    QUELL_INVENTORY: o.inventoryPath,
    QUELL_USERS_FILE: join(o.stateDir, 'users.json'),
    QUELL_DATA_DIR: join(o.stateDir, 'data'),
    QUELL_WEB_DIST: join(REPO_ROOT, 'apps/web/dist'),
    QUELL_AK: o.secrets.ak,
    QUELL_SK: o.secrets.sk,
    QUELL_SESSION_SECRET: o.secrets.sessionSecret,
  };
}

export async function startEmbeddedStack(opts: StackOptions): Promise<Stack> {
  // The built servers under plain node, as in production (one node process each, no wrapper).
  const dasServer = builtServer('das-local');
  const bffServer = builtServer('bff');
  mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
  const secrets = loadOrCreateSecrets(opts.stateDir);
  const mysqlTarget = await resolveMysqlTarget();
  const dasDbUser = opts.dasDbUser ?? 'quell_das';

  const admin = await adminConnection(mysqlTarget);
  try {
    await ensureDasAccount(admin, dasDbUser, secrets.dasDbPassword);
  } finally {
    await admin.end();
  }

  const started: Started[] = [];
  const stopAll = async () => {
    for (const s of started.reverse()) await s.stop();
  };
  const lineSink = (name: string) => (line: string) => (opts.onLine ? opts.onLine(name, line) : process.stderr.write(`[${name}] ${line}\n`));

  try {
    const dasConfigPath = join(opts.stateDir, 'das-local.json');
    const sqlProxy = opts.sqlProxyPort === undefined ? undefined : { host: '127.0.0.1', port: opts.sqlProxyPort };
    writeFileSync(
      dasConfigPath,
      JSON.stringify(
        {
          listen: { host: '127.0.0.1', port: opts.dasPort },
          projectId: secrets.projectId,
          instances: [{ instanceId: secrets.dasInstanceId, host: mysqlTarget.host, port: mysqlTarget.port, ...(sqlProxy ? { sqlLimit: { proxy: sqlProxy } } : {}) }],
          registryPath: join(opts.stateDir, 'das-registry.sqlite'),
        },
        null,
        2,
      ),
    );
    const das = await startProcess({
      name: 'das-local',
      command: process.execPath,
      args: [...dasServer.args, '--config', dasConfigPath],
      cwd: REPO_ROOT,
      env: dasLocalEnv(secrets),
      ready: /das-local listening on (http:\/\/\S+)/,
      onLine: lineSink('das-local'),
    });
    started.push(das);
    const dasUrl = das.match[1]!;

    const client = new DasClient({ endpoint: dasUrl, projectId: secrets.projectId, credentials: () => ({ ak: secrets.ak, sk: secrets.sk }) });
    const existing = (await client.listDbUsers(secrets.dasInstanceId)).find((u) => u.dbUsername === dasDbUser);
    const dbUserId = existing?.dbUserId ?? (await client.registerDbUser(secrets.dasInstanceId, dasDbUser, secrets.dasDbPassword));

    const instance = opts.instance ?? {};
    const entry = (i: StackInstance, id: string) => ({
      id,
      name: i.name ?? id,
      environment: i.environment ?? 'dev',
      endpoint: dasUrl,
      projectId: secrets.projectId,
      instanceId: secrets.dasInstanceId,
      dbUserId,
      protectedUsers: i.protectedUsers ?? [],
      protectedHosts: [],
      blastRadiusCap: i.blastRadiusCap ?? 20,
      ...(i.requireApproval !== undefined ? { requireApproval: i.requireApproval } : {}),
      ...(i.approvalTtlSeconds !== undefined ? { approvalTtlSeconds: i.approvalTtlSeconds } : {}),
    });
    const inventoryPath = join(opts.stateDir, 'inventory.json');
    const instances = [entry(instance, instance.id ?? 'demo-local'), ...(opts.extraInstances ?? []).map((i) => entry(i, i.id))];
    writeFileSync(inventoryPath, JSON.stringify({ instances }, null, 2));

    const usersFile = join(opts.stateDir, 'users.json');
    const accounts: StackAccount[] = [];
    for (const account of opts.accounts) {
      const password = account.password ?? randomBytes(9).toString('base64url');
      await upsertUser(usersFile, account.username, password, account.role);
      accounts.push({ username: account.username, role: account.role, password });
    }

    const bff = await startProcess({
      name: 'bff',
      command: process.execPath,
      args: bffServer.args,
      cwd: REPO_ROOT,
      env: { ...bffEnv({ secrets, stateDir: opts.stateDir, inventoryPath, port: opts.bffPort }), ...opts.bffEnv },
      ready: /Quell BFF listening on (http:\/\/\S+)/,
      onLine: lineSink('bff'),
    });
    started.push(bff);

    return {
      url: bff.match[1]!,
      dasUrl,
      mysql: mysqlTarget,
      ...(sqlProxy ? { sqlProxy } : {}),
      accounts,
      instanceId: instance.id ?? 'demo-local',
      inventoryPath,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
