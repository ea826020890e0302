// The stack the browser tests run against: started by Playwright's webServer, stopped with it.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_BFF_PORT, E2E_DAS_DB_USER, E2E_DAS_PORT, E2E_INSTANCE, accounts } from '../e2e/support/accounts.ts';
import { REPO_ROOT, startEmbeddedStack } from './lib/embedded-stack.ts';
import { exitOnSignals } from './lib/processes.ts';

exitOnSignals();

const stateDir = join(REPO_ROOT, '.quell/e2e-state');
rmSync(stateDir, { recursive: true, force: true });

const stack = await startEmbeddedStack({
  stateDir,
  bffPort: E2E_BFF_PORT,
  dasPort: E2E_DAS_PORT,
  dasDbUser: E2E_DAS_DB_USER,
  accounts: Object.values(accounts).map((a) => ({ ...a })),
  instance: { ...E2E_INSTANCE, protectedUsers: [...E2E_INSTANCE.protectedUsers], environment: 'test' },
  // Request logs would drown the test report; warnings and errors still show.
  onLine: (name, line) => {
    if (/"level":(40|50|60)|error|warn/i.test(line)) process.stderr.write(`[${name}] ${line}\n`);
  },
});
console.log(`e2e stack ready at ${stack.url}`);

