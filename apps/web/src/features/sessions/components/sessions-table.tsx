import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { observeElementRect, useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import type { Session } from '@quell/contracts/sessions';
import { formatDuration } from '@/lib/format';
import type { Sort, SortKey } from '../utils/session-filters';
import { NUMERIC_SORT_KEYS as NUMERIC, sortSessions } from '../utils/sort-sessions';

const ROW_HEIGHT = 34;
/** When the scroll box has no measurable size (hidden, or a test DOM), render a screenful anyway. */
const FALLBACK_RECT = { width: 1200, height: ROW_HEIGHT * 20 };

const estimateSize = () => ROW_HEIGHT;

const observeRect: typeof observeElementRect<HTMLDivElement> = (instance, cb) =>
  observeElementRect(instance, (rect) => cb(rect.height > 0 ? rect : FALLBACK_RECT));

interface Props {
  sessions: readonly Session[];
  sort: Sort;
  onSortChange: (sort: Sort) => void;
  selected: ReadonlySet<number>;
  onRowClick: (id: number, shift: boolean, orderedIds: readonly number[]) => void;
  onToggleAllShown: (ids: readonly number[], select: boolean) => void;
  fetchedAt: number;
  /** Changes when the filters or the sort change: the view goes back to the top then (never on a refresh). */
  resetKey: string;
  /** A row action on sessions with SQL: "Throttle similar…". */
  onThrottleSimilar?: ((session: Session) => void) | undefined;
}

const HEADERS: Record<SortKey, string> = {
  id: 'ID',
  user: 'User',
  host: 'Host',
  database: 'Database',
  command: 'Command',
  time: 'Time',
  trxExecutedTime: 'Trx',
  state: 'State',
  sql: 'SQL',
};
const WIDTHS: Record<SortKey | 'select', string> = {
  select: 'w-10',
  id: 'w-20',
  user: 'w-36',
  host: 'w-40',
  database: 'w-32',
  command: 'w-24',
  time: 'w-20',
  trxExecutedTime: 'w-16',
  state: 'w-32',
  sql: '',
};
const COLUMNS = Object.keys(HEADERS) as SortKey[];

export function SessionsTable({ sessions, sort, onSortChange, selected, onRowClick, onToggleAllShown, fetchedAt, resetKey, onThrottleSimilar }: Props) {
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(() => new Set());
  const toggleExpanded = useCallback((id: number) => {
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  // Plain sorting of the listed rows, once per new list or sort; the virtualiser renders a screenful.
  const sortId = sort.id;
  const sortDesc = sort.desc;
  const rows = useMemo(() => sortSessions(sessions, { id: sortId, desc: sortDesc }), [sessions, sortId, sortDesc]);
  const orderedIds = useMemo(() => rows.map((r) => r.id), [rows]);
  const orderedRef = useRef(orderedIds);
  orderedRef.current = orderedIds;
  const onSelect = useCallback((id: number, shift: boolean) => onRowClick(id, shift, orderedRef.current), [onRowClick]);

  const scrollRef = useRef<HTMLDivElement>(null);
  // Stable callbacks: a new getItemKey makes the virtualiser recompute every row's offset. Rows have a
  // fixed height and are not measured, except an expanded one (full SQL), whose key changes with it.
  const getItemKey = useCallback(
    (i: number) => {
      const id = rows[i]?.id;
      if (id === undefined) return i;
      return expanded.has(id) ? `${id}:open` : id;
    },
    [rows, expanded],
  );
  const getScrollElement = useCallback(() => scrollRef.current, []);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement,
    estimateSize,
    overscan: 15,
    getItemKey,
    observeElementRect: observeRect,
    initialRect: FALLBACK_RECT,
  });
  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [resetKey]);
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length > 0 ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;

  const shownSelected = orderedIds.filter((id) => selected.has(id)).length;
  const allShown = orderedIds.length > 0 && shownSelected === orderedIds.length;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const row = (e.target as HTMLElement).closest<HTMLElement>('[data-row-index]');
    if (!row) return;
    const index = Number(row.dataset.rowIndex) + (e.key === 'ArrowDown' ? 1 : -1);
    if (index < 0 || index >= rows.length) return;
    e.preventDefault();
    focusRow(virtualizer, scrollRef.current, index);
  };

  return (
    <div ref={scrollRef} onKeyDown={onKeyDown} className="min-h-0 flex-1 overflow-auto" data-testid="sessions-scroll">
      <table className="w-full table-fixed border-separate border-spacing-0 text-sm" aria-label="Sessions" aria-rowcount={rows.length + 1}>
        <thead className="sticky top-0 z-10 bg-slate-100 text-left text-xs text-slate-700 dark:bg-slate-900 dark:text-slate-300">
          <tr>
            <th scope="col" className={`${WIDTHS.select} border-b border-slate-300 px-2 py-2 dark:border-slate-700`}>
              <input
                type="checkbox"
                aria-label="Select all shown sessions"
                checked={allShown}
                ref={(el) => {
                  if (el) el.indeterminate = shownSelected > 0 && !allShown;
                }}
                onChange={() => onToggleAllShown(orderedIds, !allShown)}
              />
            </th>
            {COLUMNS.map((key) => {
              const active = sort.id === key;
              return (
                <th
                  key={key}
                  scope="col"
                  aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                  className={`${WIDTHS[key]} border-b border-slate-300 px-2 py-1 font-semibold dark:border-slate-700 ${NUMERIC.has(key) ? 'text-right' : ''}`}
                >
                  <button
                    type="button"
                    className="inline-flex items-center gap-1 rounded px-1 py-1 hover:bg-slate-200 dark:hover:bg-slate-800"
                    onClick={() => onSortChange({ id: key, desc: active ? !sort.desc : NUMERIC.has(key) })}
                  >
                    {HEADERS[key]}
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
          {padTop > 0 && (
            <tr aria-hidden="true">
              <td colSpan={10} style={{ height: padTop }} />
            </tr>
          )}
          {items.map((item) => {
            const s = rows[item.index];
            if (!s) return null;
            return (
              <SessionRow
                key={s.id}
                session={s}
                index={item.index}
                selected={selected.has(s.id)}
                expanded={expanded.has(s.id)}
                measureRef={expanded.has(s.id) ? virtualizer.measureElement : undefined}
                fetchedAt={fetchedAt}
                onToggleExpanded={toggleExpanded}
                onSelect={onSelect}
                onThrottleSimilar={onThrottleSimilar}
              />
            );
          })}
          {padBottom > 0 && (
            <tr aria-hidden="true">
              <td colSpan={10} style={{ height: padBottom }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function focusRow(virtualizer: Virtualizer<HTMLDivElement, Element>, scroller: HTMLElement | null, index: number) {
  virtualizer.scrollToIndex(index, { align: 'auto' });
  requestAnimationFrame(() => {
    scroller?.querySelector<HTMLInputElement>(`[data-row-index="${index}"] input[type=checkbox]`)?.focus();
  });
}

interface RowProps {
  session: Session;
  index: number;
  selected: boolean;
  expanded: boolean;
  fetchedAt: number;
  measureRef: ((el: Element | null) => void) | undefined;
  onToggleExpanded: (id: number) => void;
  onSelect: (id: number, shift: boolean) => void;
  onThrottleSimilar?: ((session: Session) => void) | undefined;
}

/** Every cell is exactly ROW_HEIGHT tall (border-box), so rows need no measuring. */
const cell = 'h-[34px] truncate border-b border-slate-200 px-2 py-1.5 align-top dark:border-slate-800';

const SessionRow = memo(function SessionRow({ session: s, index, selected, expanded, fetchedAt, measureRef, onToggleExpanded, onSelect, onThrottleSimilar }: RowProps) {
  const startedAt = new Date(fetchedAt - s.time * 1000);
  const onRowClick = (e: MouseEvent<HTMLTableRowElement>) => {
    const t = e.target as HTMLElement;
    if (t.closest('button, input, a, pre') || window.getSelection()?.toString()) return;
    onSelect(s.id, e.shiftKey);
  };
  return (
    <tr
      ref={measureRef}
      data-index={index}
      data-row-index={index}
      data-session-id={s.id}
      aria-selected={selected}
      aria-rowindex={index + 2}
      onClick={onRowClick}
      className={selected ? 'bg-sky-50 dark:bg-sky-950/50' : 'hover:bg-slate-50 dark:hover:bg-slate-900'}
    >
      <td className={cell}>
        <input
          type="checkbox"
          aria-label={`Select session ${s.id}`}
          checked={selected}
          onChange={() => {}}
          onClick={(e) => onSelect(s.id, e.shiftKey)}
        />
      </td>
      <td className={`${cell} text-right font-mono tabular-nums`}>{s.id}</td>
      <td className={cell} title={s.user}>
        {s.user}
      </td>
      <td className={`${cell} font-mono text-xs`} title={s.host}>
        {s.host}
      </td>
      <td className={cell} title={s.database}>
        {s.database || <span className="text-slate-500 dark:text-slate-400" aria-label="none">—</span>}
      </td>
      <td className={cell}>{s.command}</td>
      <td className={`${cell} text-right tabular-nums`} title={`Started about ${startedAt.toLocaleString()}`}>
        {formatDuration(s.time)}
      </td>
      <td className={`${cell} text-right tabular-nums`}>{s.trxExecutedTime > 0 ? formatDuration(s.trxExecutedTime) : <span className="text-slate-500 dark:text-slate-400" aria-label="none">—</span>}</td>
      <td className={cell} title={s.state}>
        {s.state}
      </td>
      <td className={`${cell} ${expanded ? 'whitespace-normal' : ''}`}>
        {s.sql ? (
          <div className="flex items-start gap-1">
            <button
              type="button"
              aria-expanded={expanded}
              aria-label={`${expanded ? 'Hide' : 'Show'} full SQL of session ${s.id}`}
              className="shrink-0 rounded px-1 text-slate-600 hover:bg-slate-200 dark:text-slate-400 dark:hover:bg-slate-800"
              onClick={() => onToggleExpanded(s.id)}
            >
              {expanded ? '▾' : '▸'}
            </button>
            {expanded ? (
              <pre tabIndex={0} className="max-h-80 overflow-auto font-mono text-xs break-all whitespace-pre-wrap select-text">{s.sql}</pre>
            ) : (
              <code className="truncate font-mono text-xs" title={s.sql.length > 200 ? `${s.sql.slice(0, 200)}…` : s.sql}>
                {s.sql}
              </code>
            )}
            {onThrottleSimilar && (
              <button type="button" className="ml-auto shrink-0 rounded px-1 text-xs text-slate-600 underline hover:bg-slate-200 dark:text-slate-400 dark:hover:bg-slate-800" aria-label={`Throttle statements similar to session ${s.id}`} onClick={() => onThrottleSimilar(s)}>
                Throttle similar…
              </button>
            )}
          </div>
        ) : (
          <span className="text-slate-500 dark:text-slate-400" aria-label="none">—</span>
        )}
      </td>
    </tr>
  );
});
