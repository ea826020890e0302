import { describe, expect, it } from 'vitest';
import { decodeSessionRows, encodeSessionRows, SessionRowsResponse, SessionRowsWriter } from './session-rows.ts';
import { SessionListResponse, type Session } from './sessions.ts';

const session = (id: number, over: Partial<Session> = {}): Session => ({
  id,
  user: 'app',
  host: `10.0.0.${id}:5${id}`,
  database: 'shop',
  command: 'Query',
  time: id * 3,
  state: 'Sending data',
  sql: 'SELECT * FROM orders WHERE id = ?',
  trxExecutedTime: 0,
  ...over,
});

const listing = (sessions: Session[]): SessionListResponse => ({ instanceId: 'prod-orders', sessions, count: sessions.length, fetchedAt: '2026-12-01T10:00:00.000Z' });

/** Through JSON and back, as a client gets it. */
const roundTrip = (list: SessionListResponse) => decodeSessionRows(JSON.parse(JSON.stringify(encodeSessionRows(list))));

const sample = listing([
  session(1),
  session(2, { user: 'etl', command: 'Sleep', state: '', sql: '', time: 0.5, trxExecutedTime: 12 }),
  session(3, { sql: 'SELECT "quoted" \\ back\nslash ünïcødé 🚀', host: '' }),
  session(4, { user: 'Query', database: 'app' }), // a value equal to one of another field shares its entry
]);

describe('the compact session listing', () => {
  it('decodes to exactly the listing it was encoded from', () => {
    expect(roundTrip(sample)).toEqual({ ok: true, value: sample });
    expect(roundTrip(listing([]))).toEqual({ ok: true, value: listing([]) });
    const decoded = roundTrip(sample);
    expect(decoded.ok && SessionListResponse.parse(decoded.value)).toEqual(sample);
  });

  it('sends each repeated string once, the host as itself', () => {
    const body = encodeSessionRows(listing([session(1), session(2), session(3)]));
    expect(body.strings).toEqual(['app', 'shop', 'Query', 'Sending data', 'SELECT * FROM orders WHERE id = ?']);
    expect(body.rows[2]).toEqual([3, 0, '10.0.0.3:53', 1, 2, 9, 3, 4, 0]);
    expect(SessionRowsResponse.safeParse(body).success).toBe(true);
  });

  it('written page by page, it is the same text as encoded at once', () => {
    const pages = [[sample.sessions[0]!], [], sample.sessions.slice(1, 3), [sample.sessions[3]!]];
    const w = new SessionRowsWriter();
    const text = w.head(sample.instanceId) + pages.map((p) => w.page(p)).join('') + w.tail(sample.fetchedAt);
    expect(text).toBe(JSON.stringify(encodeSessionRows(sample)));
    const empty = new SessionRowsWriter();
    expect(empty.head('x') + empty.page([]) + empty.tail('t')).toBe(JSON.stringify(encodeSessionRows({ instanceId: 'x', sessions: [], count: 0, fetchedAt: 't' })));
  });

  it('names the row and field of the first bad value', () => {
    const good = () => JSON.parse(JSON.stringify(encodeSessionRows(sample))) as { rows: unknown[][]; [k: string]: unknown };
    const withRow = (i: number, at: number, value: unknown) => {
      const b = good();
      b.rows[i]![at] = value;
      return b;
    };
    const issue = (body: unknown) => {
      const d = decodeSessionRows(body);
      return d.ok ? null : `${d.issue.path.join('.')}: ${d.issue.message}`;
    };
    expect(issue(withRow(1, 0, '2'))).toBe('rows.1.id: expected an integer');
    expect(issue(withRow(1, 0, 2.5))).toBe('rows.1.id: expected an integer');
    expect(issue(withRow(2, 1, 99))).toBe('rows.2.user: expected an index into strings');
    expect(issue(withRow(2, 1, 0.5))).toBe('rows.2.user: expected an index into strings');
    expect(issue(withRow(2, 1, -1))).toBe('rows.2.user: expected an index into strings');
    expect(issue(withRow(2, 1, '0'))).toBe('rows.2.user: expected an index into strings');
    expect(issue(withRow(0, 1, 'app'))).toBe('rows.0.user: expected an index into strings');
    expect(issue(withRow(0, 2, 7))).toBe('rows.0.host: expected a string');
    expect(issue(withRow(3, 3, null))).toBe('rows.3.database: expected an index into strings');
    expect(issue(withRow(3, 4, 1e9))).toBe('rows.3.command: expected an index into strings');
    expect(issue(withRow(3, 5, '3'))).toBe('rows.3.time: expected a number');
    expect(issue(withRow(3, 6, true))).toBe('rows.3.state: expected an index into strings');
    expect(issue(withRow(3, 7, undefined))).toBe('rows.3.sql: expected an index into strings');
    expect(issue(withRow(3, 8, null))).toBe('rows.3.trxExecutedTime: expected a number');
    const short = good();
    short.rows[1] = short.rows[1]!.slice(0, 8);
    expect(issue(short)).toBe('rows.1: expected an array of 9 values');
    const notArray = good();
    notArray.rows[0] = { id: 1 } as never;
    expect(issue(notArray)).toBe('rows.0: expected an array of 9 values');
    expect(SessionRowsResponse.safeParse(withRow(2, 1, 99)).error?.issues.map((i) => i.path.join('.'))).toEqual(['rows.2.user']);
  });

  it('rejects a body that is not the compact form', () => {
    const issue = (change: Record<string, unknown>) => {
      const d = decodeSessionRows({ ...encodeSessionRows(sample), ...change });
      return d.ok ? null : d.issue.path.join('.');
    };
    expect(decodeSessionRows(sample).ok).toBe(false); // the object form
    expect(decodeSessionRows(null).ok).toBe(false);
    expect(decodeSessionRows([]).ok).toBe(false);
    expect(issue({ fields: ['id', 'host', 'user', 'database', 'command', 'time', 'state', 'sql', 'trxExecutedTime'] })).toBe('fields');
    expect(issue({ fields: undefined })).toBe('fields');
    expect(issue({ rows: {} })).toBe('rows');
    expect(issue({ strings: ['a', 1] })).toBe('strings.1');
    expect(issue({ instanceId: 1 })).toBe('instanceId');
    expect(issue({ count: '4' })).toBe('count');
    expect(issue({ fetchedAt: null })).toBe('fetchedAt');
  });
});
