// The session listing in its compact form, for clients that read it whole (the web app): each session a
// row of values in `fields` order, and the strings that repeat across sessions (user, database, command,
// state, SQL text — a stampede of one statement repeats it thousands of times) sent once, in `strings`,
// and referred to by index. At 100 000 sessions this is about a quarter of the bytes of the object form,
// and less than half its parse. `strings` comes last, so a listing can be written page by page as its
// sessions arrive (`SessionRowsWriter`).
import { z } from 'zod';
import type { Session, SessionListResponse } from './sessions.ts';

/** The order of a row's values; the fields the string table holds are sent as their index in it. */
export const SESSION_ROW_FIELDS = ['id', 'user', 'host', 'database', 'command', 'time', 'state', 'sql', 'trxExecutedTime'] as const;

/** The index of a string in `strings`. */
const StringRef = z.number().int().min(0);

export const SessionRow = z.tuple([
  z.number().int(), // id
  StringRef, // user
  z.string(), // host: ip:port, different for nearly every session, so sent as itself
  StringRef, // database
  StringRef, // command
  z.number(), // time
  StringRef, // state
  StringRef, // sql
  z.number(), // trxExecutedTime
]);
export type SessionRow = z.infer<typeof SessionRow>;

export const SessionRowsResponse = z
  .object({
    instanceId: z.string(),
    fields: z.array(z.string()),
    rows: z.array(SessionRow),
    strings: z.array(z.string()),
    count: z.number().int(),
    fetchedAt: z.string(),
  })
  .superRefine((body, ctx) => {
    // what the shape cannot say: the field order and that every index is in the table
    const decoded = decodeSessionRows(body);
    if (!decoded.ok) ctx.addIssue({ code: 'custom', path: decoded.issue.path, message: decoded.issue.message });
  });
export type SessionRowsResponse = z.infer<typeof SessionRowsResponse>;

/** The strings of one listing, each once, in the order first met. */
class StringTable {
  readonly values: string[] = [];
  readonly #index = new Map<string, number>();

  ref(s: string): number {
    let i = this.#index.get(s);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(s);
      this.#index.set(s, i);
    }
    return i;
  }
}

function toRow(s: Session, strings: StringTable): SessionRow {
  return [s.id, strings.ref(s.user), s.host, strings.ref(s.database), strings.ref(s.command), s.time, strings.ref(s.state), strings.ref(s.sql), s.trxExecutedTime];
}

/** The compact form of a listing. */
export function encodeSessionRows(list: SessionListResponse): SessionRowsResponse {
  const strings = new StringTable();
  const rows = list.sessions.map((s) => toRow(s, strings));
  return { instanceId: list.instanceId, fields: [...SESSION_ROW_FIELDS], rows, strings: strings.values, count: list.count, fetchedAt: list.fetchedAt };
}

/**
 * Writes the compact form as JSON text in pieces, page by page: `head`, then `page` for each page of
 * sessions (they can be dropped once written), then `tail`. The pieces joined are
 * `JSON.stringify(encodeSessionRows(list))`.
 */
export class SessionRowsWriter {
  readonly #strings = new StringTable();
  #count = 0;

  head(instanceId: string): string {
    return `{"instanceId":${JSON.stringify(instanceId)},"fields":${JSON.stringify(SESSION_ROW_FIELDS)},"rows":[`;
  }

  /** The page's rows, without brackets, led by a comma when rows came before; '' for an empty page. */
  page(sessions: readonly Session[]): string {
    if (sessions.length === 0) return '';
    const text = JSON.stringify(sessions.map((s) => toRow(s, this.#strings)));
    const lead = this.#count > 0 ? ',' : '';
    this.#count += sessions.length;
    return lead + text.slice(1, -1);
  }

  tail(fetchedAt: string): string {
    return `],"strings":${JSON.stringify(this.#strings.values)},"count":${this.#count},"fetchedAt":${JSON.stringify(fetchedAt)}}`;
  }
}

export interface SessionRowsIssue {
  /** Where in the body: `['rows', 12, 'user']` for a bad value of row 12. */
  path: Array<string | number>;
  message: string;
}

export type DecodedSessionRows = { ok: true; value: SessionListResponse } | { ok: false; issue: SessionRowsIssue };

const fail = (path: Array<string | number>, message: string): DecodedSessionRows => ({ ok: false, issue: { path, message } });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The listing a compact body stands for, or the first place it breaks the format. A plain loop, not a
 * schema: it runs for each of up to 100 000 rows, in the browser, before the table can be drawn.
 */
export function decodeSessionRows(body: unknown): DecodedSessionRows {
  if (!isObject(body)) return fail([], 'expected an object');
  const { instanceId, fields, rows, strings, count, fetchedAt } = body;
  if (typeof instanceId !== 'string') return fail(['instanceId'], 'expected a string');
  if (!Array.isArray(fields) || fields.length !== SESSION_ROW_FIELDS.length || SESSION_ROW_FIELDS.some((f, i) => fields[i] !== f)) {
    return fail(['fields'], `expected the fields ${SESSION_ROW_FIELDS.join(', ')}`);
  }
  if (!Array.isArray(rows)) return fail(['rows'], 'expected an array');
  if (!Array.isArray(strings)) return fail(['strings'], 'expected an array');
  for (let i = 0; i < strings.length; i++) if (typeof strings[i] !== 'string') return fail(['strings', i], 'expected a string');
  if (!isInteger(count)) return fail(['count'], 'expected an integer');
  if (typeof fetchedAt !== 'string') return fail(['fetchedAt'], 'expected a string');

  const table = strings as string[];
  const sessions: Session[] = new Array(rows.length);
  // An index is good when it is a number that picks a string: 1.5, -1 and 1e9 pick nothing.
  const str = (v: unknown): string | undefined => (typeof v === 'number' ? table[v] : undefined);
  const notRef = (i: number, field: string) => fail(['rows', i, field], 'expected an index into strings');
  for (let i = 0; i < rows.length; i++) {
    const r: unknown = rows[i];
    if (!Array.isArray(r) || r.length !== SESSION_ROW_FIELDS.length) return fail(['rows', i], `expected an array of ${SESSION_ROW_FIELDS.length} values`);
    const id: unknown = r[0];
    const host: unknown = r[2];
    const time: unknown = r[5];
    const trxExecutedTime: unknown = r[8];
    const user = str(r[1]);
    const database = str(r[3]);
    const command = str(r[4]);
    const state = str(r[6]);
    const sql = str(r[7]);
    if (!isInteger(id)) return fail(['rows', i, 'id'], 'expected an integer');
    if (user === undefined) return notRef(i, 'user');
    if (typeof host !== 'string') return fail(['rows', i, 'host'], 'expected a string');
    if (database === undefined) return notRef(i, 'database');
    if (command === undefined) return notRef(i, 'command');
    if (!isFiniteNumber(time)) return fail(['rows', i, 'time'], 'expected a number');
    if (state === undefined) return notRef(i, 'state');
    if (sql === undefined) return notRef(i, 'sql');
    if (!isFiniteNumber(trxExecutedTime)) return fail(['rows', i, 'trxExecutedTime'], 'expected a number');
    sessions[i] = { id, user, host, database, command, time, state, sql, trxExecutedTime };
  }
  return { ok: true, value: { instanceId, sessions, count, fetchedAt } };
}
