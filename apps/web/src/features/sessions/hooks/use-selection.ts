import { useCallback, useEffect, useRef, useState } from 'react';
import type { Session } from '@quell/contracts/sessions';
import { deselect, selectAll, selectRange, toggleOne } from '../utils/selection';

/**
 * The selected session ids of one listing (instance + user/database filter: `scope`), plus the last known row of each, so a session that
 * disappears between refreshes can still be shown as gone.
 */
export function useSelection(scope: string, listed: readonly Session[] | undefined) {
  const [selected, setSelected] = useState<ReadonlySet<number>>(() => new Set());
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const anchor = useRef<number | null>(null);
  const known = useRef(new Map<number, Session>());
  /** Ids to keep across the next change of scope, if the new listing still has them. */
  const carry = useRef<ReadonlySet<number> | null>(null);
  const carrying = useRef<ReadonlySet<number> | null>(null);

  useEffect(() => {
    carrying.current = carry.current;
    carry.current = null;
    setSelected(new Set());
    anchor.current = null;
    known.current = new Map();
  }, [scope]);

  useEffect(() => {
    if (!listed) return;
    const kept = carrying.current;
    if (kept) {
      // the first listing of the new scope: keep what it still has
      carrying.current = null;
      const still = listed.filter((s) => kept.has(s.id)).map((s) => s.id);
      if (still.length > 0) setSelected(new Set(still));
    }
    if (selected.size > 0) for (const s of listed) if (selected.has(s.id)) known.current.set(s.id, s);
  }, [listed, selected]);

  /** The next scope change (a chip narrowing the listing) keeps the selected ids its listing still has. */
  const carryOver = useCallback(() => {
    carry.current = selectedRef.current;
  }, []);

  const click = useCallback((id: number, shift: boolean, orderedIds: readonly number[]) => {
    const from = anchor.current;
    setSelected((prev) => (shift ? selectRange(prev, orderedIds, from, id, !prev.has(id)) : toggleOne(prev, id)));
    anchor.current = id;
  }, []);
  const addAll = useCallback((ids: readonly number[]) => setSelected((prev) => selectAll(prev, ids)), []);
  const remove = useCallback((ids: Iterable<number>) => setSelected((prev) => deselect(prev, ids)), []);
  const clear = useCallback(() => {
    setSelected(new Set());
    anchor.current = null;
  }, []);
  const lastKnown = useCallback((id: number) => known.current.get(id), []);

  return { selected, click, addAll, remove, clear, lastKnown, carryOver };
}
