import { useRef } from 'react';

/**
 * The table's reset key (its view goes back to the top when the key changes) for rows shown by the
 * filters and sort that `key` names. A new key with the very same rows (a character typed that keeps
 * every row, a trailing space say) keeps the last key: the view stays where the operator left it.
 */
export function useResetKey(key: string, rows: readonly unknown[]): string {
  const last = useRef({ key, rows });
  if (last.current.rows !== rows) last.current = { key, rows };
  return last.current.key;
}
