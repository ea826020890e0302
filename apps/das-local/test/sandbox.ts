// das-local's tests on the local MariaDB: the accounts each test file owns (in a test-kit sandbox) and
// a das-local server in this process that reaches that MariaDB.
import { randomBytes } from 'node:crypto';
import { mysqlTarget, type Login } from '@quell/test-kit/mariadb';
import { createSandbox, type Sandbox } from '@quell/test-kit/sandbox';
import { createDasServer, type DasServer, type DasServerDeps } from '../src/server.ts';
import { INSTANCE_ID, PROJECT_ID } from './official-signer.ts';

export interface TestAccounts {
  prefix: string;
  sandbox: Sandbox;
  /** The account registered with DAS: PROCESS + the kill privilege. */
  das: Login;
  /** Accounts whose sessions get listed and killed (ALL on db1 and db2). */
  app: Login;
  other: Login;
  /** An account with no privilege at all. */
  weak: Login;
  /** PROCESS only: sees every session, can kill only its own. */
  viewer: Login;
  db1: string;
  /** db1 holds a table `t (id, v)` with rows (1, 0) and (2, 0). */
  db2: string;
  drop(): Promise<void>;
}

export async function createTestAccounts(): Promise<TestAccounts> {
  const sandbox = await createSandbox({ label: 'das', databases: ['db1', 'db2'] });
  const p = sandbox.prefix;
  const [db1, db2] = sandbox.databases as [string, string];
  const accounts = {
    das: await sandbox.account(`${p}das`, { databases: false, kill: true }),
    app: await sandbox.account(`${p}app`),
    other: await sandbox.account(`${p}oth`),
    weak: await sandbox.account(`${p}weak`, { databases: false }),
    viewer: await sandbox.account(`${p}view`, { databases: false, process: true }),
  };
  await sandbox.admin.query(`CREATE TABLE \`${db1}\`.t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB`);
  await sandbox.admin.query(`INSERT INTO \`${db1}\`.t VALUES (1, 0), (2, 0)`);
  return { prefix: p, sandbox, ...accounts, db1, db2, drop: () => sandbox.drop() };
}

/** A das-local for PROJECT_ID whose INSTANCE_ID is the local MariaDB (registry in memory unless given). */
export async function createTestDas(deps: Pick<DasServerDeps, 'credentials'> & Partial<DasServerDeps>): Promise<DasServer> {
  const target = await mysqlTarget();
  return createDasServer({
    projectId: PROJECT_ID,
    instances: [{ instanceId: INSTANCE_ID, host: target.host, port: target.port }],
    registryPath: ':memory:',
    registryKey: randomBytes(16).toString('hex'),
    ...deps,
  });
}
