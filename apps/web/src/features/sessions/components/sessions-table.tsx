import { Link } from 'react-router';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode, type RefObject } from 'react';
import type { Session } from '@quell/contracts/sessions';
import { formatDuration, formatLocalTimestamp } from '@/lib/format';
import { useRowKeys } from '../hooks/use-row-keys';
import { useRowWindow, type TallRow } from '../hooks/use-row-window';
import { idsOf } from '../utils/selection';
import type { Sort, SortKey } from '../utils/session-filters';
import { NUMERIC_SORT_KEYS as NUMERIC } from '../utils/sort-sessions';

const ROW_HEIGHT = 34;
/** When the scroll box has no measurable size (hidden, or a test DOM), render a screenful anyway. */
const FALLBACK_HEIGHT = ROW_HEIGHT * 20;
const WINDOW = { overscan: 6, fallbackHeight: FALLBACK_HEIGHT };
const NO_TALL_ROWS: readonly TallRow[] = [];

interface Props {
  /** In the order shown: sorted by `sort` (the table draws the sort, it does not sort). */
  sessions: readonly Session[];
  sort: Sort;
  onSortChange: (sort: Sort) => void;
  selected: ReadonlySet<number>;
  onRowClick: (id: number, shift: boolean, orderedIds: readonly number[]) => void;
  onToggleAllShown: (ids: readonly number[], select: boolean) => void;
  fetchedAt: number;
  /** Changes when the filters or the sort change: the view goes back to the top then (never on a refresh). */
  resetKey: string;
  /** Who waits behind whom, when the instance's lock data is known. */
  locks?: SessionLocks | undefined;
  /** A row action on sessions with SQL: "Throttle similar…". */
  onThrottleSimilar?: ((session: Session) => void) | undefined;
}

/** Who a session waits behind and how many wait behind it; `href` links a blocker to the Blockers view. */
export interface SessionLocks {
  of: ReadonlyMap<number, { blockedBy: number | null; blocking: number }>;
  href: (sessionId: number) => string;
}

/** What a row's cells need besides the session. */
interface RowContext {
  lock: { blockedBy: number | null; blocking: number } | undefined;
  lockHref: ((sessionId: number) => string) | undefined;
  onThrottleSimilar: ((session: Session) => void) | undefined;
  selected: boolean;
  expanded: boolean;
  fetchedAt: number;
  onSelect: (id: number, shift: boolean) => void;
  onToggleExpanded: (id: number) => void;
}

/** What the select column's header needs. */
interface HeaderContext {
  allShown: boolean;
  someShown: boolean;
  onToggleAllShown: () => void;
}

/** One column: its header (a sort button, or its own content), width, and how a row's cell looks. */
interface Column {
  key: SortKey | 'select' | 'blockedBy' | 'blocking';
  /** The sort button's text, for a sortable column. */
  label?: string;
  /** A header of its own instead of a sort button (the select-all box). */
  header?: (h: HeaderContext) => ReactNode;
  width: string;
  /** Below which breakpoint the column is hidden (`hidden md:table-cell`): a phone shows id, user, time, SQL. */
  responsive?: string;
  cellClass?: (row: RowContext) => string;
  title?: (s: Session, row: RowContext) => string;
  cell: (s: Session, row: RowContext) => ReactNode | typeof NONE;
}

/**
 * What a cell has when it has nothing: the cell shows a muted dash and is itself named "none" (a name
 * on a span inside it would not be announced: a generic element takes none).
 */
const NONE = Symbol('none');
const NONE_CLASS = 'text-slate-500 dark:text-slate-400';
const right = () => 'text-right tabular-nums';
/** Shown from the `md` breakpoint up; on a phone the row keeps what tells sessions apart. */
const WIDE_ONLY = 'hidden md:table-cell';

