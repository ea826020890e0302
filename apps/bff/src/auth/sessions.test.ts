// SessionManager's short cache of login sessions: the store is read at most once a second per session,
// and a revocation is never served from the cache longer than that.
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStores } from '../stores/sqlite.ts';
import type { LoginSessionStore } from '../stores/types.ts';
import type { StoredUser } from './users-file.ts';
import { SESSION_CACHE_MS, SessionManager } from './sessions.ts';

const IDLE_MS = 30 * 60_000;
const T0 = Date.parse('2026-12-01T10:00:00Z');

function setup() {
  const stores = openSqliteStores(':memory:');
  const calls = { get: 0, touch: 0 };
  const store: LoginSessionStore = {
    ...stores.loginSessions,
    get: (idHash) => (calls.get++, stores.loginSessions.get(idHash)),
    touch: (idHash, at) => (calls.touch++, stores.loginSessions.touch(idHash, at)),
  };
  const user: StoredUser = { username: 'pat', role: 'operator', passwordHash: 'unused', disabled: false, createdAt: new Date(T0 - 1000).toISOString(), updatedAt: new Date(T0 - 1000).toISOString() };
  let now = T0;
  const sessions = new SessionManager({ store, users: { find: async (u) => (u === user.username ? user : undefined) }, secret: 'a test secret of some length', idleMs: IDLE_MS, now: () => new Date(now) });
  return {
    stores,
    store: stores.loginSessions,
    calls,
    user,
    sessions,
    at: (t: number) => {
      now = t;
    },
  };
}

let opened: ReturnType<typeof setup> | undefined;
afterEach(async () => {
  await opened?.stores.close();
  opened = undefined;
});

describe('login session cache', () => {
  it('reads a session from the store once a second at most, whatever the number of requests', async () => {
    const t = (opened = setup());
    const { cookieValue } = await t.sessions.create('pat');
    for (const dt of [0, 10, 500, SESSION_CACHE_MS - 1]) {
      t.at(T0 + dt);
      expect((await t.sessions.resolve(cookieValue))?.username).toBe('pat');
    }
    expect(t.calls.get).toBe(1);
    t.at(T0 + SESSION_CACHE_MS);
    expect((await t.sessions.resolve(cookieValue))?.username).toBe('pat');
    expect(t.calls.get).toBe(2);
  });

  it('a logout through this process ends the session at once, cached or not', async () => {
    const t = (opened = setup());
    const { cookieValue } = await t.sessions.create('pat');
    const auth = await t.sessions.resolve(cookieValue);
    await t.sessions.destroy(auth!.idHash);
    expect(await t.sessions.resolve(cookieValue)).toBeUndefined();
    expect(await t.store.get(auth!.idHash)).toBeUndefined();
  });

  it('a session ended in the store by another replica is refused within a second', async () => {
    const t = (opened = setup());
    const { cookieValue } = await t.sessions.create('pat');
    const auth = await t.sessions.resolve(cookieValue);
    await t.store.destroy(auth!.idHash); // what a logout through another replica does to the shared store
    t.at(T0 + SESSION_CACHE_MS);
    expect(await t.sessions.resolve(cookieValue)).toBeUndefined();
  });

  it('an account change ends a cached session on the very next request', async () => {
    const t = (opened = setup());
    const disabled = await t.sessions.create('pat');
    const changed = await t.sessions.create('pat');
    expect(await t.sessions.resolve(disabled.cookieValue)).toBeDefined();
    expect(await t.sessions.resolve(changed.cookieValue)).toBeDefined();
    t.user.role = 'viewer';
    t.user.sessionsValidFrom = new Date(T0 + 1).toISOString(); // what `users role` writes
    t.at(T0 + 1);
    expect(await t.sessions.resolve(changed.cookieValue)).toBeUndefined();
    t.user.disabled = true;
    expect(await t.sessions.resolve(disabled.cookieValue)).toBeUndefined();
  });

  it('a cached session that looks idle is read again: another replica may have kept it alive', async () => {
    const t = (opened = setup());
    const { cookieValue } = await t.sessions.create('pat');
    // Background requests do not touch: the cached copy keeps last-seen = T0.
    t.at(T0 + IDLE_MS - 200);
    const auth = await t.sessions.resolve(cookieValue, { background: true });
    await t.store.touch(auth!.idHash, T0 + IDLE_MS - 100); // the operator's request on another replica
    t.at(T0 + IDLE_MS + 100); // within a second of the read, past the idle limit for the cached copy
    expect((await t.sessions.resolve(cookieValue, { background: true }))?.username).toBe('pat');
    expect(await t.store.get(auth!.idHash)).toBeDefined();
  });

  it('an idle session is still ended, from the cache or the store', async () => {
    const t = (opened = setup());
    const { cookieValue } = await t.sessions.create('pat');
    const auth = await t.sessions.resolve(cookieValue, { background: true });
    t.at(T0 + IDLE_MS + 1);
    expect(await t.sessions.resolve(cookieValue)).toBeUndefined();
    expect(await t.store.get(auth!.idHash)).toBeUndefined();
  });

  it('touches the store once per touch interval, not on every cached request', async () => {
    const t = (opened = setup());
    const { cookieValue } = await t.sessions.create('pat');
    for (let dt = 16_000; dt < 17_000; dt += 100) {
      t.at(T0 + dt);
      expect(await t.sessions.resolve(cookieValue)).toBeDefined();
    }
    expect(t.calls.touch).toBe(1);
    expect((await t.store.get((await t.sessions.resolve(cookieValue))!.idHash))?.lastSeenAt).toBe(T0 + 16_000);
  });
});
