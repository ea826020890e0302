import { Reason } from '@quell/contracts/common';
import type { KillOutcome, KillResult, SessionOutcome } from '@quell/contracts/kill';

export const MIN_REASON = 3;

/** The BFF's Reason rule, from the shared contract. */
export function reasonIsValid(reason: string): boolean {
  return Reason.safeParse(reason).success;
}

/** The typed confirmation must be the instance name exactly (surrounding spaces forgiven). */
export function typedNameMatches(typed: string, instanceName: string): boolean {
  return typed.trim() === instanceName;
}

export function canCommit(o: { targets: number; reason: string; requiresTypedConfirmation: boolean; typed: string; instanceName: string; pending: boolean }): boolean {
  if (o.pending || o.targets === 0) return false;
  if (!reasonIsValid(o.reason)) return false;
  if (o.requiresTypedConfirmation && !typedNameMatches(o.typed, o.instanceName)) return false;
  return true;
}

export const OUTCOME_TEXT: Record<KillOutcome, string> = {
  killed: 'killed',
  'gone-before-kill': 'gone before kill',
  'changed-skipped': 'changed, skipped',
  'still-present': 'still present',
  'rolling-back': 'rolling back',
  failed: 'failed',
  'sent-unverified': 'sent, unverified',
  unknown: 'unknown',
};
const ORDER: KillOutcome[] = ['killed', 'gone-before-kill', 'changed-skipped', 'still-present', 'rolling-back', 'failed', 'sent-unverified', 'unknown'];

/** One session's outcome as the result says it: "rolling back, 12 s" while the server undoes its transaction. */
export function outcomeLabel(o: Pick<SessionOutcome, 'outcome' | 'rollingBackSeconds'>): string {
  if (o.outcome === 'rolling-back' && o.rollingBackSeconds !== undefined) return `rolling back, ${Math.round(o.rollingBackSeconds)} s`;
  return OUTCOME_TEXT[o.outcome];
}

/** `11 killed · 1 gone before kill`, counted from the outcomes themselves. */
export function summaryLine(result: Pick<KillResult, 'outcomes'>): string {
  const counts = new Map<KillOutcome, number>();
  for (const o of result.outcomes) counts.set(o.outcome, (counts.get(o.outcome) ?? 0) + 1);
  const parts = ORDER.filter((k) => counts.has(k)).map((k) => `${counts.get(k)} ${OUTCOME_TEXT[k]}`);
  return parts.length ? parts.join(' · ') : 'No session was sent a kill';
}

export const QUICK_REASONS = ['Incident: ', 'Runaway query', 'Lock contention', 'Connection leak'] as const;

/** A fresh Idempotency-Key: one per commit attempt of one preview. */
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return `k-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** "user app and database shop", as the dialogs say it. */
export function describeFilter(filter: { user?: string | undefined; database?: string | undefined }): string {
  return [filter.user && `user ${filter.user}`, filter.database && `database ${filter.database}`].filter(Boolean).join(' and ');
}
