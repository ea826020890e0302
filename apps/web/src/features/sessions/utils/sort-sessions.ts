import type { Session } from '@quell/contracts/sessions';
import { SORT_KEYS, type Sort, type SortKey } from './session-filters';

/** Columns compared as numbers; every other column is compared as text. */
export const NUMERIC_SORT_KEYS: ReadonlySet<SortKey> = new Set<SortKey>(['id', 'time', 'trxExecutedTime']);

/**
 * A text's sort key as one string whose plain comparison is natural order (TanStack Table's
 * `alphanumeric`): runs of digits compare as numbers, other runs as lower-cased text, text before a
 * digit run. Each run starts with a marker below any printable character (text \u0001, digits
 * \u0002), and a digit run carries its length (leading zeros dropped) before its digits, so a
 * longer number sorts after a shorter one. Made once per row, without a regular expression.
 */
function naturalKey(text: string): string {
  const s = text.toLowerCase();
  let key = '';
  for (let start = 0; start < s.length; ) {
    const digits = isDigit(s.charCodeAt(start));
    let end = start + 1;
    while (end < s.length && isDigit(s.charCodeAt(end)) === digits) end++;
    if (digits) {
      let first = start;
      while (first < end - 1 && s.charCodeAt(first) === 48) first++;
      key += `\u0002${String.fromCharCode(48 + end - first)}${s.slice(first, end)}`;
    } else key += `\u0001${s.slice(start, end)}`;
    start = end;
  }
  return key;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Rows ascending by a text column, and which of them has the same key as the row before it (for a stable reverse). */
export interface TextOrder {
  order: Uint32Array;
  sameAsPrevious: Uint8Array;
}

/** The columns compared as text. */
export const TEXT_SORT_KEYS: readonly SortKey[] = SORT_KEYS.filter((k) => !NUMERIC_SORT_KEYS.has(k));

/** A text column's values, as the sort compares them. */
export function textColumn(sessions: readonly Session[], key: SortKey): string[] {
  return sessions.map((s) => String(s[key] ?? ''));
}

/**
 * `values` ascending in natural order, ties in the order given. A listing repeats its users,
 * databases, commands, states and statements, so each distinct text gets its key once. The
 * distinct keys carry their index after a \u0000 (below every key character) in two fixed-width
 * UTF-16 units, so the engine's own string sort, with no comparator called per pair, ranks them;
 * the rows then go in rank order by a stable integer sort.
 */
export function textOrder(values: readonly string[]): TextOrder {
  const n = values.length;
  const slotOf = new Map<string, number>();
  const distinct: string[] = [];
  const rowRank = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    let slot = slotOf.get(v);
    if (slot === undefined) slotOf.set(v, (slot = distinct.push(v) - 1));
    rowRank[i] = slot;
  }
  const keys = distinct.map(naturalKey);
  const tagged = keys.map((key, j) => `${key}\u0000${String.fromCharCode(j >>> 16, j & 0xffff)}`);
  tagged.sort();
  // texts with the same key ('DB9' and 'db9') share a rank, so their rows keep the order given
  const rank = new Uint32Array(distinct.length);
  for (let i = 0, r = 0, previous = -1; i < tagged.length; i++) {
    const t = tagged[i]!;
    const j = (t.charCodeAt(t.length - 2) << 16) | t.charCodeAt(t.length - 1);
    if (previous >= 0 && keys[j] !== keys[previous]) r++;
    rank[j] = r;
    previous = j;
  }
  for (let i = 0; i < n; i++) rowRank[i] = rank[rowRank[i]!]!;
  const order = integerOrder(rowRank, false) ?? comparedOrder(n, (i, j) => rowRank[i]! - rowRank[j]!);
  const sameAsPrevious = new Uint8Array(n);
  for (let i = 1; i < n; i++) if (rowRank[order[i]!] === rowRank[order[i - 1]!]) sameAsPrevious[i] = 1;
  return { order, sameAsPrevious };
}

