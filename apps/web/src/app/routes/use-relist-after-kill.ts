import { useCallback, useMemo, useState } from 'react';
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
 */
export function useRelistAfterKill(listing: Listing) {
  const [killedAt, setKilledAt] = useState<number | null>(null);
  const { isFetching, dataUpdatedAt, errorUpdatedAt, ids } = listing;
  const relisted = useMemo((): Relisted | undefined => {
    if (killedAt === null) return undefined;
    if (isFetching) return { state: 'listing' };
    if (errorUpdatedAt > killedAt) return { state: 'failed' };
    if (dataUpdatedAt > killedAt) return { state: 'listed', stillThere: ids ?? [] };
    return { state: 'listing' };
  }, [killedAt, isFetching, errorUpdatedAt, dataUpdatedAt, ids]);
  const killed = useCallback(() => setKilledAt(Date.now()), []);
  const reset = useCallback(() => setKilledAt(null), []);
  return { relisted, killed, reset };
}
