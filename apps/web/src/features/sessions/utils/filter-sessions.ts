import type { Session } from '@quell/contracts/sessions';
import type { SessionFilters } from './session-filters';

/** `10.0.0.8:51234` → `10.0.0.8`; `[::1]:3306` → `[::1]`; `localhost` stays. */
export function hostName(host: string): string {
  const i = host.lastIndexOf(':');
  if (i <= 0 || i === host.length - 1) return host;
  // the port: digits only (a plain loop, not a regular expression: this runs once per listed row)
  for (let j = i + 1; j < host.length; j++) {
    const c = host.charCodeAt(j);
    if (c < 48 || c > 57) return host;
  }
  // a bare IPv6 address has several colons and no brackets: keep it whole
  if (host.charCodeAt(0) !== 91 && host.lastIndexOf(':', i - 1) !== -1) return host;
  return host.slice(0, i);
}

/** Applies the client-side filters (host, command, no database, minimum time, SQL text) to a listed set. */
export function filterSessions(sessions: readonly Session[], f: Pick<SessionFilters, 'host' | 'command' | 'noDatabase' | 'minTime' | 'q'>): Session[] {
  const host = f.host?.toLowerCase();
  const command = f.command?.toLowerCase();
  const q = f.q?.toLowerCase();
  const min = f.minTime ?? 0;
  const noDb = f.noDatabase === true;
  if (!host && !command && !q && !noDb && min <= 0) return [...sessions];
  return sessions.filter(
    (s) =>
      (!host || s.host.toLowerCase().includes(host)) &&
      (!command || s.command.toLowerCase() === command) &&
      (!noDb || s.database === '') &&
      (min <= 0 || s.time >= min) &&
      (!q || s.sql.toLowerCase().includes(q)),
  );
}

export type GroupField = 'user' | 'host' | 'database' | 'command';

/** A user or database chip lists the sessions again from the server; the others (and "(none)" database) filter what is listed. */
export const changesServerFilter = (field: GroupField, value: string) => (field === 'user' || field === 'database') && value !== '';
export interface GroupCount {
  value: string;
  count: number;
}

/** The listed sessions a group chip counts. */
export function groupMembers(sessions: readonly Session[], field: GroupField, value: string): Session[] {
  return sessions.filter((s) => (field === 'host' ? hostName(s.host) : s[field]) === value);
}

/** Counts per user, host (without port), database and command, largest first. */
export function groupCounts(sessions: readonly Session[]): Record<GroupField, GroupCount[]> {
  const maps: Record<GroupField, Map<string, number>> = { user: new Map(), host: new Map(), database: new Map(), command: new Map() };
  const count = (m: Map<string, number>, v: string) => m.set(v, (m.get(v) ?? 0) + 1);
  for (const s of sessions) {
    count(maps.user, s.user);
    count(maps.host, hostName(s.host));
    count(maps.database, s.database);
    count(maps.command, s.command);
  }
  const toList = (m: Map<string, number>) => [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  return { user: toList(maps.user), host: toList(maps.host), database: toList(maps.database), command: toList(maps.command) };
}
