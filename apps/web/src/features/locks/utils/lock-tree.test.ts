import { describe, expect, it } from 'vitest';
import type { LockSession, LockWait } from '@quell/contracts/locks';
import { lockChains, lockInfoById, type LockNode } from './lock-tree';

const wait = (blockerId: number, over: Partial<LockWait> = {}): LockWait => ({ blockerId, kind: 'row', table: 'shop.orders', index: 'PRIMARY', mode: 'X', waitSeconds: 10, queued: false, ...over });
const s = (id: number, over: Partial<LockSession> = {}): LockSession => ({ id, waitsFor: [], blockingDirect: 0, blockingTotal: 0, root: false, inCycle: false, transaction: null, ...over });
const shape = (n: LockNode): unknown => [n.session.id, n.children.map(shape)];

describe('lockChains', () => {
  it('builds root → waiters trees, roots by how many they block', () => {
    const chains = lockChains({
      sessions: [
        s(1, { root: true, blockingDirect: 1, blockingTotal: 1 }),
        s(2, { waitsFor: [wait(1)] }),
        s(5, { root: true, blockingDirect: 2, blockingTotal: 3 }),
        s(6, { waitsFor: [wait(5)], blockingDirect: 1, blockingTotal: 1 }),
        s(7, { waitsFor: [wait(6, { queued: true })] }),
        s(8, { waitsFor: [wait(5, { kind: 'metadata' })] }),
      ],
    });
    expect(chains.map((c) => shape(c.root))).toEqual([
      [5, [[6, [[7, []]]], [8, []]]],
      [1, [[2, []]]],
    ]);
    expect(chains[0]!.root.children[1]!.wait).toMatchObject({ kind: 'metadata', blockerId: 5 });
    expect(chains.every((c) => !c.cycle)).toBe(true);
  });

  it('gives a wait cycle a chain of its own and stops where it closes', () => {
    const chains = lockChains({ sessions: [s(3, { waitsFor: [wait(4)], inCycle: true }), s(4, { waitsFor: [wait(3)], inCycle: true })] });
    expect(chains).toHaveLength(1);
    expect(chains[0]!.cycle).toBe(true);
    expect(shape(chains[0]!.root)).toEqual([3, [[4, []]]]);
  });
});

describe('lockInfoById', () => {
  it('names the first blocker and the transitive count', () => {
    const info = lockInfoById({ sessions: [s(1, { root: true, blockingTotal: 2 }), s(2, { waitsFor: [wait(1)] })] });
    expect(info.get(1)).toEqual({ blockedBy: null, blocking: 2, root: true });
    expect(info.get(2)).toEqual({ blockedBy: 1, blocking: 0, root: false });
    expect(lockInfoById(undefined).size).toBe(0);
  });
});
