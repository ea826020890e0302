/** The BFF's route paths, shared so that the web app never writes one by hand. */
export const routes = {
  login: '/api/auth/login',
  logout: '/api/auth/logout',
  me: '/api/me',
  instances: '/api/instances',
  sessions: (instanceId: string) => `/api/instances/${encodeURIComponent(instanceId)}/sessions`,
  killPreviews: (instanceId: string) => `/api/instances/${encodeURIComponent(instanceId)}/kill-previews`,
  commitPreview: (previewId: string) => `/api/kill-previews/${encodeURIComponent(previewId)}/commit`,
  broadKills: (instanceId: string) => `/api/instances/${encodeURIComponent(instanceId)}/broad-kills`,
  blindKills: (instanceId: string) => `/api/instances/${encodeURIComponent(instanceId)}/blind-kills`,
  audit: '/api/audit',
  auditCsv: '/api/audit.csv',
  dbUsers: (instanceId: string) => `/api/instances/${encodeURIComponent(instanceId)}/db-users`,
  dbUser: (instanceId: string, dbUserId: string) => `/api/instances/${encodeURIComponent(instanceId)}/db-users/${encodeURIComponent(dbUserId)}`,
} as const;

export const CSRF_HEADER = 'X-CSRF-Token';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const SESSION_COOKIE = 'quell_session';
/** Sent by the browser on requests it makes without the operator (no input for a while): they do not keep a login alive. */
export const BACKGROUND_HEADER = 'X-Quell-Background';
