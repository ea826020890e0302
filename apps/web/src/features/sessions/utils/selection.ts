import type { Session } from '@quell/contracts/sessions';

/** Selection of sessions, by id. Pure functions: the hook holds the state. */
export type Selection = ReadonlySet<number>;

const idsCache = new WeakMap<readonly Session[], readonly number[]>();

/** The ids of `rows`, in their order: made when first asked for (a click, a selection), then kept with the rows. */
export function idsOf(rows: readonly Session[]): readonly number[] {
  let ids = idsCache.get(rows);
  if (!ids) idsCache.set(rows, (ids = rows.map((s) => s.id)));
  return ids;
}

export function toggleOne(sel: Selection, id: number): Set<number> {
  const next = new Set(sel);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/**
 * Shift-click: every id between the anchor and the target, in the order shown, takes `value`.
 * Without a visible anchor it is a plain toggle of the target.
 */
export function selectRange(sel: Selection, orderedIds: readonly number[], anchor: number | null, target: number, value: boolean): Set<number> {
  const a = anchor === null ? -1 : orderedIds.indexOf(anchor);
  const b = orderedIds.indexOf(target);
  if (a < 0 || b < 0) return toggleOne(sel, target);
  const [from, to] = a <= b ? [a, b] : [b, a];
  const next = new Set(sel);
  for (let i = from; i <= to; i++) {
    const id = orderedIds[i];
    if (id === undefined) continue;
    if (value) next.add(id);
    else next.delete(id);
  }
  return next;
}

/** "Select all matching": adds every id the current filters show; keeps what was already selected. */
export function selectAll(sel: Selection, ids: readonly number[]): Set<number> {
  const next = new Set(sel);
  for (const id of ids) next.add(id);
  return next;
}

export function deselect(sel: Selection, ids: Iterable<number>): Set<number> {
  const next = new Set(sel);
  for (const id of ids) next.delete(id);
  return next;
}

export function allSelected(sel: Selection, ids: readonly number[]): boolean {
  return ids.length > 0 && ids.every((id) => sel.has(id));
}

/**
 * Splits the selection against the latest list: `visible` (shown now), `hidden` (listed but filtered
 * out on screen) and `gone` (no longer listed: the session ended or changed user/database).
 */
export function partitionSelection(sel: Selection, listedIds: ReadonlySet<number>, visibleIds: ReadonlySet<number>) {
  const visible: number[] = [];
  const hidden: number[] = [];
  const gone: number[] = [];
  for (const id of sel) {
    if (!listedIds.has(id)) gone.push(id);
    else if (visibleIds.has(id)) visible.push(id);
    else hidden.push(id);
  }
  const asc = (a: number, b: number) => a - b;
  return { visible: visible.sort(asc), hidden: hidden.sort(asc), gone: gone.sort(asc) };
}
