// Commit of a preview: refuse what policy forbids, then re-check (re-list, identity check) and kill in
// chunks page by page, and verify by listing again.
import type { AuditApproval } from '@quell/contracts/approvals';
import type { CommitRequest, KillResult, SessionOutcome } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';
import { requiresApproval, type InstanceConfig } from '../config.ts';
import { AppError, ConflictError, UpstreamError } from '../errors.ts';
import type { KillContext } from './context.ts';
import type { SessionListFilter } from './inventory.ts';
import { killResult, outcomeFor, stillListedOutcome } from './outcomes.ts';
import { protectionCheck, sameIdentity } from './policy.ts';
import { listFilter } from './preview.ts';
import { killSender, type KillSender, type SentKills } from './send.ts';
import type { Actor, FrozenTarget, PreviewRecord } from './types.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Outcomes = Map<number, SessionOutcome>;

/**
 * The re-check before the kill and the verification after it wait for the whole listing, so its pages
 * are asked for a few at a time (the sessions route streams its pages and asks one at a time). They come
 * first page first, then from the last offset down: a kill (or a killed session leaving) shifts the
 * sessions after it down by one offset, which in that order moves only pages already taken.
 */
const KILL_LISTING = { pagesInFlight: 4, order: 'descending' } as const;

/**
 * `approval`: a second engineer approved this commit (two-person rule); it is recorded with the audit entry
 * and no further approval is asked. Without it, a commit above the cap on such an instance asks for one.
 */
export async function commitPreview(c: KillContext, actor: Actor, preview: PreviewRecord, req: CommitRequest, idempotencyKey: string, approval?: AuditApproval): Promise<KillResult> {
  const instance = c.inventory.instance(preview.instanceId);
  const intent = c.audit.intent(actor, instance, {
    mode: 'preview',
    target: { ...preview.filter, sessionIds: preview.targets.map((t) => t.session.id) },
    reason: req.reason,
    excluded: preview.excluded,
    idempotencyKey,
    previewId: preview.id,
    previewCreatedBy: preview.createdBy,
    ...(preview.notFoundCount !== undefined ? { notFoundCount: preview.notFoundCount } : {}),
    ...(approval ? { approval } : {}),
  });
  if (c.now().getTime() > Date.parse(preview.expiresAt)) {
    await c.audit.refuse(intent, new AppError('PREVIEW_EXPIRED', 'this preview has expired: preview again'));
  }
  if (preview.requiresTypedConfirmation && req.confirmInstanceName !== instance.name) {
    await c.audit.refuse(
      intent,
      new AppError('CONFIRMATION_REQUIRED', `more than ${instance.blastRadiusCap} sessions: type the instance name to confirm`, {
        issues: [{ field: 'confirmInstanceName', message: 'must be the instance name' }],
        targetCount: preview.targets.length,
        blastRadiusCap: instance.blastRadiusCap,
      }),
    );
  }
  if (!approval && requiresApproval(instance) && preview.targets.length > instance.blastRadiusCap) {
    await c.askApproval({ kind: 'preview', actor, instance, preview, reason: req.reason, idempotencyKey });
  }
  if (!(await c.stores.previews.claim(preview.id, intent.id, intent.at))) {
    await c.audit.refuse(intent, new ConflictError('this preview was already committed'));
  }
  await c.audit.open(intent);

  const outcomes: Outcomes = new Map();
  const dasRequestIds: string[] = [];
  const finish = async (status: 'completed' | 'failed', error?: { code: string; message: string }): Promise<KillResult> => {
    const ordered = preview.targets.map((t) => outcomes.get(t.session.id) ?? outcomeFor(t.session, 'unknown'));
    const result = killResult({ auditId: intent.id, instanceId: instance.id, mode: 'preview', outcomes: ordered, excluded: preview.excluded, dasRequestIds, verification: 'verified', finishedAt: c.now() });
    await c.audit.finish(intent, result, status, error);
    const killed = result.summary.killed ?? 0;
    if (killed > 0) c.metrics.sessionsKilled.inc({ instance: instance.id, mode: 'preview' }, killed);
    return result;
  };
  if (preview.targets.length === 0) return finish('completed');

  const filter = listFilter(preview.filter);
  const sender = killSender(c, instance);
  const toKill: FrozenTarget[] = [];
  let recheckError: unknown;
  try {
    await recheckAndKill(c, instance, preview.targets, filter, outcomes, sender, toKill);
  } catch (err) {
    recheckError = err;
  }
  // A listing that failed stops the kills not yet sent; those sent already are verified as any other.
  if (recheckError !== undefined) sender.stop();
  const sent = await sender.flush();
  dasRequestIds.push(...sent.requestIds);
  for (const t of toKill) {
    if (sent.failed.has(t.session.id)) outcomes.set(t.session.id, outcomeFor(t.session, 'failed', sent.failed.get(t.session.id)));
  }
  let error: { code: string; message: string } | undefined;
  if (recheckError !== undefined) {
    const upstream = recheckError instanceof UpstreamError ? recheckError.upstream : undefined;
    if (upstream?.dasRequestId) dasRequestIds.push(upstream.dasRequestId);
    const anySent = sent.sent.size + sent.failed.size > 0;
    // Not sent (and not already found changed or gone): failed, as a listing that fails before any kill leaves them all.
    for (const t of preview.targets) {
      const id = t.session.id;
      if (!outcomes.has(id) && !sent.sent.has(id) && !sent.failed.has(id)) outcomes.set(id, outcomeFor(t.session, 'failed', upstream));
    }
    const code = recheckError instanceof AppError ? recheckError.code : 'INTERNAL';
    error = anySent
      ? { code, message: 'the sessions could not all be listed again: only those re-checked before were sent to be killed, the others were not' }
      : { code, message: 'the sessions could not be listed again, so nothing was killed' };
  }
  await verify(c, instance, filter, toKill, sent, outcomes);
  return error ? finish('failed', error) : finish('completed');
}

