// The session listing in its compact form, for clients that read it whole (the web app): one array per
// field (`columns.id[i]`, `columns.user[i]`, … are session i), and the strings that repeat across
// sessions (user, database, command, state, SQL text — a stampede of one statement repeats it thousands
// of times) sent once, in `strings`, and given in their columns by index. At 100 000 sessions this is
// under a quarter of the bytes of the object form, and its parse makes nine arrays and the host strings,
// not 100 000 objects (or 100 000 row arrays) and their strings; the decode then makes the sessions.
import { z } from 'zod';
import type { Session, SessionListResponse } from './sessions.ts';

/** The fields whose values are indexes into `strings`; the others are sent as themselves. */
const STRING_FIELDS = ['user', 'database', 'command', 'state', 'sql'] as const;
export const SESSION_COLUMN_FIELDS = ['id', 'user', 'host', 'database', 'command', 'time', 'state', 'sql', 'trxExecutedTime'] as const;
type Field = (typeof SESSION_COLUMN_FIELDS)[number];

/** The index of a string in `strings`. */
const StringRef = z.number().int().min(0);

export const SessionColumns = z.object({
  id: z.array(z.number().int()),
  user: z.array(StringRef),
  /** ip:port, different for nearly every session, so sent as itself. */
  host: z.array(z.string()),
  database: z.array(StringRef),
  command: z.array(StringRef),
  time: z.array(z.number()),
  state: z.array(StringRef),
  sql: z.array(StringRef),
  trxExecutedTime: z.array(z.number()),
});
export type SessionColumns = z.infer<typeof SessionColumns>;

export const SessionColumnsResponse = z
  .object({
    instanceId: z.string(),
    columns: SessionColumns,
    strings: z.array(z.string()),
    count: z.number().int(),
    fetchedAt: z.string(),
  })
  .superRefine((body, ctx) => {
    // what the shape cannot say: every column as long as the others, every index in the table
    const decoded = decodeSessionColumns(body);
    if (!decoded.ok) ctx.addIssue({ code: 'custom', path: decoded.issue.path, message: decoded.issue.message });
  });
export type SessionColumnsResponse = z.infer<typeof SessionColumnsResponse>;

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

const emptyColumns = (): SessionColumns => ({ id: [], user: [], host: [], database: [], command: [], time: [], state: [], sql: [], trxExecutedTime: [] });

function addTo(c: SessionColumns, sessions: readonly Session[], strings: StringTable): void {
  for (const s of sessions) {
    c.id.push(s.id);
    c.user.push(strings.ref(s.user));
    c.host.push(s.host);
    c.database.push(strings.ref(s.database));
    c.command.push(strings.ref(s.command));
    c.time.push(s.time);
    c.state.push(strings.ref(s.state));
    c.sql.push(strings.ref(s.sql));
    c.trxExecutedTime.push(s.trxExecutedTime);
  }
}

/** The compact form of a listing. */
export function encodeSessionColumns(list: SessionListResponse): SessionColumnsResponse {
  const strings = new StringTable();
  const columns = emptyColumns();
  addTo(columns, list.sessions, strings);
  return { instanceId: list.instanceId, columns, strings: strings.values, count: list.count, fetchedAt: list.fetchedAt };
}

/**
 * Writes the compact form as JSON text, page by page: each page of sessions is turned into text as it
 * comes (and can then be dropped), column by column; `finish` gives the body as pieces, to be sent in
 * order. The pieces joined are `JSON.stringify(encodeSessionColumns(list))`.
 */
export class SessionColumnsWriter {
  readonly #strings = new StringTable();
  readonly #text = new Map<Field, string[]>(SESSION_COLUMN_FIELDS.map((f) => [f, []]));
  #count = 0;

