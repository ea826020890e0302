// The stack the browser tests run against: started by Playwright's webServer, stopped with it.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTestIdp } from '@quell/test-kit/oidc';
import { E2E_BFF_PORT, E2E_BRIEF_INSTANCE, E2E_DAS_DB_USER, E2E_PROD_INSTANCE, E2E_DAS_PORT, E2E_IDP_NAME, E2E_IDP_PORT, E2E_INSTANCE, E2E_SQL_PROXY_PORT, accounts, idpUsers } from '../e2e/support/accounts.ts';
import { REPO_ROOT, startEmbeddedStack } from './lib/embedded-stack.ts';
import { exitOnSignals } from './lib/processes.ts';

exitOnSignals();

const stateDir = join(REPO_ROOT, '.quell/e2e-state');
rmSync(stateDir, { recursive: true, force: true });

// Sign-in with an identity provider next to the local accounts (which the other specs use).
const bffUrl = `http://127.0.0.1:${E2E_BFF_PORT}`;
const idp = await startTestIdp({
  port: E2E_IDP_PORT,
  redirectUris: [`${bffUrl}/api/auth/oidc/callback`],
  postLogoutRedirectUris: [`${bffUrl}/login`],
  users: Object.values(idpUsers).map((u) => ({ ...u, groups: [...u.groups] })),
});

const stack = await startEmbeddedStack({
  bffEnv: {
    QUELL_OIDC_ISSUER: idp.issuer,
    QUELL_OIDC_CLIENT_ID: idp.clientId,
    QUELL_OIDC_CLIENT_SECRET: idp.clientSecret,
    QUELL_OIDC_REDIRECT_URL: `${bffUrl}/api/auth/oidc/callback`,
    QUELL_OIDC_SCOPES: 'openid profile groups',
    QUELL_OIDC_ROLE_GROUPS: 'admin:quell-admins,operator:quell-oncall,viewer:quell-readers',
    QUELL_OIDC_DISPLAY_NAME: E2E_IDP_NAME,
    QUELL_OIDC_LOCAL_LOGIN: 'on',
  },
  stateDir,
  bffPort: E2E_BFF_PORT,
  dasPort: E2E_DAS_PORT,
  sqlProxyPort: E2E_SQL_PROXY_PORT,
  dasDbUser: E2E_DAS_DB_USER,
  accounts: Object.values(accounts).map((a) => ({ ...a })),
  instance: { ...E2E_INSTANCE, protectedUsers: [...E2E_INSTANCE.protectedUsers], environment: 'test' },
  extraInstances: [E2E_PROD_INSTANCE, E2E_BRIEF_INSTANCE].map((i) => ({ ...i, protectedUsers: [...i.protectedUsers] })),
  // Request logs would drown the test report; warnings and errors still show.
  onLine: (name, line) => {
    if (/"level":(40|50|60)|error|warn/i.test(line)) process.stderr.write(`[${name}] ${line}\n`);
  },
});
console.log(`e2e stack ready at ${stack.url}`);