const COLUMNS: readonly Column[] = [
  {
    key: 'select',
    width: 'w-8 md:w-10',
    header: (h) => (
      <input
        type="checkbox"
        aria-label="Select all shown sessions"
        checked={h.allShown}
        ref={(el) => {
          if (el) el.indeterminate = h.someShown && !h.allShown;
        }}
        onChange={h.onToggleAllShown}
      />
    ),
    cell: (s, row) => <input type="checkbox" aria-label={`Select session ${s.id}`} checked={row.selected} onChange={() => {}} onClick={(e) => row.onSelect(s.id, e.shiftKey)} />,
  },
  { key: 'id', label: 'ID', width: 'w-16 md:w-20', cellClass: () => 'text-right font-mono tabular-nums', cell: (s) => s.id },
  { key: 'user', label: 'User', width: 'w-24 md:w-36', title: (s) => s.user, cell: (s) => s.user },
  { key: 'host', label: 'Host', width: 'w-40', responsive: WIDE_ONLY, cellClass: () => 'font-mono text-xs', title: (s) => s.host, cell: (s) => s.host },
  { key: 'database', label: 'Database', width: 'w-32', responsive: WIDE_ONLY, title: (s) => s.database, cell: (s) => s.database || NONE },
  { key: 'command', label: 'Command', width: 'w-24', responsive: WIDE_ONLY, cell: (s) => s.command },
  {
    key: 'time',
    label: 'Time',
    width: 'w-16 md:w-20',
    cellClass: right,
    title: (s, row) => `Started about ${formatLocalTimestamp(row.fetchedAt - s.time * 1000)}`,
    cell: (s) => formatDuration(s.time),
  },
  { key: 'trxExecutedTime', label: 'Trx', width: 'w-16', responsive: WIDE_ONLY, cellClass: right, cell: (s) => (s.trxExecutedTime > 0 ? formatDuration(s.trxExecutedTime) : NONE) },
  { key: 'state', label: 'State', width: 'w-32', responsive: WIDE_ONLY, title: (s) => s.state, cell: (s) => s.state },
  { key: 'sql', label: 'SQL', width: '', cellClass: (row) => (row.expanded ? 'whitespace-normal' : ''), cell: (s, row) => (s.sql ? <SqlCell session={s} row={row} /> : NONE) },
  // The lock columns are not sortable: they come from the lock graph, not the listing.
  { key: 'blockedBy', header: () => 'Blocked by', width: 'w-24', responsive: WIDE_ONLY, cellClass: () => 'font-mono tabular-nums', cell: (_s, row) => (row.lock?.blockedBy == null ? NONE : <BlockedByCell blockedBy={row.lock.blockedBy} lockHref={row.lockHref} />) },
  { key: 'blocking', header: () => 'Blocking', width: 'w-20', responsive: WIDE_ONLY, cellClass: right, cell: (_s, row) => (row.lock && row.lock.blocking > 0 ? <strong>{row.lock.blocking}</strong> : NONE) },
];

function BlockedByCell({ blockedBy, lockHref }: { blockedBy: number; lockHref: RowContext['lockHref'] }) {
  if (!lockHref) return blockedBy;
  return (
    <Link to={lockHref(blockedBy)} className="text-red-800 underline dark:text-red-300" aria-label={`Blocked by session ${blockedBy}`}>
      {blockedBy}
    </Link>
  );
}

