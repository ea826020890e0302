import { describe, expect, it } from 'vitest';
import { parseSessionIds } from './parse-ids';

describe('parseSessionIds', () => {
  it('reads ids separated by anything sensible and drops duplicates', () => {
    expect(parseSessionIds('12, 13;14\n15 12\t16')).toEqual({ ids: [12, 13, 14, 15, 16], rejected: [], tooMany: false });
  });

  it('reads KILL statements from a runbook', () => {
    expect(parseSessionIds('KILL 445; KILL 446;\nkill connection 447;\nKILL QUERY 448').ids).toEqual([445, 446, 447, 448]);
  });

  it('reads the id column of rows copied from a mysql table, skipping borders and the header', () => {
    const table = [
      '+-----+------+-----------+--------+---------+------+----------+------------------+',
      '| Id  | User | Host      | db     | Command | Time | State    | Info             |',
      '+-----+------+-----------+--------+---------+------+----------+------------------+',
      '| 445 | app  | 10.0.0.8  | orders | Query   |   12 | updating | UPDATE t SET a=1 |',
      '| 446 | app  | 10.0.0.9  | NULL   | Sleep   |  300 |          | NULL             |',
      '+-----+------+-----------+--------+---------+------+----------+------------------+',
    ].join('\n');
    expect(parseSessionIds(table)).toEqual({ ids: [445, 446], rejected: [], tooMany: false });
  });

  it('lists each token it could not read, with why, and keeps the rest', () => {
    const parsed = parseSessionIds('1 x2 -3 0 2147483648 4.5 7');
    expect(parsed.ids).toEqual([1, 7]);
    expect(parsed.rejected).toEqual([
      { token: 'x2', why: 'not a number' },
      { token: '-3', why: 'negative' },
      { token: '0', why: '0 is not a session id' },
      { token: '2147483648', why: 'above the largest session id (2147483647)' },
      { token: '4.5', why: 'not a number' },
    ]);
  });

  it('handles empty input', () => {
    expect(parseSessionIds('  \n ')).toEqual({ ids: [], rejected: [], tooMany: false });
  });
});
