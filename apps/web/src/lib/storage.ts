/** localStorage that never throws (private mode, quota, disabled storage). */
export function readJson<T>(key: string, fallback: T, guard: (v: unknown) => v is T): T {
  try {
    const raw = window.localStorage.getItem(key);
    if (raw === null) return fallback;
    const v: unknown = JSON.parse(raw);
    return guard(v) ? v : fallback;
  } catch {
    return fallback;
  }
}

export function writeJson(key: string, value: unknown): void {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage unavailable: recent lists are a convenience only */
  }
}

/** Most recent first, unique by `keyOf`, at most `max`. */
export function pushRecent<T>(list: readonly T[], item: T, keyOf: (t: T) => string, max = 5): T[] {
  const k = keyOf(item);
  return [item, ...list.filter((x) => keyOf(x) !== k)].slice(0, max);
}
