// What each step of the kill workflow is given: the inventory, the audit trail, the stores and the tuning.
import type { Logger } from 'pino';
import type { InstanceConfig } from '../config.ts';
import type { Metrics } from '../metrics.ts';
import type { Stores } from '../stores/types.ts';
import type { AuditTrail } from './audit-trail.ts';
import type { Inventory } from './inventory.ts';
import type { Actor, PreviewRecord } from './types.ts';

/** A kill the two-person rule holds back: a broad kill (its filter) or the commit of a preview above the cap. */
export type ApprovalAsk = { actor: Actor; instance: InstanceConfig; reason: string; idempotencyKey: string } & (
  | { kind: 'broad'; filter: { user?: string; database?: string } }
  | { kind: 'preview'; preview: PreviewRecord }
);

export interface KillSettings {
  previewTtlMs: number;
  chunkSize: number;
  /** Verification listings after a kill (a killed thread can take a moment to leave PROCESSLIST). */
  verifyAttempts: number;
  verifyDelayMs: number;
  startToleranceMs: number;
}

export interface KillContext {
  inventory: Inventory;
  audit: AuditTrail;
  stores: Stores;
  metrics: Metrics;
  logger: Logger;
  now: () => Date;
  settings: KillSettings;
  /** Creates (or finds again) the approval request for a kill that needs a second engineer, and throws APPROVAL_REQUIRED. */
  askApproval(ask: ApprovalAsk): Promise<never>;
}