// memo: a keystroke re-renders the view at once, but the rows only when the filtered rows follow it
export const SessionsTable = memo(function SessionsTable({ sessions, sort, onSortChange, selected, onRowClick, onToggleAllShown, fetchedAt, resetKey, locks, onThrottleSimilar }: Props) {
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(() => new Set());
  const toggleExpanded = useCallback((id: number) => {
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  // The rows come sorted (by `sort`); only a screenful of them is drawn.
  const rows = sessions;
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  // the shown ids in order, made only when a click needs them (a range, select all)
  const onSelect = useCallback((id: number, shift: boolean) => onRowClick(id, shift, idsOf(rowsRef.current)), [onRowClick]);

  const scrollRef = useRef<HTMLDivElement>(null);
  // Rows have a fixed height except an expanded one (full SQL), which is measured.
  const [heights, measureRef] = useRowHeights();
  const tall = useMemo(() => {
    if (expanded.size === 0) return NO_TALL_ROWS;
    const out: TallRow[] = [];
    for (let i = 0; i < rows.length; i++) {
      const id = rows[i]!.id;
      const height = expanded.has(id) ? heights.get(id) : undefined;
      if (height !== undefined && height > ROW_HEIGHT) out.push({ index: i, extra: height - ROW_HEIGHT });
    }
    return out;
  }, [rows, expanded, heights]);
  const { shown, scrollToRow, scrollToTop } = useRowWindow(scrollRef, { count: rows.length, rowHeight: ROW_HEIGHT, tall }, { ...WINDOW, resetKey });
  useEffect(() => scrollToTop(), [resetKey, scrollToTop]);
  const items: number[] = [];
  const itemIds: number[] = [];
  for (let i = shown.start; i <= shown.end; i++) {
    items.push(i);
    itemIds.push(rows[i]!.id);
  }
  // the rows holding focus or selected text are never handed to another session
  const selectedTextRow = useSelectedTextRow(scrollRef);
  const rowKeys = useRowKeys(itemIds, () => {
    const pinned = new Set<number>();
    for (const id of [rowOf(scrollRef.current, document.activeElement), selectedTextRow.current]) if (id !== null) pinned.add(id);
    return pinned;
  });

  const shownSelected = useMemo(() => (selected.size === 0 ? 0 : rows.reduce((n, r) => (selected.has(r.id) ? n + 1 : n), 0)), [rows, selected]);
  const allShown = rows.length > 0 && shownSelected === rows.length;
  const header: HeaderContext = { allShown, someShown: shownSelected > 0, onToggleAllShown: () => onToggleAllShown(idsOf(rows), !allShown) };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const row = (e.target as HTMLElement).closest<HTMLElement>('[data-row-index]');
    if (!row) return;
    const index = Number(row.dataset.rowIndex) + (e.key === 'ArrowDown' ? 1 : -1);
    if (index < 0 || index >= rows.length) return;
    e.preventDefault();
    scrollToRow(index, scrollRef.current?.querySelector('thead')?.offsetHeight ?? 0);
    requestAnimationFrame(() => {
      scrollRef.current?.querySelector<HTMLInputElement>(`[data-row-index="${index}"] input[type=checkbox]`)?.focus();
    });
  };

  return (
    // strict containment: its rows changing never lays out the page around it (its size comes from the flex layout, not its rows)
    <div ref={scrollRef} onKeyDown={onKeyDown} className="min-h-0 flex-1 overflow-auto [contain:strict]" data-testid="sessions-scroll">
      <table className="w-full table-fixed border-separate border-spacing-0 text-sm" aria-label="Sessions" aria-rowcount={rows.length + 1}>
        <thead className="sticky top-0 z-10 bg-slate-100 text-left text-xs text-slate-700 dark:bg-slate-900 dark:text-slate-300">
          <tr>
            {COLUMNS.map((col) => {
              if (col.header || col.key === 'select') {
                return (
                  <th key={col.key} scope="col" className={`${col.width} ${col.responsive ?? ''} border-b border-slate-300 px-2 py-2 dark:border-slate-700`}>
                    {col.header?.(header)}
                  </th>
                );
              }
              // only sortable columns get here: the others have a header of their own
              const key = col.key as SortKey;
              const active = sort.id === key;
              return (
                <th
                  key={key}
                  scope="col"
                  aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                  className={`${col.width} ${col.responsive ?? ''} border-b border-slate-300 px-2 py-1 font-semibold dark:border-slate-700 ${NUMERIC.has(key) ? 'text-right' : ''}`}
                >
                  <button
                    type="button"
                    className="inline-flex items-center gap-1 rounded px-1 py-1 hover:bg-slate-200 dark:hover:bg-slate-800"
                    onClick={() => onSortChange({ id: key, desc: active ? !sort.desc : NUMERIC.has(key) })}
                  >
                    {col.label}
                    <span aria-hidden="true" className={active ? '' : 'opacity-30'}>
                      {active ? (sort.desc ? '▼' : '▲') : '↕'}
                    </span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shown.padTop > 0 && (
            <tr aria-hidden="true">
              <td colSpan={COLUMNS.length} style={{ height: shown.padTop }} />
            </tr>
          )}
          {items.map((index) => {
            const s = rows[index]!;
            return (
              <SessionRow
                key={rowKeys.get(s.id)}
                session={s}
                index={index}
                selected={selected.has(s.id)}
                expanded={expanded.has(s.id)}
                measureRef={expanded.has(s.id) ? measureRef : undefined}
                fetchedAt={fetchedAt}
                lock={locks?.of.get(s.id)}
                lockHref={locks?.href}
                onThrottleSimilar={onThrottleSimilar}
                onToggleExpanded={toggleExpanded}
                onSelect={onSelect}
              />
            );
          })}
          {shown.padBottom > 0 && (
            <tr aria-hidden="true">
              <td colSpan={COLUMNS.length} style={{ height: shown.padBottom }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
});

/** The session whose row in `box` holds `node`, if any. */
function rowOf(box: HTMLElement | null, node: Node | null | undefined): number | null {
  const el = node instanceof Element ? node : node?.parentElement;
  const row = el?.closest<HTMLElement>('tr[data-session-id]');
  return row && box?.contains(row) ? Number(row.dataset.sessionId) : null;
}

/**
 * The session whose row holds the text selection, followed as it changes (the Selection API read
 * during a render would lay the page out there and then).
 */
function useSelectedTextRow(scrollRef: RefObject<HTMLElement | null>): RefObject<number | null> {
  const row = useRef<number | null>(null);
  useEffect(() => {
    const onChange = () => {
      const selection = document.getSelection();
      row.current = selection && !selection.isCollapsed ? (rowOf(scrollRef.current, selection.anchorNode) ?? rowOf(scrollRef.current, selection.focusNode)) : null;
    };
    document.addEventListener('selectionchange', onChange);
    return () => document.removeEventListener('selectionchange', onChange);
  }, [scrollRef]);
  return row;
}

/** Keyboard focus into the table: the first selected row shown, else the first row. */
export function focusSessionsTable() {
  const scroller = document.querySelector<HTMLElement>('[data-testid="sessions-scroll"]');
  const box = scroller?.querySelector<HTMLInputElement>('tr[aria-selected="true"] input[type=checkbox]') ?? scroller?.querySelector<HTMLInputElement>('tbody input[type=checkbox]');
  box?.focus();
}

/**
 * The measured heights of expanded rows, by session id, and the ref that measures a row (its
 * `data-session-id`) for as long as it is drawn.
 */
function useRowHeights(): [ReadonlyMap<number, number>, (el: HTMLTableRowElement | null) => (() => void) | undefined] {
  const [heights, setHeights] = useState<ReadonlyMap<number, number>>(() => new Map());
  const observer = useRef<ResizeObserver | null>(null);
  const measureRef = useCallback((el: HTMLTableRowElement | null) => {
    if (!el) return undefined;
    const note = (row: Element, height: number) => {
      const id = Number((row as HTMLElement).dataset.sessionId);
      setHeights((prev) => {
        if (prev.get(id) === height) return prev;
        const next = new Map(prev);
        next.set(id, height);
        return next;
      });
    };
    note(el, el.getBoundingClientRect().height);
    if (typeof ResizeObserver === 'undefined') return undefined;
    observer.current ??= new ResizeObserver((entries) => {
      for (const entry of entries) note(entry.target, entry.borderBoxSize[0]?.blockSize ?? entry.target.getBoundingClientRect().height);
    });
    const ro = observer.current;
    ro.observe(el);
    return () => ro.unobserve(el);
  }, []);
  useEffect(() => () => observer.current?.disconnect(), []);
  return [heights, measureRef];
}

interface RowProps {
  session: Session;
  index: number;
  selected: boolean;
  expanded: boolean;
  fetchedAt: number;
  measureRef: ((el: HTMLTableRowElement | null) => (() => void) | undefined) | undefined;
  lock: RowContext['lock'];
  lockHref: RowContext['lockHref'];
  onThrottleSimilar: RowContext['onThrottleSimilar'];
  onToggleExpanded: (id: number) => void;
  onSelect: (id: number, shift: boolean) => void;
}

/** Every cell is exactly ROW_HEIGHT tall (border-box), so rows need no measuring. */
const cell = 'h-[34px] truncate border-b border-slate-200 px-2 py-1.5 align-top dark:border-slate-800';

const SessionRow = memo(function SessionRow({ session: s, index, selected, expanded, fetchedAt, measureRef, lock, lockHref, onThrottleSimilar, onToggleExpanded, onSelect }: RowProps) {
  const onRowClick = (e: MouseEvent<HTMLTableRowElement>) => {
    const t = e.target as HTMLElement;
    if (t.closest('button, input, a, pre') || window.getSelection()?.toString()) return;
    onSelect(s.id, e.shiftKey);
  };
  const row: RowContext = { lock, lockHref, onThrottleSimilar, selected, expanded, fetchedAt, onSelect, onToggleExpanded };
  return (
    <tr
      ref={measureRef}
      data-row-index={index}
      data-session-id={s.id}
      aria-selected={selected}
      aria-rowindex={index + 2}
      onClick={onRowClick}
      // the row holding keyboard focus is outlined, so ↑ ↓ and x can be followed
      className={`focus-within:outline-2 focus-within:-outline-offset-2 focus-within:outline-sky-600 dark:focus-within:outline-sky-400 ${selected ? 'bg-sky-50 dark:bg-sky-950/50' : 'hover:bg-slate-50 dark:hover:bg-slate-900'}`}
    >
      {COLUMNS.map((col) => {
        const content = col.cell(s, row);
        const empty = content === NONE;
        return (
          <td
            key={col.key}
            className={`${cell} ${col.responsive ?? ''} ${col.cellClass?.(row) ?? ''} ${empty ? NONE_CLASS : ''}`}
            title={empty ? undefined : col.title?.(s, row)}
            aria-label={empty ? 'none' : undefined}
          >
            {empty ? '—' : content}
          </td>
        );
      })}
    </tr>
  );
});

function SqlCell({ session: s, row }: { session: Session; row: RowContext }) {
  return (
    <div className="flex items-start gap-1">
      <button
        type="button"
        aria-expanded={row.expanded}
        aria-label={`${row.expanded ? 'Hide' : 'Show'} full SQL of session ${s.id}`}
        className="shrink-0 rounded px-1 text-slate-600 hover:bg-slate-200 dark:text-slate-400 dark:hover:bg-slate-800"
        onClick={() => row.onToggleExpanded(s.id)}
      >
        {row.expanded ? '▾' : '▸'}
      </button>
      {row.expanded ? (
        <pre tabIndex={0} className="max-h-80 overflow-auto font-mono text-xs break-all whitespace-pre-wrap select-text">
          {s.sql}
        </pre>
      ) : (
        <code className="min-w-0 truncate font-mono text-xs" title={s.sql.length > 200 ? `${s.sql.slice(0, 200)}…` : s.sql}>
          {s.sql}
        </code>
      )}
      {row.onThrottleSimilar && (
        <button
          type="button"
          // from md up: on a phone the statement needs the room
          className="ml-auto hidden shrink-0 rounded px-1 text-xs text-slate-600 underline hover:bg-slate-200 md:inline dark:text-slate-400 dark:hover:bg-slate-800"
          aria-label={`Throttle similar… to session ${s.id}`}
          onClick={() => row.onThrottleSimilar?.(s)}
        >
          Throttle similar…
        </button>
      )}
    </div>
  );
}
