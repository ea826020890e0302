import type { MeResponse } from '@quell/contracts/auth';
import type { InstanceSummary } from '@quell/contracts/instances';
import type { KillPreview, KillResult } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';

export const me = (over: Partial<MeResponse> = {}): MeResponse => ({ username: 'alice', role: 'operator', csrfToken: 'csrf-123', ...over });

export const instance = (over: Partial<InstanceSummary> = {}): InstanceSummary => ({
  id: 'prod-orders',
  name: 'prod-orders',
  environment: 'prod',
  region: 'eu-west-1',
  blastRadiusCap: 50,
  protectedUsers: ['repl'],
  protectedHosts: [],
  ...over,
});

export const session = (id: number, over: Partial<Session> = {}): Session => ({
  id,
  user: 'app_rw',
  host: `10.0.0.8:${50000 + (id % 1000)}`,
  database: 'orders',
  command: 'Query',
  time: id % 1000,
  state: 'Sending data',
  sql: `SELECT * FROM orders WHERE id = ${id}`,
  trxExecutedTime: 0,
  ...over,
});

export const preview = (over: Partial<KillPreview> = {}): KillPreview => ({
  previewId: 'pv-1',
  instanceId: 'prod-orders',
  instanceName: 'prod-orders',
  filter: { user: 'app_rw' },
  targets: [session(11), session(12)],
  excluded: [{ sessionId: 77, reason: 'replication', explanation: 'system user: replication thread' }],
  createdAt: '2026-11-28T20:00:00.000Z',
  expiresAt: '2026-11-28T20:05:00.000Z',
  blastRadiusCap: 50,
  requiresTypedConfirmation: false,
  rollbackRisks: [],
  ...over,
});

export const killResult = (over: Partial<KillResult> = {}): KillResult => ({
  auditId: 'audit-1',
  instanceId: 'prod-orders',
  mode: 'preview',
  outcomes: [
    { sessionId: 11, user: 'app_rw', outcome: 'killed' },
    { sessionId: 12, user: 'app_rw', outcome: 'gone-before-kill' },
  ],
  summary: { killed: 1, 'gone-before-kill': 1 },
  excluded: [],
  dasRequestIds: ['das-req-1'],
  verification: 'verified',
  finishedAt: '2026-11-28T20:01:00.000Z',
  ...over,
});