  page(sessions: readonly Session[]): void {
    if (sessions.length === 0) return;
    const c = emptyColumns();
    addTo(c, sessions, this.#strings);
    for (const f of SESSION_COLUMN_FIELDS) {
      const text = JSON.stringify(c[f]);
      this.#text.get(f)!.push(this.#count > 0 ? `,${text.slice(1, -1)}` : text.slice(1, -1));
    }
    this.#count += sessions.length;
  }

  finish(instanceId: string, fetchedAt: string): string[] {
    const pieces = [`{"instanceId":${JSON.stringify(instanceId)},"columns":{`];
    SESSION_COLUMN_FIELDS.forEach((f, i) => pieces.push(`${i > 0 ? ',' : ''}"${f}":[`, ...this.#text.get(f)!, ']'));
    pieces.push(`},"strings":${JSON.stringify(this.#strings.values)},"count":${this.#count},"fetchedAt":${JSON.stringify(fetchedAt)}}`);
    return pieces;
  }
}

export interface SessionColumnsIssue {
  /** Where in the body: `['columns', 'user', 12]` for a bad user of session 12. */
  path: Array<string | number>;
  message: string;
}

export type DecodedSessionColumns = { ok: true; value: SessionListResponse } | { ok: false; issue: SessionColumnsIssue };

const fail = (path: Array<string | number>, message: string): DecodedSessionColumns => ({ ok: false, issue: { path, message } });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** The string an index picks, or undefined: 1.5, -1, 1e9 and '0' pick none (every entry is a string, checked first). */
const picked = (strings: readonly string[], v: unknown): string | undefined => (typeof v === 'number' ? strings[v] : undefined);

/** The first string field of session `i` whose index picks no string. */
function badIndex(table: readonly string[], c: Record<Field, unknown[]>, i: number): DecodedSessionColumns {
  const f = STRING_FIELDS.find((field) => picked(table, c[field][i]) === undefined) ?? STRING_FIELDS[0];
  return fail(['columns', f, i], 'expected an index into strings');
}

/**
 * The listing a compact body stands for, or the first place it breaks the format. A plain loop, not a
 * schema: it runs once for each of up to 100 000 sessions, in the browser, before the table is drawn.
 */
export function decodeSessionColumns(body: unknown): DecodedSessionColumns {
  if (!isObject(body)) return fail([], 'expected an object');
  const { instanceId, columns, strings, count, fetchedAt } = body;
  if (typeof instanceId !== 'string') return fail(['instanceId'], 'expected a string');
  if (!isObject(columns)) return fail(['columns'], 'expected an object');
  const n = Array.isArray(columns.id) ? columns.id.length : 0;
  for (const f of SESSION_COLUMN_FIELDS) {
    const column = columns[f];
    if (!Array.isArray(column) || column.length !== n) return fail(['columns', f], `expected an array of ${n} values, as many as ids`);
  }
  if (!Array.isArray(strings)) return fail(['strings'], 'expected an array');
  for (let i = 0; i < strings.length; i++) if (typeof strings[i] !== 'string') return fail(['strings', i], 'expected a string');
  if (!isInteger(count)) return fail(['count'], 'expected an integer');
  if (typeof fetchedAt !== 'string') return fail(['fetchedAt'], 'expected a string');

  const c = columns as Record<Field, unknown[]>;
  const table = strings as string[];
  const { id: ids, user: users, host: hosts, database: databases, command: commands, time: times, state: states, sql: sqls, trxExecutedTime: trxTimes } = c;
  const sessions: Session[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    const user = picked(table, users[i]);
    const host = hosts[i];
    const database = picked(table, databases[i]);
    const command = picked(table, commands[i]);
    const time = times[i];
    const state = picked(table, states[i]);
    const sql = picked(table, sqls[i]);
    const trxExecutedTime = trxTimes[i];
    if (!isInteger(id)) return fail(['columns', 'id', i], 'expected an integer');
    if (user === undefined || database === undefined || command === undefined || state === undefined || sql === undefined) return badIndex(table, c, i);
    if (typeof host !== 'string') return fail(['columns', 'host', i], 'expected a string');
    if (!isFiniteNumber(time)) return fail(['columns', 'time', i], 'expected a number');
    if (!isFiniteNumber(trxExecutedTime)) return fail(['columns', 'trxExecutedTime', i], 'expected a number');
    sessions[i] = { id, user, host, database, command, time, state, sql, trxExecutedTime };
  }
  return { ok: true, value: { instanceId, sessions, count, fetchedAt } };
}
