// Watching a kill whose sessions were still rolling back: list them again and record the ones that
// resolved. Only `rolling-back` outcomes ever change (to `killed`, `still-present`, or rolling back a
// while longer); the store enforces the same.
import type { RecheckResult, SessionOutcome } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';
import { NotFoundError } from '../errors.ts';
import type { KillContext } from './context.ts';
import { listedState, summarize } from './outcomes.ts';
import { listFilter } from './preview.ts';

/** What a rolling-back session has become, given the current listing (by id). */
export function resolveRollingBack(o: SessionOutcome, listed: ReadonlyMap<number, Session>): SessionOutcome {
  const { outcome: _was, rollingBackSeconds: _seconds, ...who } = o;
  const s = listed.get(o.sessionId);
  // The connection is its id, user, host with port and database: anything else on that id is a newer connection.
  if (s === undefined || s.user !== o.user || s.host !== o.host || s.database !== o.database) return { ...who, outcome: 'killed' };
  return { ...who, ...listedState(s) };
}

export async function recheckKill(c: KillContext, auditId: string): Promise<RecheckResult> {
  const entry = await c.stores.audit.get(auditId);
  if (!entry) throw new NotFoundError('no such kill in the audit trail');
  let outcomes = entry.outcomes;
  const rolling = outcomes.filter((o) => o.outcome === 'rolling-back');
  if (rolling.length > 0) {
    const instance = c.inventory.instance(entry.instanceId);
    const { sessions } = await c.inventory.listSessions(instance, listFilter(entry.target));
    const byId = new Map(sessions.map((s) => [s.id, s]));
    outcomes = await c.audit.resolveRollingBack(auditId, rolling.map((o) => resolveRollingBack(o, byId)));
  }
  return {
    auditId,
    outcomes,
    summary: summarize(outcomes),
    rollingBack: outcomes.filter((o) => o.outcome === 'rolling-back').length,
    checkedAt: c.now().toISOString(),
  };
}
