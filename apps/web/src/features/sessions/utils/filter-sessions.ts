import type { Session } from '@quell/contracts/sessions';
import type { SessionFilters } from './session-filters';

/** `10.0.0.8:51234` → `10.0.0.8`; `[::1]:3306` → `[::1]`; `localhost` stays. */
export function hostName(host: string): string {
  const i = host.lastIndexOf(':');
  if (i <= 0 || i === host.length - 1) return host;
  // the port: digits only (a plain loop, not a regular expression: this runs once per listed row)
  for (let j = i + 1; j < host.length; j++) {
    const c = host.charCodeAt(j);
    if (c < 48 || c > 57) return host;
  }
  // a bare IPv6 address has several colons and no brackets: keep it whole
  if (host.charCodeAt(0) !== 91 && host.lastIndexOf(':', i - 1) !== -1) return host;
  return host.slice(0, i);
}

export type RowFilters = Pick<SessionFilters, 'host' | 'command' | 'noDatabase' | 'minTime' | 'q'>;

/** What the text filters compare, lower-cased once per listing (not once per row and keystroke). */
interface SearchKeys {
  host: string[];
  command: string[];
  /**
   * Each row's statement as an index into `statements`, the listing's distinct statements lower-cased:
   * a listing repeats its statements (a stampede runs one thousands of times), so a typed text is
   * looked for once per statement, not once per row.
   */
  sql: Uint32Array;
  statements: string[];
}
const searchKeyCache = new WeakMap<readonly Session[], SearchKeys>();
/**
 * Keys being made a piece at a time (prepareFilterKeys): the rows before `made` have theirs, lower-cased
 * here or, for a sorted copy of a listing whose keys were all made, taken from those (`moved`).
 */
const keysInTheMaking = new WeakMap<readonly Session[], { keys: SearchKeys; made: number; statementIndex: Map<string, number>; moved?: { from: SearchKeys; order: ArrayLike<number> } }>();
/** Sorted copies of a listing, and their order: they take the listing's keys, when it has them all, when first asked for theirs. */
const sortedFrom = new WeakMap<readonly Session[], { from: readonly Session[]; order: ArrayLike<number> }>();
/** Rows whose keys one piece of idle work makes (well under a millisecond's work). */
const ROWS_PER_PIECE = 2000;

function searchKeys(sessions: readonly Session[]): SearchKeys {
  makeKeys(sessions, Infinity);
  return searchKeyCache.get(sessions)!;
}

/**
 * Makes the keys of up to `rows` more rows of `sessions`; true once all are made. A sorted copy whose
 * listing has all its keys moves them over; one whose listing has not (the table's first sort, right
 * after a listing came) lower-cases its own rows: one pass, not one over the listing and one to move.
 */
function makeKeys(sessions: readonly Session[], rows: number): boolean {
  if (searchKeyCache.has(sessions)) return true;
  const n = sessions.length;
  let making = keysInTheMaking.get(sessions);
  if (!making) {
    const sorted = sortedFrom.get(sessions);
    const from = sorted && searchKeyCache.get(sorted.from);
    const keys = { host: new Array<string>(n), command: new Array<string>(n), sql: new Uint32Array(n), statements: from ? from.statements : [] };
    making = { keys, made: 0, statementIndex: new Map(), ...(sorted && from ? { moved: { from, order: sorted.order } } : {}) };
    keysInTheMaking.set(sessions, making);
  }
  const end = Math.min(n, making.made + rows);
  if (making.moved) movedKeys(making.moved.from, making.moved.order, making.keys, making.made, end);
  else lowerCased(sessions, making.keys, making.statementIndex, making.made, end);
  making.made = end;
  if (end < n) return false;
  searchKeyCache.set(sessions, making.keys);
  keysInTheMaking.delete(sessions);
  sortedFrom.delete(sessions);
  return true;
}

function lowerCased(sessions: readonly Session[], keys: SearchKeys, statementIndex: Map<string, number>, start: number, end: number): void {
  // a listing has a handful of commands: one lower-cased string each, not one per row
  const commands = new Map<string, string>();
  for (let i = start; i < end; i++) {
    const s = sessions[i]!;
    let command = commands.get(s.command);
    if (command === undefined) commands.set(s.command, (command = s.command.toLowerCase()));
    let statement = statementIndex.get(s.sql);
    if (statement === undefined) statementIndex.set(s.sql, (statement = keys.statements.push(s.sql.toLowerCase()) - 1));
    keys.host[i] = s.host.toLowerCase();
    keys.command[i] = command;
    keys.sql[i] = statement;
  }
}

function movedKeys(from: SearchKeys, order: ArrayLike<number>, keys: SearchKeys, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const j = order[i]!;
    keys.host[i] = from.host[j]!;
    keys.command[i] = from.command[j]!;
    keys.sql[i] = from.sql[j]!;
  }
}

/**
 * Works out the keys filterListing compares for `sessions` (they are kept with the listing), a piece
 * at a time: it yields between pieces. A filtering that comes first makes the rest itself.
 */
export function* prepareFilterKeys(sessions: readonly Session[]): Generator<void, void> {
  while (!makeKeys(sessions, ROWS_PER_PIECE)) yield;
}

/**
 * `to` holds the rows of `from` in `order` (`to[i] = from[order[i]]`): when its keys are first
 * needed, it takes those of `from`, if they are all made by then, instead of lower-casing again (not
 * at once: a sort need not wait).
 */
