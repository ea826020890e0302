import type { Session } from '@quell/contracts/sessions';
import type { Sort, SortKey } from './session-filters';

/** Columns compared as numbers; every other column is compared as text. */
export const NUMERIC_SORT_KEYS: ReadonlySet<SortKey> = new Set<SortKey>(['id', 'time', 'trxExecutedTime']);

const DIGITS = /([0-9]+)/g;

/** Text split into runs of digits and non-digits, lower-cased, so `db10` sorts after `db9`. */
function chunks(s: string): string[] {
  return s.toLowerCase().split(DIGITS).filter(Boolean);
}

/** Natural order (TanStack Table's `alphanumeric`): digit runs compare as numbers, other runs as text, text before a digit run. */
function compareChunks(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const aa = a[i] as string;
    const bb = b[i] as string;
    const an = parseInt(aa, 10);
    const bn = parseInt(bb, 10);
    const aText = Number.isNaN(an);
    const bText = Number.isNaN(bn);
    if (aText && bText) {
      if (aa > bb) return 1;
      if (bb > aa) return -1;
      continue;
    }
    if (aText || bText) return aText ? -1 : 1;
    if (an > bn) return 1;
    if (bn > an) return -1;
  }
  return a.length - b.length;
}

/**
 * The listed order of the table: by one column, ascending or descending, ties in the order given
 * (a stable sort). Each row's sort key is worked out once, not once per comparison.
 */
export function sortSessions(sessions: readonly Session[], sort: Sort): Session[] {
  const key = sort.id;
  const dir = sort.desc ? -1 : 1;
  const order = Array.from({ length: sessions.length }, (_, i) => i);
  if (NUMERIC_SORT_KEYS.has(key)) {
    const values = sessions.map((s) => s[key] as number);
    order.sort((i, j) => {
      const a = values[i] as number;
      const b = values[j] as number;
      return a === b ? i - j : a > b ? dir : -dir;
    });
  } else {
    const values = sessions.map((s) => chunks(String(s[key] ?? '')));
    order.sort((i, j) => compareChunks(values[i] as string[], values[j] as string[]) * dir || i - j);
  }
  return order.map((i) => sessions[i] as Session);
}
