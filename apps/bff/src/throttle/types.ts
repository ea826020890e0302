// A SQL throttle as the stores keep it: the rule Quell asked DAS for, who asked and why, when it is
// due to go, and who (which replica) holds the lease to remove it.
import type { Role } from '@quell/contracts/common';
import type { ThrottleSqlType } from '@quell/contracts/throttles';

export type SqlThrottleStatus = 'active' | 'expired' | 'removed' | 'failed';

export interface SqlThrottleRecord {
  id: string;
  instanceId: string;
  sqlType: ThrottleSqlType;
  pattern: string;
  maxConcurrency: number;
  reason: string;
  createdBy: string;
  role: Role;
  createdAt: string;
  /** The due time: the sweeper removes the rule at or after it. ISO-8601 UTC. */
  expiresAt: string;
  killAuditId: string | null;
  /** The audit row of the creation. */
  auditId: string;
  /** DAS's rule id; null until the rule was seen listed (removal then looks it up by type and pattern). */
  ruleId: string | null;
  status: SqlThrottleStatus;
  endedAt: string | null;
  endedBy: string | null;
}
