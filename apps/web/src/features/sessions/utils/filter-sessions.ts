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
  sql: string[];
}
const searchKeyCache = new WeakMap<readonly Session[], SearchKeys>();
/** Sorted copies of a listing, and their order: they take the listing's keys when first asked for theirs. */
const sortedFrom = new WeakMap<readonly Session[], { from: readonly Session[]; order: ArrayLike<number> }>();

function searchKeys(sessions: readonly Session[]): SearchKeys {
  let keys = searchKeyCache.get(sessions);
  if (keys) return keys;
  const sorted = sortedFrom.get(sessions);
  keys = sorted ? movedKeys(searchKeys(sorted.from), sorted.order) : lowerCased(sessions);
  searchKeyCache.set(sessions, keys);
  return keys;
}

function lowerCased(sessions: readonly Session[]): SearchKeys {
  const n = sessions.length;
  const keys: SearchKeys = { host: new Array<string>(n), command: new Array<string>(n), sql: new Array<string>(n) };
  // a listing has a handful of commands: one lower-cased string each, not one per row
  const commands = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const s = sessions[i]!;
    let command = commands.get(s.command);
    if (command === undefined) commands.set(s.command, (command = s.command.toLowerCase()));
    keys.host[i] = s.host.toLowerCase();
    keys.command[i] = command;
    keys.sql[i] = s.sql.toLowerCase();
  }
  return keys;
}

function movedKeys(keys: SearchKeys, order: ArrayLike<number>): SearchKeys {
  const n = order.length;
  const moved: SearchKeys = { host: new Array<string>(n), command: new Array<string>(n), sql: new Array<string>(n) };
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    moved.host[i] = keys.host[j]!;
    moved.command[i] = keys.command[j]!;
    moved.sql[i] = keys.sql[j]!;
  }
  return moved;
}

/** Works out the keys filterListing compares for `sessions` now (they are kept with the listing). */
export function prepareFilterKeys(sessions: readonly Session[]): void {
  searchKeys(sessions);
}

/**
 * `to` holds the rows of `from` in `order` (`to[i] = from[order[i]]`): when its keys are first
 * needed, it takes those of `from` instead of lower-casing again (not at once: a sort need not wait).
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
      (!q || keys.sql[i]!.includes(q))
    ) {
      indices[rows.length] = i;
      rows.push(s);
    }
  }
  return { source: sessions, filters: f, indices: indices.subarray(0, rows.length), rows };
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
  const user = new Tally();
  const host = new Tally();
  const database = new Tally();
  const command = new Tally();
  for (let i = 0; i < sessions.length; i++) {
    const s = sessions[i]!;
    user.add(s.user);
    host.add(hostName(s.host));
    database.add(s.database);
    command.add(s.command);
  }
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
