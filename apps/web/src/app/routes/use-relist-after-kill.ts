import { useCallback, useMemo, useRef, useState } from 'react';
import type { Relisted } from '@/features/kill/components/kill-result-view';

interface Listing {
  isFetching: boolean;
  dataUpdatedAt: number;
  errorUpdatedAt: number;
  ids: readonly number[] | undefined;
}

/**
 * A broad kill cannot be verified one by one: after it, the listing (refetched by the kill) says what
 * is still there. `killed()` marks the moment; `relisted` is undefined until then.
 * The moment is the listing's own update stamps at the kill, not the clock: a refetch that lands in
 * the same millisecond as the kill still counts as the listing after it.
 */
export function useRelistAfterKill(listing: Listing) {
  const [killedAt, setKilledAt] = useState<{ data: number; error: number } | null>(null);
  const { isFetching, dataUpdatedAt, errorUpdatedAt, ids } = listing;
  const stamps = useRef({ data: dataUpdatedAt, error: errorUpdatedAt });
  stamps.current = { data: dataUpdatedAt, error: errorUpdatedAt };
  const relisted = useMemo((): Relisted | undefined => {
    if (killedAt === null) return undefined;
    if (isFetching) return { state: 'listing' };
    if (errorUpdatedAt > killedAt.error && errorUpdatedAt > dataUpdatedAt) return { state: 'failed' };
    if (dataUpdatedAt > killedAt.data) return { state: 'listed', stillThere: ids ?? [] };
    return { state: 'listing' };
  }, [killedAt, isFetching, errorUpdatedAt, dataUpdatedAt, ids]);
  const killed = useCallback(() => setKilledAt(stamps.current), []);
  const reset = useCallback(() => setKilledAt(null), []);
  return { relisted, killed, reset };
}
