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

/** MySQL and MariaDB list a killed session as `Killed` until it has undone its transaction. */
export const ROLLING_BACK_COMMAND = 'Killed';

/**
 * The outcome of a sent kill whose session is still listed with its identity: rolling back (with how long
 * it has been in `Killed`) while the server undoes its transaction, otherwise still present.
 */
export function stillListedOutcome(target: Pick<Session, 'id' | 'user' | 'host' | 'database'>, listed: Pick<Session, 'command' | 'time'>): SessionOutcome {
  return { ...outcomeFor(target, 'still-present'), ...listedState(listed) };
}

/** The outcome part of stillListedOutcome, for an outcome that is already known. */
export function listedState(listed: Pick<Session, 'command' | 'time'>): Pick<SessionOutcome, 'outcome' | 'rollingBackSeconds'> {
  return listed.command === ROLLING_BACK_COMMAND ? { outcome: 'rolling-back', rollingBackSeconds: Math.max(0, listed.time) } : { outcome: 'still-present' };
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
