import { describe, expect, it } from 'vitest';
import { session } from '@/testing/fixtures';
import { groupSample, scopeText, statementShape } from './throttle-target';

describe('throttle targets', () => {
  it('shapes a statement without its literals, whitespace or case', () => {
    expect(statementShape("SELECT *  FROM orders\nWHERE id = 42 AND s = 'it''s'")).toBe('select * from orders where id = ? and s = ??');
    expect(statementShape('select * from orders where id = 7')).toBe(statementShape('SELECT * FROM orders WHERE id = 9'));
  });

  it("a group's sample is the longest-running session of its most common statement shape", () => {
    const sessions = [
      session(1, { sql: 'SELECT * FROM t WHERE id = 1', time: 5 }),
      session(2, { sql: 'UPDATE t SET a = 1', time: 900 }),
      session(3, { sql: 'SELECT * FROM t WHERE id = 2', time: 50 }),
      session(4, { sql: '', command: 'Sleep', time: 4000 }),
      session(5, { sql: 'select * from t where id = 3', time: 20 }),
    ];
    expect(groupSample(sessions)?.id).toBe(3);
    expect(groupSample([session(4, { sql: '', command: 'Sleep' })])).toBeNull();
  });

  it('names the scope in words', () => {
    expect(scopeText({ user: 'app_rw' })).toBe('app_rw');
    expect(scopeText({ database: 'orders' })).toBe('database orders');
    expect(scopeText({ user: 'app_rw', database: 'orders' })).toBe('app_rw in database orders');
  });
});
