import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { parseSessionFilters, serializeSessionFilters, type SessionFilters } from '../utils/session-filters';

/** Filters and sort live in the URL, so a pasted link opens the same view. */
export function useSessionFilters() {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const filters = useMemo(() => parseSessionFilters(params), [key]);
  const update = useCallback(
    (patch: Partial<SessionFilters>, opts: { replace?: boolean } = {}) => {
      setParams(
        (prev) => {
          const next = { ...parseSessionFilters(prev), ...patch };
          for (const k of Object.keys(patch) as (keyof SessionFilters)[]) if (patch[k] === undefined && k !== 'sort') delete next[k];
          return serializeSessionFilters(next);
        },
        { replace: opts.replace ?? false },
      );
    },
    [setParams],
  );
  return { filters, update };
}
