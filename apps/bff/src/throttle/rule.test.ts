// The throttle rule checks, explanation and live matching: pure, on the matcher das-local enforces with.
import { describe, expect, it } from 'vitest';
import type { Session } from '@quell/contracts/sessions';
import { explainRule, matchingSessions, maxMinutesFor, ruleIssues } from './rule.ts';

const session = (id: number, over: Partial<Session> = {}): Session => ({
  id,
  user: 'app',
  host: '10.0.0.1:5000',
  database: 'shop',
  command: 'Query',
  time: 3,
  state: 'Sending data',
  sql: 'SELECT SLEEP(5) FROM reports LIMIT 1',
  trxExecutedTime: 0,
  ...over,
});
const instance = { protectedUsers: ['backup'], protectedHosts: [] };

describe('throttle rules', () => {
  it('names the field of each problem: empty keyword, type not first, the role limit', () => {
    expect(ruleIssues({ sqlType: 'SELECT', pattern: 'select~~x' }, 'operator').map((i) => i.field)).toEqual(['pattern']);
    expect(ruleIssues({ sqlType: 'SELECT', pattern: 'x~select' }, 'operator')[0]?.message).toMatch(/start with the statement type/);
    expect(ruleIssues({ sqlType: 'UPDATE', pattern: 'select~x' }, 'admin').map((i) => i.field)).toEqual(['pattern']);
    expect(ruleIssues({ sqlType: 'SELECT', pattern: 'SELECT~x', durationMinutes: 121 }, 'operator', 'throttle.')).toEqual([{ field: 'throttle.durationMinutes', message: 'must be at most 120 minutes for the operator role' }]);
    expect(ruleIssues({ sqlType: 'SELECT', pattern: 'SELECT~x', durationMinutes: 1440 }, 'admin')).toEqual([]);
    expect(ruleIssues({ sqlType: 'SELECT', pattern: 'SELECT~x', durationMinutes: 1441 }, 'admin').map((i) => i.field)).toEqual(['durationMinutes']);
    expect([maxMinutesFor('operator'), maxMinutesFor('admin')]).toEqual([120, 1440]);
  });

  it('explains the rule in one sentence', () => {
    expect(explainRule('SELECT', 'select~sleep~from~reports', 1)).toBe(
      'Matches a SELECT statement whose text contains "sleep", "from" and then "reports" in this order (case-insensitive substrings, comments and literals included; statements that read no table or touch a system schema never match); at most 1 run at once, the others fail at once with error 1317.',
    );
    expect(explainRule('DELETE', 'delete', 0)).toMatch(/contains any text in this order .*; every such statement is refused\.$/);
  });

  it('matches running statements as the kernel would, protected sessions apart', () => {
    const sessions = [
      session(1),
      session(2, { sql: 'select sleep(5) from REPORTS' }),
      session(3, { sql: 'SELECT * FROM reports' }), // no "sleep"
      session(4, { command: 'Sleep', sql: '' }),
      session(5, { sql: 'SELECT SLEEP(5)' }), // reads no table: never throttled
      session(6, { sql: 'SELECT SLEEP(5) FROM mysql.user' }), // a system schema
      session(7, { user: 'backup' }),
      session(8, { sql: 'UPDATE reports SET x = SLEEP(1) FROM' }), // another type
    ];
    const { matches, excluded } = matchingSessions('SELECT', 'select~sleep~from~reports', sessions, instance, 'quell_das');
    expect(matches.map((s) => s.id)).toEqual([1, 2]);
    expect(excluded.map((e) => [e.sessionId, e.reason])).toEqual([[7, 'protected-user']]);
    expect(matchingSessions('SELECT', 'select~sleep~from~reports', [session(9, { user: 'quell_das' })], instance, 'quell_das').excluded[0]?.reason).toBe('das-user');
  });
});
