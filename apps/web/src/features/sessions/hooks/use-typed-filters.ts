import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { changesServerFilter, type GroupField } from '../utils/filter-sessions';
import type { SessionFilters } from '../utils/session-filters';
import { useSessionFilters } from './use-session-filters';

/** Typed host and SQL text reach the URL once typing pauses this long; the table follows every keystroke. */
export const TYPING_URL_DELAY_MS = 300;

type Typed = Partial<Pick<SessionFilters, 'host' | 'q'>>;
type Update = (patch: Partial<SessionFilters>, opts?: { replace?: boolean }) => void;

export const isTypedOnly = (patch: Partial<SessionFilters>): patch is Typed => Object.keys(patch).every((k) => k === 'host' || k === 'q');

/**
 * The URL filters, plus the host and SQL text being typed. Writing the URL costs a router navigation:
 * typed text filters the table at once and goes to the URL when typing pauses. Any other filter change
 * writes the pending text along with it.
 */
export function useTypedFilters() {
  const { filters: urlFilters, update: updateUrl } = useSessionFilters();
  const [typed, setTyped] = useState<Typed | null>(null);
  const typedRef = useRef<Typed | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const update = useCallback<Update>(
    (patch, opts) => {
      clearTimeout(timer.current);
      const pending = typedRef.current;
      typedRef.current = null;
      setTyped(null);
      updateUrl(pending ? { ...pending, ...patch } : patch, opts);
    },
    [updateUrl],
  );
  const type = useCallback(
    (patch: Typed) => {
      const next = { ...typedRef.current, ...patch };
      typedRef.current = next;
      // the field shows the keystroke at once (its own state); the view and the table follow in one
      // render at low priority, which the next keystroke may interrupt
      startTransition(() => setTyped(next));
      clearTimeout(timer.current);
      timer.current = setTimeout(() => update({}, { replace: true }), TYPING_URL_DELAY_MS);
    },
    [update],
  );
  useEffect(() => () => clearTimeout(timer.current), []);

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
  return { filters, urlFilters, update, change, pickGroup };
}
