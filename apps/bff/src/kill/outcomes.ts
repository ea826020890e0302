// Per-session outcomes and the kill result every mode answers with.
import type { ExcludedSession, KillOutcome, KillResult, SessionOutcome } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';

export function summarize(outcomes: SessionOutcome[]): Partial<Record<KillOutcome, number>> {
  const s: Partial<Record<KillOutcome, number>> = {};
  for (const o of outcomes) s[o.outcome] = (s[o.outcome] ?? 0) + 1;
  return s;
}

export function outcomeFor(session: Pick<Session, 'id' | 'user' | 'host' | 'database'>, outcome: KillOutcome, error?: SessionOutcome['error']): SessionOutcome {
  return { sessionId: session.id, user: session.user, host: session.host, database: session.database, outcome, ...(error ? { error } : {}) };
}

export function killResult(r: {
  auditId: string;
  instanceId: string;
  mode: KillResult['mode'];
  outcomes: SessionOutcome[];
  excluded: ExcludedSession[];
  dasRequestIds: string[];
  verification: KillResult['verification'];
  finishedAt: Date;
  observed?: KillResult['observed'];
}): KillResult {
  return {
    auditId: r.auditId,
    instanceId: r.instanceId,
    mode: r.mode,
    outcomes: r.outcomes,
    summary: summarize(r.outcomes),
    excluded: r.excluded,
    dasRequestIds: r.dasRequestIds,
    verification: r.verification,
    finishedAt: r.finishedAt.toISOString(),
    ...(r.observed ? { observed: r.observed } : {}),
  };
}