// The ascending order of a listing by each text column: worked out once per listing and column
// (ahead of a click, off the main thread: see sort-ahead.ts), so changing the sort back and forth,
// or its direction, costs no new comparisons. The keys themselves are not kept: at 100 000 rows
// they would be megabytes of heap.
const ascendingCache = new WeakMap<readonly Session[], Map<SortKey, TextOrder>>();

/** Keeps the ascending order of `sessions` by the text column `key`, worked out elsewhere. */
export function rememberTextOrder(sessions: readonly Session[], key: SortKey, sorted: TextOrder): void {
  let byColumn = ascendingCache.get(sessions);
  if (!byColumn) ascendingCache.set(sessions, (byColumn = new Map()));
  byColumn.set(key, sorted);
}

export function hasTextOrder(sessions: readonly Session[], key: SortKey): boolean {
  return ascendingCache.get(sessions)?.has(key) === true;
}

/** Rows ascending by a text column, ties in the listed order. */
function ascendingByText(sessions: readonly Session[], key: SortKey): TextOrder {
  let sorted = ascendingCache.get(sessions)?.get(key);
  if (!sorted) rememberTextOrder(sessions, key, (sorted = textOrder(textColumn(sessions, key))));
  return sorted;
}

/** The ascending order reversed, except that rows with equal keys keep their listed order. */
function descending({ order, sameAsPrevious }: TextOrder): Uint32Array {
  const out = new Uint32Array(order.length);
  let w = 0;
  for (let end = order.length; end > 0; ) {
    let start = end - 1;
    while (start > 0 && sameAsPrevious[start] === 1) start--;
    for (let i = start; i < end; i++) out[w++] = order[i]!;
    end = start;
  }
  return out;
}

const MAX_SORT_VALUE = 0xffff_ffff;
/** Rows an order can pack: a value times this plus its row stays an exact float64 (below 2^53). */
const ROWS = 2 ** 21;

/**
 * Integers in [0, 2^32) sorted stably by the engine's own typed-array sort, which calls no
 * comparator: each value goes into one float64 with its row (value × 2^21 + row), so ties fall in
 * the listed order. It runs once for the first paint of a listing, before the page's code is
 * compiled, where it is faster than any sort written out in script. Null when a value does not fit
 * (negative, fractional or ≥ 2^32) or there are more than 2^21 rows.
 */
function integerOrder(values: ArrayLike<number>, desc: boolean): Uint32Array | null {
  const n = values.length;
  if (n > ROWS) return null;
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v >>> 0 !== v) return null;
    // descending: the largest value first, ties still in the listed order
    packed[i] = (desc ? MAX_SORT_VALUE - v : v) * ROWS + i;
  }
  packed.sort();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = packed[i]! % ROWS;
  return order;
}

/** Row indices ordered by `compare`, ties in the listed order. */
function comparedOrder(n: number, compare: (i: number, j: number) => number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((i, j) => compare(i, j) || i - j);
}

/**
 * The listed order of the table as row indices: by one column, ascending or descending, ties in the
 * order given (a stable sort).
 */
export function sortOrder(sessions: readonly Session[], sort: Sort): Uint32Array {
  const key = sort.id;
  const dir = sort.desc ? -1 : 1;
  if (NUMERIC_SORT_KEYS.has(key)) {
    const n = sessions.length;
    const values = new Float64Array(n);
    let increasing = true;
    for (let i = 0; i < n; i++) {
      values[i] = sessions[i]![key] as number;
      if (i > 0 && !(values[i]! > values[i - 1]!)) increasing = false;
    }
    // already in order (IDs as listed): no ties, so either direction is the listed order or its reverse
    if (increasing) {
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = sort.desc ? n - 1 - i : i;
      return order;
    }
    return (
      integerOrder(values, sort.desc) ??
      comparedOrder(n, (i, j) => {
        const a = values[i]!;
        const b = values[j]!;
        return a === b ? 0 : a > b ? dir : -dir;
      })
    );
  }
  const ascending = ascendingByText(sessions, key);
  return sort.desc ? descending(ascending) : ascending.order.slice();
}

/** Whether `order` keeps the rows where they are. */
export function isListedOrder(order: ArrayLike<number>): boolean {
  for (let i = 0; i < order.length; i++) if (order[i] !== i) return false;
  return true;
}
