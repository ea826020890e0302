// Login sessions: a random cookie value; the store keeps only its keyed hash, the username and a CSRF token.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '@quell/contracts/common';
import { SESSION_COOKIE } from '@quell/contracts/routes';
import type { LoginSession, LoginSessionStore } from '../stores/types.ts';
import { sessionEndedByAccountChange, type UserDirectory } from './users-file.ts';

export interface AuthContext {
  username: string;
  role: Role;
  csrfToken: string;
  idHash: string;
  /** The identity provider's name for the user (identity-provider sign-ins only). */
  displayName?: string;
}

/** A sign-in through the identity provider: no local account, the role its groups gave. */
export interface ExternalIdentity {
  role: Role;
  displayName: string;
}

export interface SessionManagerOptions {
  store: LoginSessionStore;
  users: UserDirectory;
  secret: string;
  idleMs: number;
  /** Hard limit regardless of activity. */
  absoluteMs?: number;
  now: () => Date;
}

/**
 * The session cookie's name. A Secure cookie is named __Host-…: browsers then refuse it unless it was
 * set by this very host, Secure, Path=/ and without Domain, so a sibling subdomain cannot plant one.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

/** Writes to last_seen_at at most this often. */
const TOUCH_EVERY_MS = 15_000;

/**
 * How long a login session read from the store answers this process's requests without another read.
 * The store stays the truth: a logout through this process forgets the session at once; one through
 * another replica (a shared Redis store) is seen here within this time; account changes are checked on
 * every request against the user directory, not cached here.
 */
export const SESSION_CACHE_MS = 1_000;

export class SessionManager {
  readonly #o: Required<SessionManagerOptions>;
  /** idHash → the stored session and when it was read (oldest first: Map order is insertion order). */
  readonly #cache = new Map<string, { session: LoginSession; readAt: number }>();
  constructor(options: SessionManagerOptions) {
    this.#o = { absoluteMs: 12 * 60 * 60_000, ...options };
  }

  get idleMs(): number {
    return this.#o.idleMs;
  }

  hashId(cookieValue: string): string {
    return createHmac('sha256', this.#o.secret).update(`session\n${cookieValue}`).digest('hex');
  }

  async create(username: string, external?: ExternalIdentity): Promise<{ cookieValue: string; csrfToken: string }> {
    const cookieValue = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const now = this.#o.now().getTime();
    const s: LoginSession = {
      idHash: this.hashId(cookieValue),
      username,
      csrfToken,
      createdAt: now,
      lastSeenAt: now,
      ...(external ? { role: external.role, displayName: external.displayName } : {}),
    };
    await this.#o.store.create(s);
    return { cookieValue, csrfToken };
  }

  /**
   * The live session behind a cookie value, or undefined (unknown, idle too long, user gone or disabled,
   * or opened before the user's password, role or status last changed).
   * Only the operator's own activity keeps it alive: a request the browser made on its own (an open tab
   * refreshing a list, `background`) is authenticated but does not reset the idle clock.
   */
  async resolve(cookieValue: string, opts: { background?: boolean } = {}): Promise<AuthContext | undefined> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(cookieValue)) return undefined;
    const idHash = this.hashId(cookieValue);
    const now = this.#o.now().getTime();
    const s = await this.#read(idHash, now);
    if (!s) return undefined;
    if (this.#expired(s, now)) {
      await this.destroy(idHash);
      return undefined;
    }
    // An identity-provider session carries its role (re-read from the groups at every sign-in).
    if (s.role) {
      if (!opts.background && now - s.lastSeenAt > TOUCH_EVERY_MS) await this.#touch(idHash, s, now);
      return { username: s.username, role: s.role, csrfToken: s.csrfToken, idHash, ...(s.displayName ? { displayName: s.displayName } : {}) };
    }
    const user = await this.#o.users.find(s.username);
    if (!user || user.disabled || sessionEndedByAccountChange(user, s.createdAt)) {
      await this.destroy(idHash);
      return undefined;
    }
    if (!opts.background && now - s.lastSeenAt > TOUCH_EVERY_MS) await this.#touch(idHash, s, now);
    return { username: user.username, role: user.role, csrfToken: s.csrfToken, idHash };
  }

  async destroy(idHash: string): Promise<void> {
    this.#cache.delete(idHash);
    await this.#o.store.destroy(idHash);
  }

  #expired(s: LoginSession, now: number): boolean {
    return now - s.lastSeenAt > this.#o.idleMs || now - s.createdAt > this.#o.absoluteMs;
  }

  /**
   * The session from the cache when read less than SESSION_CACHE_MS ago, else from the store. A cached
   * session that looks expired is read again: another replica may have touched it since.
   */
  async #read(idHash: string, now: number): Promise<LoginSession | undefined> {
    const hit = this.#cache.get(idHash);
    if (hit && now >= hit.readAt && now - hit.readAt < SESSION_CACHE_MS && !this.#expired(hit.session, now)) return hit.session;
    this.#cache.delete(idHash);
    const s = await this.#o.store.get(idHash);
    if (!s) return undefined;
    // Entries are in reading order: drop the outdated ones from the front, so the map holds about one second of sessions.
    for (const [key, entry] of this.#cache) {
      if (now >= entry.readAt && now - entry.readAt < SESSION_CACHE_MS) break;
      this.#cache.delete(key);
    }
    this.#cache.set(idHash, { session: s, readAt: now });
    return s;
  }

  async #touch(idHash: string, s: LoginSession, now: number): Promise<void> {
    await this.#o.store.touch(idHash, now);
    // The cached copy is this process's own: it carries the new last-seen time too.
    s.lastSeenAt = now;
  }

  async purgeIdle(): Promise<number> {
    return this.#o.store.purgeIdle(this.#o.now().getTime() - this.#o.idleMs);
  }
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Minimal Cookie header parser (no dependency): name → first value. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
