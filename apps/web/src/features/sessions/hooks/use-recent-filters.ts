import { useCallback, useState } from 'react';
import { pushRecent, readJson, writeJson } from '@/lib/storage';

export interface RecentFilter {
  user?: string;
  database?: string;
}
const isList = (v: unknown): v is RecentFilter[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && ['user', 'database'].every((k) => !(k in x) || typeof (x as Record<string, unknown>)[k] === 'string'));
const keyOf = (f: RecentFilter) => `${f.user ?? ''}\u0000${f.database ?? ''}`;

/** The user/database filters last listed on an instance, in this browser. */
export function useRecentFilters(instanceId: string) {
  const storageKey = `quell.recentFilters.${instanceId}`;
  const [list, setList] = useState<RecentFilter[]>(() => readJson(storageKey, [], isList));
  const remember = useCallback(
    (f: RecentFilter) => {
      if (!f.user && !f.database) return;
      setList((prev) => {
        // listed again with the same filter (the usual case): nothing to store, nothing to re-render
        if (prev[0] !== undefined && keyOf(prev[0]) === keyOf(f)) return prev;
        const next = pushRecent(prev, f, keyOf, 6);
        writeJson(storageKey, next);
        return next;
      });
    },
    [storageKey],
  );
  return { recent: list, remember };
}
