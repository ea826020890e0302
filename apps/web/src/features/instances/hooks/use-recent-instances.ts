import { useCallback, useSyncExternalStore } from 'react';
import { pushRecent, readJson, writeJson } from '@/lib/storage';

const KEY = 'quell.recentInstances';
const isIds = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const listeners = new Set<() => void>();
let cache: string[] | null = null;

function read(): string[] {
  cache ??= readJson(KEY, [], isIds);
  return cache;
}

export function rememberInstance(id: string): void {
  const next = pushRecent(read(), id, (x) => x, 5);
  cache = next;
  writeJson(KEY, next);
  for (const l of listeners) l();
}

/** Instances this browser opened lately, most recent first. */
export function useRecentInstances() {
  const ids = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    read,
  );
  const remember = useCallback((id: string) => rememberInstance(id), []);
  return { ids, remember };
}

/** Test seam: forget the in-memory copy. */
export function resetRecentInstancesCache(): void {
  cache = null;
}
