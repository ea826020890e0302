// What "Throttle similar…" starts from: a sample statement, and the user or database whose running
// sessions the pattern is counted in (DAS lists sessions only by one of them).
import type { KillPreviewRequest } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';
import type { ThrottleSpec } from '@quell/contracts/throttles';

export interface ThrottleScope {
  user?: string;
  database?: string;
}

export interface ThrottleTarget {
  sample: Session;
  scope: ThrottleScope;
  /** The group chip it came from, in words (`user report`). */
  group?: string;
}

/** "Kill N and throttle…": the matching sessions to preview for the kill, and the throttle the same confirmation creates. */
export interface KillAndThrottlePlan {
  request: KillPreviewRequest;
  throttle: ThrottleSpec;
  /** The reason typed so far: the kill preview starts with it. */
  reason: string;
}

/** From one session (a row, a kill result): counted among its user's sessions. */
export const sessionTarget = (sample: Session): ThrottleTarget => ({ sample, scope: { user: sample.user } });

export function scopeText(scope: ThrottleScope): string {
  return [scope.user !== undefined && scope.user, scope.database !== undefined && `database ${scope.database}`].filter(Boolean).join(' in ');
}

/** A statement's shape: literals and numbers as `?`, whitespace collapsed, case folded. */
export function statementShape(sql: string): string {
  return sql
    .replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** The sample of a group: the longest-running session of its most common statement shape (null when none runs SQL). */
export function groupSample(sessions: readonly Session[]): Session | null {
  const shapes = new Map<string, { count: number; longest: Session }>();
  for (const s of sessions) {
    if (s.sql === '') continue;
    const shape = statementShape(s.sql);
    const seen = shapes.get(shape);
    if (!seen) shapes.set(shape, { count: 1, longest: s });
    else {
      seen.count++;
      if (s.time > seen.longest.time) seen.longest = s;
    }
  }
  let best: { count: number; longest: Session } | null = null;
  for (const g of shapes.values()) {
    if (!best || g.count > best.count || (g.count === best.count && g.longest.time > best.longest.time)) best = g;
  }
  return best?.longest ?? null;
}
