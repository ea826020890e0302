// What each step of the kill workflow is given: the inventory, the audit trail, the stores and the tuning.
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.ts';
import type { Stores } from '../stores/types.ts';
import type { AuditTrail } from './audit-trail.ts';
import type { Inventory } from './inventory.ts';

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
}
