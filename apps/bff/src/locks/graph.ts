// The lock graph of an instance, from DAS's two lock views and whatever session listing the BFF has:
// who waits behind whom (row or metadata lock, which table, how long), how many each session blocks
// directly and through chains, the root blockers, and every open transaction. Pure: no I/O, no clock.
import type { DasInnodbLocks, DasInnodbTrx, DasMetadataLock, DasMetadataLocks, DasProcess } from '@quell/das-client/types';
import type { LockKind, LockSession, LockWait, OpenTransaction } from '@quell/contracts/locks';
import type { Session } from '@quell/contracts/sessions';

export interface LockGraphInput {
  innodb: DasInnodbLocks;
  metadata: DasMetadataLocks;
  /** Sessions listed by user/database, if any: they fill in what the lock views do not say. */
  sessions?: readonly Session[];
}

export interface LockGraph {
  /** Every session that waits or blocks: roots first, then by how many they block, then by id. */
  sessions: LockSession[];
  /** Root blockers, most blocking first. */
  roots: number[];
  /** Open transactions, oldest first. */
  transactions: OpenTransaction[];
}

type Known = Partial<Pick<Session, 'user' | 'host' | 'database' | 'command' | 'state' | 'sql' | 'time' | 'trxExecutedTime'>>;

/** "`shop`.`orders`" → "shop.orders" (doubled backticks undone); other spellings as they are. */
export function tableName(lockTable: string): string {
  const m = /^`((?:[^`]|``)*)`\.`((?:[^`]|``)*)`$/.exec(lockTable);
  return m ? `${m[1]!.replace(/``/g, '`')}.${m[2]!.replace(/``/g, '`')}` : lockTable;
}

/** "YYYY-MM-DD HH:MM:SS" read as if UTC: only differences between such values mean anything. */
function serverClockMs(text: string | null): number | undefined {
  const m = text === null ? null : /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)/.exec(text);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

/** What every source says about each session: a listing first, then the metadata-lock view's processlist columns. */
function knownSessions(input: LockGraphInput): Map<number, Known> {
  const known = new Map<number, Known>();
  const add = (id: number, k: Known) => {
    const have = known.get(id);
    if (!have) known.set(id, { ...k });
    else for (const [key, v] of Object.entries(k)) if (have[key as keyof Known] === undefined) (have as Record<string, unknown>)[key] = v;
  };
  for (const s of input.sessions ?? []) add(s.id, s);
  const fromProcess = (p: DasProcess): Known => ({ user: p.user, host: p.host, database: p.database, command: p.command, state: p.state, sql: p.sql, time: p.time, trxExecutedTime: p.trxExecutedTime });
  for (const m of input.metadata.metadataLocks) {
    add(m.threadId, { user: m.user, host: m.host, database: m.database, command: m.command, state: m.state, sql: m.sql, time: m.time, trxExecutedTime: m.trxExecTime });
    for (const p of [...m.blockProcess, ...m.waitProcess]) add(p.id, fromProcess(p));
  }
  return known;
}

/**
 * The server's "now" on the clock of its trx_started values: a transaction's start plus its age (which
 * the metadata-lock view or a listing gives in seconds). Unknown when no transaction has both.
 */
function serverNowMs(trx: readonly DasInnodbTrx[], known: Map<number, Known>): number | undefined {
  let now: number | undefined;
  for (const t of trx) {
    const started = serverClockMs(t.trxStarted);
    const age = known.get(t.trxMysqlThreadId)?.trxExecutedTime;
    if (started === undefined || age === undefined || age <= 0) continue;
    const candidate = started + age * 1000;
    if (now === undefined || candidate > now) now = candidate;
  }
  return now;
}

interface RawEdge extends LockWait {
  waiterId: number;
}

function addEdge(edges: Map<number, Map<number, RawEdge>>, e: RawEdge): void {
  let byBlocker = edges.get(e.waiterId);
  if (!byBlocker) edges.set(e.waiterId, (byBlocker = new Map()));
  const have = byBlocker.get(e.blockerId);
  // A holder relation outweighs a queue relation between the same two sessions.
  if (!have) byBlocker.set(e.blockerId, e);
  else if (have.queued && !e.queued) byBlocker.set(e.blockerId, e);
}

function rowLockEdges(innodb: DasInnodbLocks, known: Map<number, Known>, now: number | undefined, edges: Map<number, Map<number, RawEdge>>): void {
  const trxById = new Map(innodb.innodbTrx.map((t) => [t.trxId, t]));
  for (const w of innodb.innodbLockWaits) {
    const waiter = trxById.get(w.requestingTrxId);
    const blocker = trxById.get(w.blockingTrxId);
    if (!waiter || !blocker || waiter.trxMysqlThreadId === blocker.trxMysqlThreadId) continue;
    const lock = waiter.innodbWaitLocks.find((l) => l.lockId === w.requestedLockId) ?? waiter.innodbWaitLocks[0];
    const waitStarted = serverClockMs(waiter.trxWaitStarted);
    const waitSeconds = now !== undefined && waitStarted !== undefined ? Math.max(0, Math.round((now - waitStarted) / 1000)) : (known.get(waiter.trxMysqlThreadId)?.time ?? null);
    addEdge(edges, {
      waiterId: waiter.trxMysqlThreadId,
      blockerId: blocker.trxMysqlThreadId,
      kind: 'row',
      table: lock ? tableName(lock.lockTable) : '',
      index: lock?.lockIndex ?? null,
      mode: lock?.lockMode ?? '',
      waitSeconds,
      // InnoDB also names the waiters ahead in a lock's queue: their blocking lock is one they still wait for.
      queued: blocker.innodbWaitLocks.some((l) => l.lockId === w.blockingLockId),
    });
  }
}

const objectKey = (m: Pick<DasMetadataLock, 'lockType' | 'tableSchema' | 'tableName'>) => `${m.lockType}\n${m.tableSchema}\n${m.tableName}`;
const mdlTable = (m: DasMetadataLock) => (m.tableName === '' ? m.tableSchema : m.tableSchema === '' ? m.tableName : `${m.tableSchema}.${m.tableName}`);

function metadataLockEdges(metadata: DasMetadataLocks, edges: Map<number, Map<number, RawEdge>>): void {
  const pending = metadata.metadataLocks.filter((m) => m.lockStatus === 'PENDING');
  const pendingOn = new Set(pending.map((m) => `${m.threadId}\n${objectKey(m)}`));
  const edge = (m: DasMetadataLock, waiterId: number, blockerId: number) => {
    if (waiterId === blockerId) return;
    addEdge(edges, {
      waiterId,
      blockerId,
      kind: 'metadata' as LockKind,
      table: mdlTable(m),
      index: null,
      mode: m.lockMode,
      waitSeconds: m.time,
      // A SELECT behind a pending ALTER is also "blocked" by what the ALTER waits for: it queues behind the ALTER.
      queued: pendingOn.has(`${blockerId}\n${objectKey(m)}`),
    });
  };
  for (const m of pending) for (const p of m.blockProcess) edge(m, m.threadId, p.id);
  // The reverse lists, for a view that fills only those: the waiter's own pending row gives the details.
  const pendingOf = new Map(pending.map((m) => [m.threadId, m]));
  for (const m of metadata.metadataLocks) {
    if (m.lockStatus !== 'GRANTED') continue;
    for (const p of m.waitProcess) {
      const own = pendingOf.get(p.id);
      if (!own || objectKey(own) !== objectKey(m)) continue;
      if (!edges.get(p.id)?.has(m.threadId)) edge(own, p.id, m.threadId);
    }
  }
}

/**
 * The blockers a waiter waits behind directly: one queued behind another waiter hides what that waiter
 * itself waits for (it is reached through it), so roots stay the holders and counts are not doubled.
 */
function directEdges(edges: Map<number, Map<number, RawEdge>>): Map<number, RawEdge[]> {
  const direct = new Map<number, RawEdge[]>();
  for (const [waiterId, byBlocker] of edges) {
    const all = [...byBlocker.values()];
    const hidden = new Set<number>();
    for (const e of all) if (e.queued) for (const behind of edges.get(e.blockerId)?.keys() ?? []) hidden.add(behind);
    const kept = all.filter((e) => !hidden.has(e.blockerId));
    direct.set(waiterId, (kept.length > 0 ? kept : all).sort((a, b) => a.blockerId - b.blockerId));
  }
  return direct;
}

/** Whose transaction it is: the user and database of its session, where a source shows that session. */
function ownerOf(k: Known | undefined): Pick<OpenTransaction, 'user' | 'database'> {
  return { ...(k?.user !== undefined ? { user: k.user } : {}), ...(k?.database !== undefined ? { database: k.database } : {}) };
}

function transactionsOf(input: LockGraphInput, known: Map<number, Known>, now: number | undefined): Map<number, OpenTransaction> {
  const out = new Map<number, OpenTransaction>();
  for (const t of input.innodb.innodbTrx) {
    const k = known.get(t.trxMysqlThreadId);
    const started = serverClockMs(t.trxStarted);
    const age = k?.trxExecutedTime !== undefined && k.trxExecutedTime > 0 ? k.trxExecutedTime : now !== undefined && started !== undefined ? Math.max(0, Math.round((now - started) / 1000)) : null;
    out.set(t.trxMysqlThreadId, {
      sessionId: t.trxMysqlThreadId,
      trxId: t.trxId,
      state: t.trxState,
      ageSeconds: age,
      rowsLocked: t.trxRowsLocked,
      rowsModified: t.trxRowsModified,
      tablesLocked: t.trxTablesLocked,
      sql: t.trxQuery ?? '',
      ...ownerOf(k),
    });
  }
  // A transaction that only read (no InnoDB lock) still holds its metadata locks: the metadata view shows its age.
  for (const m of input.metadata.metadataLocks) {
    const inTransaction = m.trxExecTime > 0 || (m.lockStatus === 'GRANTED' && m.lockDuration === 'MDL_TRANSACTION');
    if (out.has(m.threadId) || !inTransaction) continue;
    out.set(m.threadId, { sessionId: m.threadId, trxId: null, state: null, ageSeconds: m.trxExecTime, rowsLocked: null, rowsModified: null, tablesLocked: null, sql: m.sql, ...ownerOf(known.get(m.threadId)) });
  }
  return out;
}

export function buildLockGraph(input: LockGraphInput): LockGraph {
  const known = knownSessions(input);
  const now = serverNowMs(input.innodb.innodbTrx, known);
  const raw = new Map<number, Map<number, RawEdge>>();
  rowLockEdges(input.innodb, known, now, raw);
  metadataLockEdges(input.metadata, raw);
  const direct = directEdges(raw);

  const waitersOf = new Map<number, number[]>();
  for (const [waiterId, list] of direct) {
    for (const e of list) {
      let w = waitersOf.get(e.blockerId);
      if (!w) waitersOf.set(e.blockerId, (w = []));
      w.push(waiterId);
    }
  }
  // Transitive counts walk the waiters with a visited set: a cycle ends the walk instead of looping.
  const reach = (from: number): { count: number; cycle: boolean } => {
    const seen = new Set<number>([from]);
    const stack = [...(waitersOf.get(from) ?? [])];
    let cycle = false;
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === from) cycle = true;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const next of waitersOf.get(id) ?? []) stack.push(next);
    }
    return { count: seen.size - 1, cycle };
  };

  const transactions = transactionsOf(input, known, now);
  const ids = new Set<number>([...direct.keys(), ...waitersOf.keys()]);
  const sessions: LockSession[] = [];
  for (const id of ids) {
    const waitsFor = (direct.get(id) ?? []).map(({ waiterId: _w, ...wait }) => wait);
    const blockingDirect = waitersOf.get(id)?.length ?? 0;
    const { count, cycle } = blockingDirect > 0 ? reach(id) : { count: 0, cycle: false };
    const k = known.get(id) ?? {};
    const { trxExecutedTime: _t, ...shown } = k;
    sessions.push({
      id,
      ...shown,
      waitsFor,
      blockingDirect,
      blockingTotal: count,
      root: blockingDirect > 0 && waitsFor.length === 0,
      inCycle: cycle,
      transaction: transactions.get(id) ?? null,
    });
  }
  sessions.sort((a, b) => Number(b.root) - Number(a.root) || b.blockingTotal - a.blockingTotal || a.id - b.id);
  const age = (t: OpenTransaction) => t.ageSeconds ?? -1;
  return {
    sessions,
    roots: sessions.filter((s) => s.root).map((s) => s.id),
    transactions: [...transactions.values()].sort((a, b) => age(b) - age(a) || a.sessionId - b.sessionId),
  };
}

/** Only the chain(s) `sessionId` belongs to: every session connected to it by a wait, either way. */
export function chainOf(graph: LockGraph, sessionId: number): LockGraph {
  const neighbours = new Map<number, number[]>();
  const link = (a: number, b: number) => {
    let n = neighbours.get(a);
    if (!n) neighbours.set(a, (n = []));
    n.push(b);
  };
  for (const s of graph.sessions) {
    for (const w of s.waitsFor) {
      link(s.id, w.blockerId);
      link(w.blockerId, s.id);
    }
  }
  const seen = new Set<number>();
  const stack = neighbours.has(sessionId) ? [sessionId] : [];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(neighbours.get(id) ?? []));
  }
  return {
    sessions: graph.sessions.filter((s) => seen.has(s.id)),
    roots: graph.roots.filter((id) => seen.has(id)),
    transactions: graph.transactions.filter((t) => t.sessionId === sessionId || seen.has(t.sessionId)),
  };
}
