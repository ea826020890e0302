// Protection rules and session identity: pure functions, unit-tested in policy.test.ts.
import type { ExclusionReason } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';
import type { InstanceConfig } from '../config.ts';

/** MySQL/MariaDB accounts that only server threads use. */
export const SYSTEM_USERS = ['system user', 'event_scheduler'] as const;
const SYSTEM_COMMANDS = ['daemon'];
const REPLICATION_COMMANDS = ['binlog dump', 'binlog dump gtid', 'slave_io', 'slave_sql', 'slave_worker'];

export interface Protection {
  reason: ExclusionReason;
  explanation: string;
}

/** The host part of "host:port" (or the whole string when there is no port). */
export function hostPart(host: string): string {
  const m = /^(.*):\d+$/.exec(host);
  return m ? m[1]! : host;
}

/**
 * The forms under which MariaDB's default collations take a name to be equal: case- and accent-insensitive
 * (compatibility forms such as fullwidth letters included), trailing spaces ignored (PAD SPACE), with the
 * expansions of the Unicode collations (ß = ss, æ = ae, œ = oe) and the single letters of utf8mb4_general_ci
 * (ß = s). Two names match if any of their forms are equal: a protection check refuses rather than misses.
 */
function nameForms(name: string): string[] {
  const base = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ +$/, '');
  // Escaped: the built bundle stays ASCII, which Node reads into a string of half the size.
  const uca = base.replace(/\u00df/g, 'ss').replace(/\u00e6/g, 'ae').replace(/\u0153/g, 'oe');
  const general = base.replace(/\u00df/g, 's');
  return uca === general ? [uca] : [uca, general];
}

/** The first of `names` that MariaDB would take any of the candidates to be; the names are folded once, here. */
function nameMatcher(names: readonly string[]): (...candidates: string[]) => string | undefined {
  const folded = names.map((name) => ({ name, forms: nameForms(name) }));
  if (folded.length === 0) return () => undefined;
  return (...candidates) => {
    const forms = candidates.flatMap(nameForms);
    return folded.find((f) => f.forms.some((x) => forms.includes(x)))?.name;
  };
}

/**
 * Why a user name must never be targeted, for every user name of one check: the protected names are
 * folded once, and each distinct user name once (a listing of 1 000 sessions of one account folds it once).
 */
function userProtection(instance: Pick<InstanceConfig, 'protectedUsers'>, dasUsername: string | undefined): (user: string) => Protection | undefined {
  const system = nameMatcher(SYSTEM_USERS);
  const das = nameMatcher(dasUsername === undefined ? [] : [dasUsername]);
  const protectedUser = nameMatcher(instance.protectedUsers);
  const verdicts = new Map<string, Protection | undefined>();
  const verdict = (user: string): Protection | undefined => {
    if (system(user)) return { reason: 'system-thread', explanation: `"${user}" is a server thread account` };
    if (das(user)) return { reason: 'das-user', explanation: `"${user}" is the account DAS itself uses for this instance` };
    if (protectedUser(user)) return { reason: 'protected-user', explanation: `"${user}" is a protected user on this instance` };
    return undefined;
  };
  return (user) => {
    if (!verdicts.has(user)) verdicts.set(user, verdict(user));
    return verdicts.get(user);
  };
}

/** Is this user name one Quell must never target (broad mode refuses it)? Compared as MariaDB matches names. */
export function protectedUserReason(user: string, instance: Pick<InstanceConfig, 'protectedUsers'>, dasUsername: string | undefined): Protection | undefined {
  return userProtection(instance, dasUsername)(user);
}

/**
 * Why a session must never be killed (undefined if it may be), for the sessions of one listing: build it
 * once per listing, not once per session, so that each name is folded once.
 */
export function protectionCheck(instance: Pick<InstanceConfig, 'protectedUsers' | 'protectedHosts'>, dasUsername: string | undefined): (s: Session) => Protection | undefined {
  const byUser = userProtection(instance, dasUsername);
  const protectedHost = nameMatcher(instance.protectedHosts);
  return (s) => {
    const command = s.command.toLowerCase();
    if (REPLICATION_COMMANDS.includes(command)) return { reason: 'replication', explanation: `a replication thread (${s.command})` };
    if (SYSTEM_COMMANDS.includes(command)) return { reason: 'system-thread', explanation: `a server thread (${s.command})` };
    const user = byUser(s.user);
    if (user) return user;
    const hit = protectedHost(s.host, hostPart(s.host));
    if (hit !== undefined) return { reason: 'protected-host', explanation: `connected from protected host ${hit}` };
    return undefined;
  };
}

/** Why a session must never be killed, or undefined if it may be. */
export function protectionOf(s: Session, instance: Pick<InstanceConfig, 'protectedUsers' | 'protectedHosts'>, dasUsername: string | undefined): Protection | undefined {
  return protectionCheck(instance, dasUsername)(s);
}

/** When the session's current command started, in ms since epoch, estimated from a listing. */
export function commandStartMs(s: Pick<Session, 'time'>, listedAtMs: number): number {
  return listedAtMs - Math.max(0, s.time) * 1000;
}

export const DEFAULT_START_TOLERANCE_MS = 3000;

/**
 * Same session? A session is its connection: the same id, user, host *with its port* and database. A
 * newer statement on that connection (a busy session looping short queries) is still the same session,
 * so the command start may move forward freely. Time only rules out what cannot be the connection the
 * preview saw: a command that started before the one it saw (beyond the tolerance: PROCESSLIST time has
 * whole-second resolution, and the two listings are taken at different moments). A newer connection that
 * reused the thread id comes from another client port.
 */
export function sameIdentity(
  frozen: { session: Pick<Session, 'id' | 'user' | 'host' | 'database'>; commandStartMs: number },
  current: Pick<Session, 'id' | 'user' | 'host' | 'database' | 'time'>,
  currentListedAtMs: number,
  toleranceMs = DEFAULT_START_TOLERANCE_MS,
): boolean {
  return (
    frozen.session.id === current.id &&
    frozen.session.user === current.user &&
    frozen.session.host === current.host &&
    frozen.session.database === current.database &&
    commandStartMs(current, currentListedAtMs) >= frozen.commandStartMs - toleranceMs
  );
}
