export const SORT_KEYS = ['id', 'user', 'host', 'database', 'command', 'time', 'trxExecutedTime', 'state', 'sql'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface Sort {
  id: SortKey;
  desc: boolean;
}

/** Everything the sessions view's URL holds (besides the instance, which is in the path). */
export interface SessionFilters {
  /** Server filters: DAS lists sessions only by user and/or database. */
  user?: string;
  database?: string;
  /** Client filters, applied to what was listed. */
  host?: string;
  command?: string;
  /** Only sessions without a default database (the "(none)" database chip). */
  noDatabase?: boolean;
  minTime?: number;
  q?: string;
  sort: Sort;
}

/** Longest-running first. */
export const DEFAULT_SORT: Sort = { id: 'time', desc: true };

const isSortKey = (v: string): v is SortKey => (SORT_KEYS as readonly string[]).includes(v);

export function parseSort(raw: string | null): Sort {
  if (!raw) return DEFAULT_SORT;
  const desc = raw.startsWith('-');
  const key = desc ? raw.slice(1) : raw;
  return isSortKey(key) ? { id: key, desc } : DEFAULT_SORT;
}

export function formatSort(sort: Sort): string {
  return `${sort.desc ? '-' : ''}${sort.id}`;
}

function text(params: URLSearchParams, key: string): string | undefined {
  const v = params.get(key)?.trim();
  return v ? v : undefined;
}

export function parseSessionFilters(params: URLSearchParams): SessionFilters {
  const minRaw = params.get('minTime');
  const min = minRaw !== null && /^\d+$/.test(minRaw.trim()) ? Number(minRaw) : undefined;
  const f: SessionFilters = { sort: parseSort(params.get('sort')) };
  const user = text(params, 'user');
  const database = text(params, 'database');
  const host = text(params, 'host');
  const command = text(params, 'command');
  const q = text(params, 'q');
  if (user) f.user = user;
  if (database) f.database = database;
  if (host) f.host = host;
  if (command) f.command = command;
  if (min !== undefined && min > 0) f.minTime = min;
  if (q) f.q = q;
  if (params.get('nodb') === '1') f.noDatabase = true;
  return f;
}

/** Stable order, defaults left out, so equal views give equal links. */
export function serializeSessionFilters(f: SessionFilters): URLSearchParams {
  const p = new URLSearchParams();
  if (f.user) p.set('user', f.user);
  if (f.database) p.set('database', f.database);
  if (f.host) p.set('host', f.host);
  if (f.command) p.set('command', f.command);
  if (f.noDatabase) p.set('nodb', '1');
  if (f.minTime !== undefined && f.minTime > 0) p.set('minTime', String(f.minTime));
  if (f.q) p.set('q', f.q);
  if (f.sort.id !== DEFAULT_SORT.id || f.sort.desc !== DEFAULT_SORT.desc) p.set('sort', formatSort(f.sort));
  return p;
}

export function hasServerFilter(f: Pick<SessionFilters, 'user' | 'database'>): boolean {
  return Boolean(f.user || f.database);
}

export function hasClientFilter(f: SessionFilters): boolean {
  return Boolean(f.host || f.command || f.noDatabase || f.minTime || f.q);
}