/**
 * Re-lists, and sends to `sender` (and `toKill`) the targets that are still the same session and still not
 * protected, page by page while the listing goes on: a target is sent only after a page has shown it.
 * The others get their outcome here: changed-skipped (a different or now-protected session, or one that
 * switched database) or gone-before-kill. Throws if the sessions cannot be listed; what was already
 * handed to `sender` stays there.
 *
 * DAS pages by offset and a kill shifts every later session down by one, so the pages come first page
 * first, then from the last offset down, and a page's targets are sent once every page above it has come:
 * the kills then move only pages already taken. The first page's targets go last.
 */
async function recheckAndKill(c: KillContext, instance: InstanceConfig, targets: FrozenTarget[], filter: SessionListFilter, outcomes: Outcomes, sender: KillSender, toKill: FrozenTarget[]): Promise<void> {
  const dasUser = await c.inventory.dasUsername(instance);
  const protectionOf = protectionCheck(instance, dasUser);
  const kill = (same: FrozenTarget[]) => {
    toKill.push(...same);
    sender.add(same.map((t) => t.session.id));
  };
  const unseen = new Map(targets.map((t) => [t.session.id, t]));
  /** The targets these sessions show for the first time: changed-skipped here, or returned to be killed. */
  const sortOut = (sessions: readonly Session[], listedAtMs: number): FrozenTarget[] => {
    const same: FrozenTarget[] = [];
    for (const now of sessions) {
      const t = unseen.get(now.id);
      // Not a target, or one already seen: sessions ending meanwhile shift some into a second page.
      if (!t) continue;
      unseen.delete(now.id);
      if (!sameIdentity(t, now, listedAtMs, c.settings.startToleranceMs) || protectionOf(now)) outcomes.set(t.session.id, outcomeFor(now, 'changed-skipped'));
      else same.push(t);
    }
    return same;
  };

  // The pages come in the order they are taken: the first, then (when it told `count`) the others from the
  // last offset down, so each of those has every page above it behind it and its targets go at once. The
  // first page's targets wait for the end, and so does everything when the pages come ascending.
  const held: FrozenTarget[] = [];
  let descending = false;
  let pages = 0;
  for await (const page of c.inventory.sessionPages(instance, filter, KILL_LISTING)) {
    const same = sortOut(page.sessions, page.listedAtMs);
    if (pages++ === 0) descending = page.count !== undefined;
    if (descending && page.offset > 0) kill(same);
    else held.push(...same);
  }
  kill(held);
  let missing = [...unseen.values()];
  // Absent from a listing of several pages is not yet gone (sessions that ended shift others past a page
  // boundary): ask once more, after the kills sent so far have been answered (they shift offsets too).
  if (missing.length > 0 && pages > 1) {
    await sender.flush();
    const again = await c.inventory.listSessions(instance, filter, KILL_LISTING);
    kill(sortOut(again.sessions, again.listedAtMs));
    missing = [...unseen.values()];
  }
  if (missing.length === 0) return;
  // A session missing from a database-filtered listing may have switched database: look for it by user.
  const found = new Map<number, Session>();
  if (filter.database !== undefined) {
    const users = [...new Set(missing.map((t) => t.session.user))].slice(0, 20);
    for (const user of users) {
      try {
        for (const s of (await c.inventory.listSessions(instance, { user })).sessions) found.set(s.id, s);
      } catch {
        /* not found is the safe reading: it is not killed either way */
      }
    }
  }
  for (const t of missing) {
    const f = found.get(t.session.id);
    outcomes.set(t.session.id, f && f.user === t.session.user && f.host === t.session.host ? outcomeFor(f, 'changed-skipped') : outcomeFor(t.session, 'gone-before-kill'));
  }
}

