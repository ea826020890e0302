// Fixed test accounts of the browser-test stack (it runs on loopback only, with a throwaway state dir).
export const E2E_BFF_PORT = 3199;
export const E2E_DAS_PORT = 8799;
/** das-local's SQL limit proxy in front of the e2e instance: sessions opened through it are throttled. */
export const E2E_SQL_PROXY_PORT = 8798;
export const E2E_SQL_PROXY = { host: '127.0.0.1', port: E2E_SQL_PROXY_PORT } as const;
/** The MariaDB account the e2e das-local registers; its pool's sessions come and go. */
export const E2E_DAS_DB_USER = 'quell_das_e2e';
/** A MariaDB account the e2e instance protects: Quell must never kill its sessions. */
export const E2E_PROTECTED_USER = 'qe_guarded_app';
export const E2E_INSTANCE = { id: 'e2e-local', name: 'e2e-local', blastRadiusCap: 5, protectedUsers: [E2E_PROTECTED_USER] } as const;
/** Production instances on the same database server: they follow the two-person rule (the second expires its requests after 5 s). */
export const E2E_PROD_INSTANCE = { id: 'e2e-prod', name: 'e2e-prod', environment: 'prod', blastRadiusCap: 2, protectedUsers: [E2E_PROTECTED_USER] } as const;
export const E2E_BRIEF_INSTANCE = { id: 'e2e-prod-brief', name: 'e2e-prod-brief', environment: 'prod', blastRadiusCap: 2, approvalTtlSeconds: 5, protectedUsers: [E2E_PROTECTED_USER] } as const;

/** The browser tests' OpenID provider (test kit) and the users it knows, each in its groups. */
export const E2E_IDP_PORT = 3197;
export const E2E_IDP_NAME = 'Test IdP';
export const idpUsers = {
  operator: { login: 'olga.oncall', name: 'Olga Oncall', groups: ['quell-oncall', 'staff'] },
  viewer: { login: 'vic.viewer', name: 'Vic Viewer', groups: ['quell-readers'] },
} as const;

export const accounts = {
  viewer: { username: 'e2e-viewer', password: 'e2e-viewer-password', role: 'viewer' },
  operator: { username: 'e2e-operator', password: 'e2e-operator-password', role: 'operator' },
  admin: { username: 'e2e-admin', password: 'e2e-admin-password', role: 'admin' },
} as const;
