// A throttle's rule as Quell checks and explains it, and which running sessions it matches: pure
// functions over das-client's one definition of the pattern grammar and the matcher das-local enforces.
import type { Role } from '@quell/contracts/common';
import type { ExcludedSession } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';
import { THROTTLE_MINUTES, type ThrottleSqlType } from '@quell/contracts/throttles';
import { governingRule } from '@quell/das-client/sql-limit-matcher';
import { patternProblem, splitPattern } from '@quell/das-client/sql-limit-pattern';
import type { InstanceConfig } from '../config.ts';
import { ValidationError } from '../errors.ts';
import { protectionCheck } from '../kill/policy.ts';
import type { FieldIssue } from '@quell/contracts/errors';

/** The longest throttle a role may ask for, in minutes. */
export function maxMinutesFor(role: Role): number {
  return role === 'admin' ? THROTTLE_MINUTES.adminMax : THROTTLE_MINUTES.operatorMax;
}

/** The field problems of a throttle request that the route schema cannot see (pattern grammar, role limit). */
export function ruleIssues(r: { sqlType: ThrottleSqlType; pattern: string; durationMinutes?: number }, role: Role | undefined, prefix = ''): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const problem = patternProblem(r.sqlType, r.pattern);
  if (problem) issues.push({ field: `${prefix}pattern`, message: problem });
  if (role !== undefined && r.durationMinutes !== undefined && r.durationMinutes > maxMinutesFor(role)) {
    issues.push({ field: `${prefix}durationMinutes`, message: `must be at most ${maxMinutesFor(role)} minutes for the ${role} role` });
  }
  return issues;
}

/** Throws a 400 naming each bad field; nothing reaches DAS. */
export function checkRule(r: { sqlType: ThrottleSqlType; pattern: string; durationMinutes?: number }, role: Role | undefined, prefix = ''): void {
  const issues = ruleIssues(r, role, prefix);
  if (issues.length > 0) throw new ValidationError(issues, 'the throttle is not valid');
}

/** The matching rule in one sentence. */
export function explainRule(sqlType: ThrottleSqlType, pattern: string, maxConcurrency?: number): string {
  const keywords = splitPattern(pattern).filter((k) => k !== '');
  const rest = keywords.slice(1).map((k) => `"${k}"`);
  const words = rest.length === 0 ? 'any text' : rest.length === 1 ? rest[0] : `${rest.slice(0, -1).join(', ')} and then ${rest[rest.length - 1]}`;
  const limit =
    maxConcurrency === undefined ? '' : maxConcurrency === 0 ? '; every such statement is refused' : `; at most ${maxConcurrency} run at once, the others fail at once with error 1317`;
  return `Matches a ${sqlType} statement whose text contains ${words} in this order (case-insensitive substrings, comments and literals included; statements that read no table or touch a system schema never match)${limit}.`;
}

/** Running sessions whose statement the rule would govern now: those Quell may touch, and the protected ones. */
export function matchingSessions(
  sqlType: ThrottleSqlType,
  pattern: string,
  sessions: readonly Session[],
  instance: Pick<InstanceConfig, 'protectedUsers' | 'protectedHosts'>,
  dasUsername: string | undefined,
): { matches: Session[]; excluded: ExcludedSession[] } {
  const rule = [{ id: 'candidate', sqlType, keywords: splitPattern(pattern) }];
  const matches: Session[] = [];
  const excluded: ExcludedSession[] = [];
  const protectionOf = protectionCheck(instance, dasUsername);
  for (const s of sessions) {
    if (s.command.toLowerCase() !== 'query' || s.sql === '') continue;
    if (!governingRule(s.sql, { user: s.user, database: s.database }, rule)) continue;
    const p = protectionOf(s);
    if (p) excluded.push({ sessionId: s.id, session: s, reason: p.reason, explanation: `${p.explanation}: the rule would throttle its new statements too` });
    else matches.push(s);
  }
  return { matches, excluded };
}

export const PROTECTED_NOTICE =
  'A SQL limit rule applies to every account on the instance: it cannot spare protected users. Quell never ends their sessions through a rule, and creates a rule that matches them only when you acknowledge it.';
