// Preview: list the matching sessions, split them into targets and excluded ones, and freeze the targets.
import { randomUUID } from 'node:crypto';
import { NOT_FOUND_SAMPLE, type ExcludedSession, type KillPreview, type KillPreviewRequest } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';
import type { InstanceConfig } from '../config.ts';
import { rollbackRisks } from '../locks/rollback-risk.ts';
import type { KillContext } from './context.ts';
import { commandStartMs, protectionCheck } from './policy.ts';
import { excludedWithoutSql, withoutSql } from './redact.ts';
import type { Actor, FrozenTarget, PreviewRecord } from './types.ts';

/** The listing filter of a preview or broad request (ids are not a DAS filter). */
export function listFilter(r: { user?: string | undefined; database?: string | undefined }): { user?: string; database?: string } {
  return { ...(r.user !== undefined ? { user: r.user } : {}), ...(r.database !== undefined ? { database: r.database } : {}) };
}

export async function createPreview(c: KillContext, actor: Actor, instance: InstanceConfig, req: KillPreviewRequest): Promise<KillPreview> {
  const dasUser = await c.inventory.dasUsername(instance);
  const filter = listFilter(req);
  const listing = await c.inventory.listSessions(instance, filter);
  const { listedAtMs } = listing;
  const wanted = req.sessionIds ? new Set(req.sessionIds) : undefined;
  const targets: FrozenTarget[] = [];
  const excluded: ExcludedSession[] = [];
  const seen = new Set<number>();
  const protectionOf = protectionCheck(instance, dasUser);
  const take = (sessions: readonly Session[], at: number) => {
    for (const s of sessions) {
      if (seen.has(s.id)) continue;
      if (wanted && !wanted.has(s.id)) continue;
      seen.add(s.id);
      const p = protectionOf(s);
      if (p) excluded.push({ sessionId: s.id, session: s, reason: p.reason, explanation: p.explanation });
      else targets.push({ session: s, commandStartMs: commandStartMs(s, at) });
    }
  };
  take(listing.sessions, listedAtMs);
  // A named session missing from a listing of several pages may have been skipped by the paging: ask once more.
  if (wanted && listing.mayMissSessions && [...wanted].some((id) => !seen.has(id))) {
    const again = await c.inventory.listSessions(instance, filter);
    take(again.sessions, again.listedAtMs);
  }
  // Ids that match nothing are counted, and only a sample is kept: thousands of them must not bloat the
  // preview, its stored copy or the audit row.
  let notFoundCount = 0;
  const notFoundSample: number[] = [];
  if (wanted) {
    for (const id of wanted) {
      if (seen.has(id)) continue;
      notFoundCount++;
      if (notFoundSample.length < NOT_FOUND_SAMPLE) notFoundSample.push(id);
    }
    for (const id of notFoundSample) excluded.push({ sessionId: id, reason: 'not-found', explanation: 'no session with this id matches the filter' });
  }
  const foundIds = wanted ? [...wanted].filter((id) => seen.has(id)) : [];
  const record: PreviewRecord = {
    id: randomUUID(),
    instanceId: instance.id,
    createdBy: actor.username,
    createdAt: new Date(listedAtMs).toISOString(),
    expiresAt: new Date(listedAtMs + c.settings.previewTtlMs).toISOString(),
    // The ids that narrowed the listing: those that matched, and the sample of those that did not.
    filter: { ...filter, ...(wanted ? { sessionIds: [...foundIds, ...notFoundSample] } : {}) },
    targets,
    excluded,
    ...(wanted ? { notFoundCount } : {}),
    requiresTypedConfirmation: targets.length > instance.blastRadiusCap,
  };
  const risks = await rollbackRisks(c.inventory, instance, targets.map((t) => t.session), c.logger);
  // The answer shows the SQL to the operator; the stored copy never holds it.
  await c.stores.previews.save({ ...record, targets: targets.map((t) => ({ ...t, session: withoutSql(t.session) })), excluded: excludedWithoutSql(excluded) });
  return {
    previewId: record.id,
    instanceId: record.instanceId,
    instanceName: instance.name,
    filter: record.filter,
    targets: record.targets.map((t) => t.session),
    excluded: record.excluded,
    ...(record.notFoundCount !== undefined ? { notFoundCount: record.notFoundCount } : {}),
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    blastRadiusCap: instance.blastRadiusCap,
    requiresTypedConfirmation: record.requiresTypedConfirmation,
    ...(risks !== undefined ? { rollbackRisks: risks } : {}),
  };
}
