import { startTransition, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { whenIdle } from '@/lib/after-paint';
import { changesServerFilter, type GroupField } from '../utils/filter-sessions';
import type { SessionFilters, Sort } from '../utils/session-filters';
import { useSessionFilters } from './use-session-filters';

/** Typed host and SQL text reach the URL once typing pauses this long; the table follows every keystroke. */
export const TYPING_URL_DELAY_MS = 300;

/** What the view shows before the URL has it: typed text, a new sort. */
type Typed = Partial<Pick<SessionFilters, 'host' | 'q' | 'sort'>>;
type Update = (patch: Partial<SessionFilters>, opts?: { replace?: boolean }) => void;
/** Typed host and SQL text the URL does not have yet (a key set to undefined: a field emptied). */
export type TypedText = Pick<Typed, 'host' | 'q'>;

/**
 * The typed text, outside React state: the filter fields write it and only the parts that show
 * filtered rows (useTextFilters) read it, so a keystroke re-renders those, not the whole view.
 */
export interface TypedTextStore {
  get: () => TypedText | null;
  set: (text: TypedText | null) => void;
  subscribe: (onChange: () => void) => () => void;
}

function typedTextStore(): TypedTextStore {
  let text: TypedText | null = null;
  const listeners = new Set<() => void>();
  return {
    get: () => text,
    set: (next) => {
      if (next === text) return;
      text = next;
      for (const l of listeners) l();
    },
    subscribe: (onChange) => {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
  };
}

const textOf = (typed: Typed): TypedText | null => {
  const text: TypedText = {};
  if ('host' in typed) text.host = typed.host;
  if ('q' in typed) text.q = typed.q;
  return Object.keys(text).length ? text : null;
};

/** `filters` with the typed `text` over them. */
export const withTypedText = (filters: SessionFilters, text: TypedText | null): SessionFilters => (text ? { ...filters, ...text } : filters);

/** `filters` with the text being typed in `store`: re-renders on each keystroke. */
export function useTextFilters(filters: SessionFilters, store: TypedTextStore): SessionFilters {
  const text = useSyncExternalStore(store.subscribe, store.get);
  return useMemo(() => withTypedText(filters, text), [filters, text]);
}

export const isTypedOnly = (patch: Partial<SessionFilters>): patch is Pick<Typed, 'host' | 'q'> => Object.keys(patch).every((k) => k === 'host' || k === 'q');

/**
 * The URL filters, plus a sort just picked, and the host and SQL text being typed (in `typedText`,
 * read with useTextFilters). Writing the URL costs a router navigation (a history write, the routes
 * rendered again): typed text filters the table at once and goes to the URL when typing pauses; a
 * new sort is drawn at once and goes to the URL once the page is idle. Any other filter change
 * writes what is pending along with it.
 */
export function useTypedFilters() {
  const { filters: urlFilters, update: updateUrl } = useSessionFilters();
  // only the sort: the typed text is in typedText
  const [typed, setTyped] = useState<Typed | null>(null);
  const [typedText] = useState(typedTextStore);
  const typedRef = useRef<Typed | null>(null);
  // a URL write is on its way: once the URL has it, the typed text it took is dropped
  const writing = useRef(false);
  // cancels the URL write waiting for typing to pause (or for the page to be idle)
  const cancelWrite = useRef<(() => void) | undefined>(undefined);

  const update = useCallback<Update>(
    (patch, opts) => {
      cancelWrite.current?.();
      const pending = typedRef.current;
      typedRef.current = null;
      writing.current = true;
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
      hold(patch, TYPING_URL_DELAY_MS);
      // the field and the table follow in the keystroke's own render: a narrowing filter and a
      // screenful of rows fit in a frame, where a low-priority render is cut into slices with frames
      // (and their paint) in between, and commits twice (the field, then the table)
      typedText.set({ ...typedText.get(), ...patch });
    },
    [hold, typedText],
  );
  /** A new sort: drawn in the click's own render, written to the URL once that has painted. */
  const sortBy = useCallback(
    (sort: Sort) => {
      const next = hold({ sort }, 'idle');
      setTyped({ sort: next.sort });
    },
    [hold],
  );
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

  // In the commit that shows the URL a write went to (before it paints): the text typed since stays.
  useLayoutEffect(() => {
    if (!writing.current) return;
    writing.current = false;
    typedText.set(typedRef.current ? textOf(typedRef.current) : null);
  }, [urlFilters, typedText]);

  const filters = useMemo(() => (typed ? { ...urlFilters, ...typed } : urlFilters), [typed, urlFilters]);
  return { filters, urlFilters, typedText, update, change, pickGroup, sortBy };
}