/**
 * Lists again until every sent session is gone or the attempts run out (a failed listing uses up one
 * attempt; only when the last one fails too is the outcome sent-unverified). A sent session whose identity is
 * still listed is still present, or rolling back when it is listed as `Killed`. A chunk whose outcome is uncertain (timeout, reset, 5xx) is verified too:
 * gone → killed; still there → failed if DAS answered, unknown if it never did (the kill may still land).
 */
async function verify(c: KillContext, instance: InstanceConfig, filter: SessionListFilter, toKill: FrozenTarget[], sent: SentKills, outcomes: Outcomes): Promise<void> {
  let pending = toKill.filter((t) => sent.sent.has(t.session.id) || sent.uncertain.has(t.session.id));
  let verified = true;
  const lastListed = new Map<number, Session>();
  for (let attempt = 0; pending.length > 0 && attempt < c.settings.verifyAttempts; attempt++) {
    if (attempt > 0) await sleep(c.settings.verifyDelayMs);
    let after: { sessions: Session[]; listedAtMs: number };
    try {
      after = await c.inventory.listSessions(instance, filter, KILL_LISTING);
    } catch {
      // One failed listing proves nothing either way: the next attempt may still see the sessions gone.
      verified = false;
      continue;
    }
    verified = true;
    const stillById = new Map(after.sessions.map((s) => [s.id, s]));
    const next: FrozenTarget[] = [];
    for (const t of pending) {
      const s = stillById.get(t.session.id);
      if (s && sameIdentity(t, s, after.listedAtMs, c.settings.startToleranceMs)) {
        next.push(t);
        lastListed.set(t.session.id, s);
      } else outcomes.set(t.session.id, outcomeFor(t.session, 'killed'));
    }
    pending = next;
  }
  for (const t of pending) {
    const error = sent.failed.get(t.session.id);
    if (error) outcomes.set(t.session.id, outcomeFor(t.session, verified && error.httpStatus > 0 ? 'failed' : 'unknown', error));
    else {
      const listed = lastListed.get(t.session.id);
      outcomes.set(t.session.id, verified && listed ? stillListedOutcome(t.session, listed) : outcomeFor(t.session, 'sent-unverified'));
    }
  }
}