export function carryFilterKeys(from: readonly Session[], order: ArrayLike<number>, to: readonly Session[]): void {
  if (!searchKeyCache.has(to)) sortedFrom.set(to, { from, order });
}

/** One filtering of a listing: its rows, and their indices in the listing (what a narrower filter starts from). */
export interface Filtered {
  source: readonly Session[];
  filters: RowFilters;
  indices: Uint32Array | null;
  rows: readonly Session[];
}

const lower = (v: string | undefined) => v?.toLowerCase() ?? '';

/** Whether every row `next` keeps is one `prev` kept: the same filters, the texts only longer. */
function narrows(prev: RowFilters, next: RowFilters): boolean {
  return (
    lower(next.q).includes(lower(prev.q)) &&
    lower(next.host).includes(lower(prev.host)) &&
    lower(prev.command) === lower(next.command) &&
    (prev.noDatabase === true) === (next.noDatabase === true) &&
    (prev.minTime ?? 0) === (next.minTime ?? 0)
  );
}

/**
 * Applies the client-side filters (host, command, no database, minimum time, SQL text) to a listed
 * set, keeping its order. Given the previous filtering of the same listing, and filters that only
 * extend its texts (one more character typed), it looks only at the rows that one kept.
 */
export function filterListing(sessions: readonly Session[], f: RowFilters, previous?: Filtered): Filtered {
  const host = lower(f.host);
  const command = lower(f.command);
  const q = lower(f.q);
  const min = f.minTime ?? 0;
  const noDb = f.noDatabase === true;
  if (!host && !command && !q && !noDb && min <= 0) return { source: sessions, filters: f, indices: null, rows: sessions };
  const keys = searchKeys(sessions);
  const from = previous && previous.source === sessions && narrows(previous.filters, f) ? previous.indices : null;
  const candidates = from ? from.length : sessions.length;
  // whether each statement holds the typed text: 0 not looked at yet, 1 it does, 2 it does not
  const statementHas = q ? new Uint8Array(keys.statements.length) : undefined;
  const indices = new Uint32Array(candidates);
  const rows: Session[] = [];
  for (let c = 0; c < candidates; c++) {
    const i = from ? from[c]! : c;
    const s = sessions[i]!;
    if (
      (!host || keys.host[i]!.includes(host)) &&
      (!command || keys.command[i] === command) &&
      (!noDb || s.database === '') &&
      (min <= 0 || s.time >= min) &&
      (!statementHas || hasText(keys, statementHas, keys.sql[i]!, q))
    ) {
      indices[rows.length] = i;
      rows.push(s);
    }
  }
  // a narrower text that keeps every row the last one kept ("=" then "= "): the same rows, so nothing shown re-renders
  if (from && previous && rows.length === from.length) return { source: sessions, filters: f, indices: from, rows: previous.rows };
  return { source: sessions, filters: f, indices: indices.subarray(0, rows.length), rows };
}

function hasText(keys: SearchKeys, statementHas: Uint8Array, statement: number, q: string): boolean {
  let has = statementHas[statement];
  if (has === 0) statementHas[statement] = has = keys.statements[statement]!.includes(q) ? 1 : 2;
  return has === 1;
}

/** Applies the client-side filters to a listed set (see filterListing). */
export function filterSessions(sessions: readonly Session[], f: RowFilters): Session[] {
  return [...filterListing(sessions, f).rows];
}

export type GroupField = 'user' | 'host' | 'database' | 'command';

/** A user or database chip lists the sessions again from the server; the others (and "(none)" database) filter what is listed. */
export const changesServerFilter = (field: GroupField, value: string) => (field === 'user' || field === 'database') && value !== '';
export interface GroupCount {
  value: string;
  count: number;
}

/** The listed sessions a group chip counts. */
export function groupMembers(sessions: readonly Session[], field: GroupField, value: string): Session[] {
  return sessions.filter((s) => (field === 'host' ? hostName(s.host) : s[field]) === value);
}

/** Counts per user, host (without port), database and command, largest first. */
export function groupCounts(sessions: readonly Session[]): Record<GroupField, GroupCount[]> {
  const counting = countGroups(sessions);
  for (;;) {
    const step = counting.next();
    if (step.done) return step.value;
  }
}

/** groupCounts a piece at a time: it yields between pieces of ROWS_PER_PIECE rows. */
export function* countGroups(sessions: readonly Session[]): Generator<void, Record<GroupField, GroupCount[]>> {
  const user = new Tally();
  const host = new Tally();
  const database = new Tally();
  const command = new Tally();
  for (let start = 0; start < sessions.length; start += ROWS_PER_PIECE) {
    if (start > 0) yield;
    const end = Math.min(sessions.length, start + ROWS_PER_PIECE);
    for (let i = start; i < end; i++) {
      const s = sessions[i]!;
      user.add(s.user);
      host.add(hostName(s.host));
      database.add(s.database);
      command.add(s.command);
    }
  }
  yield;
  return { user: user.list(), host: host.list(), database: database.list(), command: command.list() };
}

/** Counts per value: one map lookup per value counted, none when it is the value counted just before. */
class Tally {
  private readonly counts = new Map<string, GroupCount>();
  private last: GroupCount | undefined;

  add(value: string): void {
    if (this.last?.value === value) {
      this.last.count++;
      return;
    }
    let c = this.counts.get(value);
    if (c) c.count++;
    else this.counts.set(value, (c = { value, count: 1 }));
    this.last = c;
  }

  /** Largest first, ties by value. */
  list(): GroupCount[] {
    return [...this.counts.values()].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  }
}
