import { useLayoutEffect, useRef } from 'react';

/** The React key of each drawn row, by session id, and the next key never used. */
export interface RowKeys {
  byId: ReadonlyMap<number, number>;
  next: number;
}

export const NO_ROW_KEYS: RowKeys = { byId: new Map(), next: 0 };

/**
 * Keys for the rows drawn now (`ids`), given those of the rows drawn before. A session still drawn
 * keeps its key, so its row (focus, hover, the expanded SQL) stays its own. A session newly drawn
 * takes the key of a row no longer drawn, so React rewrites that row's cells instead of removing
 * one row and building another: a keystroke or a sort replaces most of the screenful. Rows in
 * `pinned` (the one holding focus or selected text) are never handed on: they go, as they would
 * with session ids for keys.
 */
export function assignRowKeys(previous: RowKeys, ids: readonly number[], pinned: ReadonlySet<number>): RowKeys {
  const byId = new Map<number, number>();
  for (const id of ids) {
    const key = previous.byId.get(id);
    if (key !== undefined) byId.set(id, key);
  }
  const free: number[] = [];
  for (const [id, key] of previous.byId) if (!byId.has(id) && !pinned.has(id)) free.push(key);
  // in the order they were drawn: a screenful replaced whole keeps its rows where they are in the DOM
  let next = previous.next;
  let f = 0;
  for (const id of ids) if (!byId.has(id)) byId.set(id, f < free.length ? free[f++]! : next++);
  return { byId, next };
}

/**
 * The keys of the rows drawn now (see assignRowKeys), from the keys of the last committed render:
 * a render React discards hands nothing on.
 */
export function useRowKeys(ids: readonly number[], pinned: () => ReadonlySet<number>): ReadonlyMap<number, number> {
  const committed = useRef(NO_ROW_KEYS);
  const keys = assignRowKeys(committed.current, ids, committed.current.byId.size === 0 ? new Set() : pinned());
  useLayoutEffect(() => {
    committed.current = keys;
  });
  return keys.byId;
}
