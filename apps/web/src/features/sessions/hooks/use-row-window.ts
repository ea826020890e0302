import { useCallback, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { flushSync } from 'react-dom';

/** A row taller than the others (an expanded one): its index and how much taller it is. */
export interface TallRow {
  index: number;
  extra: number;
}

/** The rows to draw: indices `start`…`end` (inclusive; end < start when there are none), and the empty space above and below them. */
export interface RowWindow {
  start: number;
  end: number;
  padTop: number;
  padBottom: number;
}

interface Layout {
  count: number;
  rowHeight: number;
  /** Rows taller than `rowHeight`, by ascending index. */
  tall: readonly TallRow[];
}

/** Where row `index` starts, below the first row's top. */
function startOf({ rowHeight, tall }: Layout, index: number): number {
  let y = index * rowHeight;
  for (const t of tall) {
    if (t.index >= index) break;
    y += t.extra;
  }
  return y;
}

/** The row at height `y` below the first row's top (clamped to the rows there are). */
function rowAt({ count, rowHeight, tall }: Layout, y: number): number {
  let extraAbove = 0;
  for (const t of tall) {
    const top = t.index * rowHeight + extraAbove;
    if (y < top) break;
    if (y < top + rowHeight + t.extra) return t.index;
    extraAbove += t.extra;
  }
  return Math.min(count - 1, Math.max(0, Math.floor((y - extraAbove) / rowHeight)));
}

/** The rows a viewport at `top`, `height` tall, shows, `overscan` rows more each side. */
export function rowWindow(layout: Layout, top: number, height: number, overscan: number): RowWindow {
  const { count, rowHeight, tall } = layout;
  const total = count * rowHeight + tall.reduce((sum, t) => sum + t.extra, 0);
  if (count === 0) return { start: 0, end: -1, padTop: 0, padBottom: 0 };
  const start = Math.max(0, rowAt(layout, top) - overscan);
  const end = Math.min(count - 1, rowAt(layout, top + height) + overscan);
  const padTop = startOf(layout, start);
  const endBottom = startOf(layout, end) + rowHeight + (tall.find((t) => t.index === end)?.extra ?? 0);
  return { start, end, padTop, padBottom: total - endBottom };
}

/**
 * Windowing for a list of rows of one fixed height, except a few taller ones (`tall`): no per-row
 * bookkeeping, so a new row count (a keystroke, a sort) costs nothing in proportion to the rows.
 * The scroll box's height comes from a ResizeObserver (`fallbackHeight` while there is none, or it
 * measures 0: hidden, or a test DOM).
 */
export function useRowWindow(scrollRef: RefObject<HTMLElement | null>, layout: Layout, opts: { overscan: number; fallbackHeight: number }) {
  const [viewport, setViewport] = useState({ top: 0, height: opts.fallbackHeight });
  // the scroll position as last seen, so going back to the top never reads it (that would force a layout)
  const topRef = useRef(0);
  const { fallbackHeight } = opts;
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const onScroll = () => {
      const top = (topRef.current = el.scrollTop);
      // synchronous, as the browser scrolls: rows drawn a frame late would show as a blank band
      flushSync(() => setViewport((v) => (v.top === top ? v : { ...v, top })));
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    const resize = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(([entry]) => {
      const height = entry && entry.contentRect.height > 0 ? entry.contentRect.height : fallbackHeight;
      setViewport((v) => (v.height === height ? v : { ...v, height }));
    });
    resize?.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      resize?.disconnect();
    };
  }, [scrollRef, fallbackHeight]);

  const { count, rowHeight, tall } = layout;
  const shown = useMemo(() => rowWindow({ count, rowHeight, tall }, viewport.top, viewport.height, opts.overscan), [count, rowHeight, tall, viewport, opts.overscan]);
  const layoutRef = useRef(layout);
  layoutRef.current = layout;

  /** Scrolls as little as needed for row `index` to be fully in view below `headerHeight` (a sticky header). */
  const scrollToRow = useCallback(
    (index: number, headerHeight: number) => {
      const el = scrollRef.current;
      if (!el) return;
      const l = layoutRef.current;
      const rowTop = startOf(l, index);
      const bottom = rowTop + l.rowHeight + (l.tall.find((t) => t.index === index)?.extra ?? 0);
      let next = el.scrollTop;
      if (rowTop < el.scrollTop) next = rowTop;
      else if (headerHeight + bottom > el.scrollTop + el.clientHeight) next = headerHeight + bottom - el.clientHeight;
      if (next === el.scrollTop) return;
      el.scrollTop = next;
      const top = (topRef.current = el.scrollTop);
      // drawn now, so the row can be focused in the next frame
      flushSync(() => setViewport((v) => ({ ...v, top })));
    },
    [scrollRef],
  );

  /** Back to the first row. */
  const scrollToTop = useCallback(() => {
    const el = scrollRef.current;
    if (!el || topRef.current === 0) return;
    el.scrollTop = topRef.current = 0;
    setViewport((v) => ({ ...v, top: 0 }));
  }, [scrollRef]);

  return { shown, scrollToRow, scrollToTop };
}
