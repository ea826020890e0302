// `./quell start`: Quell on its embedded default, with real demo sessions to kill.
import { join } from 'node:path';
import { startDemoWorkload } from '@quell/das-local/demo-workload';
import { REPO_ROOT, startEmbeddedStack } from './lib/embedded-stack.ts';
import { exitOnSignals } from './lib/processes.ts';

let stopWorkload: (() => Promise<void>) | undefined;
exitOnSignals(async () => {
  process.stdout.write('\nStopping Quell…\n');
  await stopWorkload?.();
});

const env = process.env;
const verbose = env.QUELL_VERBOSE === '1';
const stack = await startEmbeddedStack({
  stateDir: env.QUELL_STATE_DIR ?? join(REPO_ROOT, '.quell'),
  bffPort: Number(env.PORT ?? 3000),
  dasPort: Number(env.QUELL_DAS_LOCAL_PORT ?? 8787),
  sqlProxyPort: Number(env.QUELL_SQL_PROXY_PORT ?? 8788),
  accounts: [
    { username: 'operator', role: 'operator' },
    { username: 'admin', role: 'admin' },
  ],
  onLine: (name, line) => {
    if (verbose || /error|fatal|warn/i.test(line)) process.stderr.write(`[${name}] ${line}\n`);
  },
});

const admin = stack.mysql.admin;
const workload = await startDemoWorkload({
  host: stack.mysql.host,
  port: stack.mysql.port,
  // through das-local's SQL limit proxy, so that a throttle created in Quell refuses the demo's statements
  ...(stack.sqlProxy ? { sessions: stack.sqlProxy } : {}),
  adminUser: String(admin.user ?? 'root'),
  ...(admin.password ? { adminPassword: String(admin.password) } : {}),
  ...(admin.socketPath ? { socketPath: admin.socketPath } : {}),
}).catch(async (err: unknown) => {
  await stack.stop();
  throw err;
});
stopWorkload = () => workload.stop();

const accounts = stack.accounts.map((a) => `    ${a.role.padEnd(9)} ${a.username} / ${a.password}`).join('\n');
process.stdout.write(`
  Quell is running: ${stack.url}

  Sign in with (new passwords at every start):
${accounts}

  Instance "${stack.instanceId}" is your local MariaDB through das-local (${stack.dasUrl}).
  ${workload.sessionIds.length} demo sessions are open under ${workload.users.join(', ')} on ${workload.databases.join(', ')},
  among them a two-level row-lock chain and an ALTER TABLE stuck behind an idle transaction:
  list them by user or database, preview, and kill.
  The demo sessions reach MariaDB through das-local's SQL limit proxy (${stack.sqlProxy ? `${stack.sqlProxy.host}:${stack.sqlProxy.port}` : 'off'}):
  throttles bite on them (a matching statement is refused with error 1317). Try "Throttle similar…" on a SLEEP.

  Ctrl-C stops Quell.
`);

