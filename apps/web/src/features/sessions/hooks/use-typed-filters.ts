import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { whenIdle } from '@/lib/after-paint';
import { changesServerFilter, type GroupField } from '../utils/filter-sessions';
import type { SessionFilters, Sort } from '../utils/session-filters';
import { useSessionFilters } from './use-session-filters';

/** Typed host and SQL text reach the URL once typing pauses this long; the table follows every keystroke. */
export const TYPING_URL_DELAY_MS = 300;

/** What the view shows before the URL has it: typed text, a new sort. */
type Typed = Partial<Pick<SessionFilters, 'host' | 'q' | 'sort'>>;
type Update = (patch: Partial<SessionFilters>, opts?: { replace?: boolean }) => void;

export const isTypedOnly = (patch: Partial<SessionFilters>): patch is Pick<Typed, 'host' | 'q'> => Object.keys(patch).every((k) => k === 'host' || k === 'q');

/**
 * The URL filters, plus the host and SQL text being typed and a sort just picked. Writing the URL
 * costs a router navigation (a history write, the routes rendered again): typed text filters the
 * table at once and goes to the URL when typing pauses; a new sort is drawn at once and goes to the
 * URL once the page is idle. Any other filter change writes what is pending along with it.
 */
export function useTypedFilters() {
  const { filters: urlFilters, update: updateUrl } = useSessionFilters();
  const [typed, setTyped] = useState<Typed | null>(null);
  const typedRef = useRef<Typed | null>(null);
  // cancels the URL write waiting for typing to pause (or for the page to be idle)
  const cancelWrite = useRef<(() => void) | undefined>(undefined);

  const update = useCallback<Update>(
    (patch, opts) => {
      cancelWrite.current?.();
      const pending = typedRef.current;
      typedRef.current = null;
      // one render drops what was pending and reads the URL that has it: the router renders a
      // navigation as a transition, and the view must not show the old URL's filters in between
      startTransition(() => {
        setTyped(null);
        updateUrl(pending ? { ...pending, ...patch } : patch, opts);
      });
    },
    [updateUrl],
  );
  /** Shows `patch` now and writes it (with anything else pending) to the URL `when` ms later, or once the page is idle. */
  const hold = useCallback(
    (patch: Typed, when: number | 'idle') => {
      const next = { ...typedRef.current, ...patch };
      typedRef.current = next;
      cancelWrite.current?.();
      const write = () => update({}, { replace: true });
      if (when === 'idle') cancelWrite.current = whenIdle(write);
      else {
        const timer = setTimeout(write, when);
        cancelWrite.current = () => clearTimeout(timer);
      }
      return next;
    },
    [update],
  );
  const type = useCallback(
    (patch: Pick<Typed, 'host' | 'q'>) => {
      const next = hold(patch, TYPING_URL_DELAY_MS);
      // the field and the table follow in the keystroke's own render: a narrowing filter and a
      // screenful of rows fit in a frame, where a low-priority render is cut into slices with frames
      // (and their paint) in between, and commits twice (the field, then the table)
      setTyped(next);
    },
    [hold],
  );
  /** A new sort: drawn in the click's own render, written to the URL once that has painted. */
  const sortBy = useCallback((sort: Sort) => setTyped(hold({ sort }, 'idle')), [hold]);
  useEffect(() => () => cancelWrite.current?.(), []);

  /** What the client filters' inputs report: typed text is debounced, the rest written at once. */
  const change = useCallback((patch: Partial<SessionFilters>) => (isTypedOnly(patch) ? type(patch) : update(patch, { replace: true })), [type, update]);

  /**
   * A group chip turned on or off. Host, command and the "(none)" database narrow the listing in place;
   * user and database list anew (a history entry).
   */
  const pickGroup = useCallback(
    (field: GroupField, value: string, on: boolean) => {
      if (field === 'database' && value === '') update({ noDatabase: on || undefined }, { replace: true });
      else update({ [field]: on ? value : undefined }, changesServerFilter(field, value) ? undefined : { replace: true });
    },
    [update],
  );

  const filters = useMemo(() => (typed ? { ...urlFilters, ...typed } : urlFilters), [typed, urlFilters]);
  return { filters, urlFilters, update, change, pickGroup, sortBy };
}
