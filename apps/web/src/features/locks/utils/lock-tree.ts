import type { LockSession, LocksResponse, LockWait } from '@quell/contracts/locks';

export interface LockNode {
  session: LockSession;
  /** How this node waits for its parent; null for a root. */
  wait: LockWait | null;
  children: LockNode[];
}

export interface LockChain {
  root: LockNode;
  /** A wait cycle with no root (a deadlock InnoDB has not resolved yet): the tree starts anywhere in it. */
  cycle: boolean;
}

/**
 * Each chain as a tree: root → the sessions waiting directly behind it → theirs. Roots first, by how
 * many they block; sessions caught only in a wait cycle get a chain of their own. A session seen on the
 * path already is not descended into again, so a cycle ends the tree.
 */
export function lockChains(data: Pick<LocksResponse, 'sessions'>): LockChain[] {
  const byId = new Map(data.sessions.map((s) => [s.id, s]));
  const waiters = new Map<number, Array<{ session: LockSession; wait: LockWait }>>();
  for (const s of data.sessions) {
    for (const w of s.waitsFor) {
      let list = waiters.get(w.blockerId);
      if (!list) waiters.set(w.blockerId, (list = []));
      list.push({ session: s, wait: w });
    }
  }
  for (const list of waiters.values()) list.sort((a, b) => b.session.blockingTotal - a.session.blockingTotal || (b.wait.waitSeconds ?? 0) - (a.wait.waitSeconds ?? 0) || a.session.id - b.session.id);
  const placed = new Set<number>();
  const grow = (session: LockSession, wait: LockWait | null, path: ReadonlySet<number>): LockNode => {
    placed.add(session.id);
    const inPath = new Set(path).add(session.id);
    const children = (waiters.get(session.id) ?? []).filter((c) => !inPath.has(c.session.id)).map((c) => grow(c.session, c.wait, inPath));
    return { session, wait, children };
  };
  const roots = data.sessions.filter((s) => s.root).sort((a, b) => b.blockingTotal - a.blockingTotal || a.id - b.id);
  const chains: LockChain[] = roots.map((r) => ({ root: grow(r, null, new Set()), cycle: false }));
  for (const s of [...data.sessions].sort((a, b) => a.id - b.id)) {
    if (placed.has(s.id) || !s.inCycle) continue;
    chains.push({ root: grow(byId.get(s.id)!, null, new Set()), cycle: true });
  }
  return chains;
}

/** For the sessions table: whom each session waits behind (the first blocker) and how many it blocks. */
export interface SessionLockInfo {
  blockedBy: number | null;
  blocking: number;
  root: boolean;
}

export function lockInfoById(data: Pick<LocksResponse, 'sessions'> | undefined): ReadonlyMap<number, SessionLockInfo> {
  const info = new Map<number, SessionLockInfo>();
  for (const s of data?.sessions ?? []) info.set(s.id, { blockedBy: s.waitsFor[0]?.blockerId ?? null, blocking: s.blockingTotal, root: s.root });
  return info;
}
