import type { Session } from '@quell/contracts/sessions';
import type { Sort, SortKey } from './session-filters';

/** Columns compared as numbers; every other column is compared as text. */
export const NUMERIC_SORT_KEYS: ReadonlySet<SortKey> = new Set<SortKey>(['id', 'time', 'trxExecutedTime']);

/** A text's sort key: runs of digits (as numbers) and of other characters (lower-cased), so `db10` sorts after `db9`. */
type Chunks = ReadonlyArray<string | number>;

/** Splits without a regular expression: this runs once per listed row and column. */
function chunks(text: string): Chunks {
  const s = text.toLowerCase();
  const out: Array<string | number> = [];
  let start = 0;
  let digits = false;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : -1;
    const isDigit = c >= 48 && c <= 57;
    if (i === s.length || (i > start && isDigit !== digits)) {
      if (i > start) out.push(digits ? parseInt(s.slice(start, i), 10) : s.slice(start, i));
      start = i;
    }
    digits = isDigit;
  }
  return out;
}

/** Natural order (TanStack Table's `alphanumeric`): digit runs compare as numbers, other runs as text, text before a digit run. */
function compareChunks(a: Chunks, b: Chunks): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const aa = a[i]!;
    const bb = b[i]!;
    if (aa === bb) continue;
    const aText = typeof aa === 'string';
    if (aText !== (typeof bb === 'string')) return aText ? -1 : 1;
    return aa > bb ? 1 : -1;
  }
  return a.length - b.length;
}

// Sort keys of a listing, by column: worked out once per listing, so changing the sort back and
// forth costs only the sort.
const keyCache = new WeakMap<readonly Session[], Map<SortKey, Chunks[]>>();

function textKeys(sessions: readonly Session[], key: SortKey): Chunks[] {
  let byColumn = keyCache.get(sessions);
  if (!byColumn) keyCache.set(sessions, (byColumn = new Map()));
  let keys = byColumn.get(key);
  if (!keys) byColumn.set(key, (keys = sessions.map((s) => chunks(String(s[key] ?? '')))));
  return keys;
}

/** Row indices per 2^21 rows: a number key and its row index share one float64 (both < 2^53). */
const INDEX_BITS = 2 ** 21;
const MAX_PACKED_VALUE = 2 ** 31;

/**
 * Numbers sorted as one Float64Array (value and row index packed in each element), natively and
 * without a comparator; null when a value does not fit (negative, fractional or too large).
 */
function packedOrder(values: ArrayLike<number>, desc: boolean): Uint32Array | null {
  const n = values.length;
  if (n >= INDEX_BITS) return null;
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v < MAX_PACKED_VALUE && Number.isInteger(v))) return null;
    // descending: the largest value first, ties still in the listed order
    packed[i] = (desc ? MAX_PACKED_VALUE - 1 - v : v) * INDEX_BITS + i;
  }
  packed.sort();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = packed[i]! % INDEX_BITS;
  return order;
}

/**
 * The listed order of the table as row indices: by one column, ascending or descending, ties in the
 * order given (a stable sort).
 */
export function sortOrder(sessions: readonly Session[], sort: Sort): Uint32Array {
  const key = sort.id;
  const dir = sort.desc ? -1 : 1;
  if (NUMERIC_SORT_KEYS.has(key)) {
    const values = new Float64Array(sessions.length);
    for (let i = 0; i < sessions.length; i++) values[i] = sessions[i]![key] as number;
    const packed = packedOrder(values, sort.desc);
    if (packed) return packed;
    const order = Uint32Array.from({ length: sessions.length }, (_, i) => i);
    return order.sort((i, j) => {
      const a = values[i]!;
      const b = values[j]!;
      return a === b ? i - j : a > b ? dir : -dir;
    });
  }
  const keys = textKeys(sessions, key);
  const order = Uint32Array.from({ length: sessions.length }, (_, i) => i);
  return order.sort((i, j) => compareChunks(keys[i]!, keys[j]!) * dir || i - j);
}

/** The sessions in the table's order (see sortOrder). Leaves its input alone. */
export function sortSessions(sessions: readonly Session[], sort: Sort): Session[] {
  const order = sortOrder(sessions, sort);
  const out = new Array<Session>(order.length);
  for (let i = 0; i < order.length; i++) out[i] = sessions[order[i]!]!;
  return out;
}
