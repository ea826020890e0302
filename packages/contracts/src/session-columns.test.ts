import { describe, expect, it } from 'vitest';
import { decodeSessionColumns, encodeSessionColumns, SessionColumnsResponse, SessionColumnsWriter } from './session-columns.ts';
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
const roundTrip = (list: SessionListResponse) => decodeSessionColumns(JSON.parse(JSON.stringify(encodeSessionColumns(list))));

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
    const body = encodeSessionColumns(listing([session(1), session(2), session(3)]));
    expect(body.strings).toEqual(['app', 'shop', 'Query', 'Sending data', 'SELECT * FROM orders WHERE id = ?']);
    expect(body.columns).toEqual({
      id: [1, 2, 3],
      user: [0, 0, 0],
      host: ['10.0.0.1:51', '10.0.0.2:52', '10.0.0.3:53'],
      database: [1, 1, 1],
      command: [2, 2, 2],
      time: [3, 6, 9],
      state: [3, 3, 3],
      sql: [4, 4, 4],
      trxExecutedTime: [0, 0, 0],
    });
    expect(SessionColumnsResponse.safeParse(body).success).toBe(true);
  });

  it('written page by page, it is the same text as encoded at once', () => {
    const pages = [[sample.sessions[0]!], [], sample.sessions.slice(1, 3), [sample.sessions[3]!]];
    const w = new SessionColumnsWriter();
    for (const p of pages) w.page(p);
    expect(w.finish(sample.instanceId, sample.fetchedAt).join('')).toBe(JSON.stringify(encodeSessionColumns(sample)));
    expect(new SessionColumnsWriter().finish('x', 't').join('')).toBe(JSON.stringify(encodeSessionColumns({ instanceId: 'x', sessions: [], count: 0, fetchedAt: 't' })));
  });

  it('names the session and field of the first bad value', () => {
    type Body = { columns: Record<string, unknown[]>; [k: string]: unknown };
    const good = () => JSON.parse(JSON.stringify(encodeSessionColumns(sample))) as Body;
    const withValue = (field: string, i: number, value: unknown) => {
      const b = good();
      b.columns[field]![i] = value;
      return b;
    };
    const issue = (body: unknown) => {
      const d = decodeSessionColumns(body);
      return d.ok ? null : `${d.issue.path.join('.')}: ${d.issue.message}`;
    };
    expect(issue(withValue('id', 1, '2'))).toBe('columns.id.1: expected an integer');
    expect(issue(withValue('id', 1, 2.5))).toBe('columns.id.1: expected an integer');
    expect(issue(withValue('user', 2, 99))).toBe('columns.user.2: expected an index into strings');
    expect(issue(withValue('user', 2, 0.5))).toBe('columns.user.2: expected an index into strings');
    expect(issue(withValue('user', 2, -1))).toBe('columns.user.2: expected an index into strings');
    expect(issue(withValue('user', 2, '0'))).toBe('columns.user.2: expected an index into strings');
    expect(issue(withValue('user', 0, 'app'))).toBe('columns.user.0: expected an index into strings');
    expect(issue(withValue('host', 0, 7))).toBe('columns.host.0: expected a string');
    expect(issue(withValue('database', 3, null))).toBe('columns.database.3: expected an index into strings');
    expect(issue(withValue('command', 3, 1e9))).toBe('columns.command.3: expected an index into strings');
    expect(issue(withValue('time', 3, '3'))).toBe('columns.time.3: expected a number');
    expect(issue(withValue('state', 3, true))).toBe('columns.state.3: expected an index into strings');
    expect(issue(withValue('sql', 3, undefined))).toBe('columns.sql.3: expected an index into strings');
    expect(issue(withValue('trxExecutedTime', 3, null))).toBe('columns.trxExecutedTime.3: expected a number');
    const short = good();
    short.columns.sql = short.columns.sql!.slice(0, 3);
    expect(issue(short)).toBe('columns.sql: expected an array of 4 values, as many as ids');
    const missing = good();
    delete missing.columns.state;
    expect(issue(missing)).toBe('columns.state: expected an array of 4 values, as many as ids');
    expect(SessionColumnsResponse.safeParse(withValue('user', 2, 99)).error?.issues.map((i) => i.path.join('.'))).toEqual(['columns.user.2']);
  });

  it('rejects a body that is not the compact form', () => {
    const issue = (change: Record<string, unknown>) => {
      const d = decodeSessionColumns({ ...encodeSessionColumns(sample), ...change });
      return d.ok ? null : d.issue.path.join('.');
    };
    expect(decodeSessionColumns(sample).ok).toBe(false); // the object form
    expect(decodeSessionColumns(null).ok).toBe(false);
    expect(decodeSessionColumns([]).ok).toBe(false);
    expect(issue({ columns: undefined })).toBe('columns');
    expect(issue({ columns: [] })).toBe('columns');
    expect(issue({ strings: {} })).toBe('strings');
    expect(issue({ strings: ['a', 1] })).toBe('strings.1');
    expect(issue({ instanceId: 1 })).toBe('instanceId');
    expect(issue({ count: '4' })).toBe('count');
    expect(issue({ fetchedAt: null })).toBe('fetchedAt');
  });
});
