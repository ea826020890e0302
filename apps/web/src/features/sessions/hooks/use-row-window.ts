import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { whenIdle } from '@/lib/after-paint';
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
 * The scroll box's height is read once before the first rows are drawn, then followed by a
 * ResizeObserver (`fallbackHeight` while it measures 0: hidden, or a test DOM). The first frame,
 * and the first after each new `resetKey` (filters, sort), draws only the rows in view; the
 * overscan follows once the page is idle.
 */
export function useRowWindow(scrollRef: RefObject<HTMLElement | null>, layout: Layout, opts: { overscan: number; fallbackHeight: number; resetKey?: string }) {
  // measured: the box's height is known (until then no row is drawn: one drawn for a guessed height
  // would be laid out for nothing); settledFor: the rows of that `resetKey` have painted and the page
  // has been idle since, so the overscan may be drawn (a keystroke or a sort redraws only what is in view)
  const [viewport, setViewport] = useState({ top: 0, height: opts.fallbackHeight, measured: false, settledFor: null as string | null });
  const resetKey = opts.resetKey ?? '';
  const resetKeyRef = useRef(resetKey);
  resetKeyRef.current = resetKey;
  // the scroll position as last seen, so going back to the top never reads it (that would force a layout)
  const topRef = useRef(0);
  const { fallbackHeight } = opts;
  useLayoutEffect(() => {
    // the page is laid out once here without rows, then only the box's rows (strict containment)
    const height = scrollRef.current?.clientHeight || fallbackHeight;
    setViewport((v) => ({ ...v, height, measured: true }));
  }, [scrollRef, fallbackHeight]);
  const settled = viewport.settledFor === resetKey;
  useEffect(() => {
    if (settled) return;
    // drawn within the idle callback itself, never in the middle of the next keystroke or click
    return whenIdle(() => flushSync(() => setViewport((v) => ({ ...v, settledFor: resetKey }))));
  }, [settled, resetKey]);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const onScroll = () => {
      const top = (topRef.current = el.scrollTop);
      // synchronous, as the browser scrolls: rows drawn a frame late would show as a blank band
      flushSync(() => setViewport((v) => (v.top === top && v.settledFor === resetKeyRef.current ? v : { ...v, top, settledFor: resetKeyRef.current })));
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
  const { top, height, measured } = viewport;
  const overscan = settled ? opts.overscan : 0;
  const shown = useMemo(() => {
    if (!measured) return { start: 0, end: -1, padTop: 0, padBottom: count * rowHeight + tall.reduce((sum, t) => sum + t.extra, 0) };
    return rowWindow({ count, rowHeight, tall }, top, height, overscan);
  }, [count, rowHeight, tall, top, height, measured, overscan]);
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
