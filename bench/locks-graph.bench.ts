// The lock graph at scale: what the BFF does with DAS's two lock views for an instance with 10 000
// sessions and 1 000 InnoDB lock waits (parse and type the answers, build the graph merged with the
// 10 000 listed sessions, serialise the reply), side by side with what it does for a plain listing of
// the same 10 000 sessions (parse, type, serialise), in alternating rounds, in one process.
//
//   pnpm exec tsx bench/locks-graph.bench.ts [rounds]
import os from 'node:os';
import { buildLockGraph } from '@quell/bff/locks/graph';
import { ListInnodbLocksResponse, ListMetadataLocksResponse, ListProcessesResponse, toDasInnodbLocks, toDasMetadataLocks, toDasProcess } from '@quell/das-client/wire';
import { median, percentile, report } from './lib/report.ts';

const ROUNDS = Number(process.argv[2] ?? 30);
const SESSIONS = 10_000;
const TARGET_MS = 50;

// ---- the DAS answers, as JSON text (every value a string, as DAS sends them) ----
const processWire = (id: number) => ({
  id: String(id),
  user: `app_${id % 20}`,
  host: `10.0.${(id >> 8) & 255}.${id & 255}:${40000 + (id % 20000)}`,
  database: `shop_${id % 5}`,
  command: id % 3 === 0 ? 'Sleep' : 'Query',
  time: String(id % 600),
  state: id % 3 === 0 ? '' : 'Sending data',
  sql: id % 3 === 0 ? '' : `SELECT * FROM orders WHERE customer_id = ${id} AND status = 'open'`,
  trx_executed_time: String(id % 7 === 0 ? 30 + (id % 300) : 0),
});
const listingText = JSON.stringify({ processes: Array.from({ length: SESSIONS }, (_, i) => processWire(1000 + i)), count: SESSIONS });

// 100 row-lock queues: one holder and four waiters on one row each. InnoDB names, for each waiter, the
// holder and every waiter ahead of it: 4 + 3 + 2 + 1 = 10 waits a queue, 1 000 in all.
const lock = (trx: string, row: number) => ({
  lock_id: `${trx}:5:3:${row}`,
  lock_trx_id: trx,
  lock_mode: 'X',
  lock_type: 'RECORD',
  lock_table: '`shop_0`.`orders`',
  lock_index: 'PRIMARY',
  lock_space: '5',
  lock_page: '3',
  lock_rec: String(row),
  lock_data: String(row),
});
const trx: object[] = [];
const waits: object[] = [];
for (let q = 0; q < 100; q++) {
  const thread = (k: number) => 1000 + q * 5 + k;
  const trxId = (k: number) => String(900_000 + q * 5 + k);
  for (let k = 0; k < 5; k++) {
    trx.push({
      trx_id: trxId(k),
      trx_state: k === 0 ? 'RUNNING' : 'LOCK WAIT',
      trx_started: '2026-12-01 10:00:00',
      trx_wait_started: k === 0 ? null : `2026-12-01 10:00:${String(10 + k).padStart(2, '0')}`,
      trx_mysql_thread_id: String(thread(k)),
      trx_query: k === 0 ? null : `UPDATE orders SET v = v + 1 WHERE id = ${q}`,
      trx_tables_locked: '1',
      trx_rows_locked: '1',
      trx_rows_modified: k === 0 ? String(q * 10) : '0',
      trx_isolation_level: 'REPEATABLE READ',
      innodb_wait_locks: k === 0 ? [] : [lock(trxId(k), q)],
      innodb_hold_locks: k === 0 ? [lock(trxId(k), q)] : [],
    });
    for (let ahead = 0; ahead < k; ahead++) {
      waits.push({ requesting_trx_id: trxId(k), requested_lock_id: `${trxId(k)}:5:3:${q}`, blocking_trx_id: trxId(ahead), blocking_lock_id: `${trxId(ahead)}:5:3:${q}` });
    }
  }
}
const innodbText = JSON.stringify({ innodb_trx: trx, innodb_lock_waits: waits, count: trx.length });

// Metadata locks: every session in a transaction holds a granted table lock; 20 pile-ups of an ALTER
// behind an idle reader with five SELECTs behind the ALTER.
const mdl: object[] = [];
const mdlRow = (id: number, over: object) => ({ ...processWire(id), thread_id: String(id), lock_status: 'GRANTED', lock_mode: 'MDL_SHARED_READ', lock_type: 'Table metadata lock', lock_duration: 'MDL_TRANSACTION', table_schema: 'shop_0', table_name: 'orders', trx_exec_time: '30', block_process: [], wait_process: [], ...over });
for (let id = 1000; id < 1000 + SESSIONS; id += 7) mdl.push(mdlRow(id, {}));
for (let p = 0; p < 20; p++) {
  const base = 1000 + 600 + p * 7;
  const reader = processWire(base);
  const alter = processWire(base + 1);
  const table = `ddl_${p}`;
  mdl.push(mdlRow(base, { table_name: table, wait_process: [alter] }));
  mdl.push(mdlRow(base + 1, { table_name: table, lock_mode: 'MDL_SHARED_UPGRADABLE', lock_duration: 'MDL_STATEMENT' }));
  mdl.push(mdlRow(base + 1, { table_name: table, lock_status: 'PENDING', lock_mode: 'MDL_EXCLUSIVE', lock_duration: 'MDL_STATEMENT', block_process: [reader] }));
  for (let s = 2; s < 7; s++) mdl.push(mdlRow(base + s, { table_name: table, lock_status: 'PENDING', lock_duration: 'MDL_STATEMENT', block_process: [reader, alter] }));
}
const metadataText = JSON.stringify({ metadata_locks: mdl, count: mdl.length });

// ---- the two pieces of work ----
function plainListing(): number {
  const sessions = (ListProcessesResponse.parse(JSON.parse(listingText)).processes ?? []).map(toDasProcess);
  return JSON.stringify({ instanceId: 'main', sessions, count: sessions.length, fetchedAt: new Date().toISOString() }).length;
}
const listed = (ListProcessesResponse.parse(JSON.parse(listingText)).processes ?? []).map(toDasProcess);
function lockGraph(): number {
  const innodb = toDasInnodbLocks(ListInnodbLocksResponse.parse(JSON.parse(innodbText)));
  const metadata = toDasMetadataLocks(ListMetadataLocksResponse.parse(JSON.parse(metadataText)));
  const graph = buildLockGraph({ innodb, metadata, sessions: listed });
  return JSON.stringify({ instanceId: 'main', ...graph, fetchedAt: new Date().toISOString() }).length;
}

// The graph is right before it is fast: 100 queue roots and 20 idle readers, each blocking what it should.
{
  const innodb = toDasInnodbLocks(ListInnodbLocksResponse.parse(JSON.parse(innodbText)));
  const metadata = toDasMetadataLocks(ListMetadataLocksResponse.parse(JSON.parse(metadataText)));
  const g = buildLockGraph({ innodb, metadata, sessions: listed });
  const byTotal = (n: number) => g.sessions.filter((s) => s.root && s.blockingTotal === n).length;
  if (innodb.innodbLockWaits.length !== 1000 || g.roots.length !== 120 || byTotal(4) !== 100 || byTotal(6) !== 20) {
    throw new Error(`unexpected graph: ${innodb.innodbLockWaits.length} waits, ${g.roots.length} roots, ${byTotal(4)} queue roots, ${byTotal(6)} readers`);
  }
}

// The graph alone, from the typed views (what buildLockGraph adds on top of the client's parsing).
const typedInnodb = toDasInnodbLocks(ListInnodbLocksResponse.parse(JSON.parse(innodbText)));
const typedMetadata = toDasMetadataLocks(ListMetadataLocksResponse.parse(JSON.parse(metadataText)));
const buildOnly = () => buildLockGraph({ innodb: typedInnodb, metadata: typedMetadata, sessions: listed }).sessions.length;

const time = (fn: () => number): number => {
  const start = process.hrtime.bigint();
  sink += fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};
let sink = 0;
for (let i = 0; i < 5; i++) {
  time(plainListing);
  time(lockGraph);
  time(buildOnly);
}

const buildMs: number[] = [];
const graphMs: number[] = [];
const listingMs: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  // Alternate which goes first, so that GC and neighbours hit both alike.
  let g: number;
  let l: number;
  // alternate which goes first, so neither always runs on a warmer heap
  if (r % 2 === 0) {
    g = time(lockGraph);
    l = time(plainListing);
  } else {
    l = time(plainListing);
    g = time(lockGraph);
  }
  graphMs.push(g);
  listingMs.push(l);
  buildMs.push(time(buildOnly));
  ratios.push(g / l);
}

const graphMedian = median(graphMs);
const buildMedian = median(buildMs);
const ratio = median(ratios);
console.log(`locks-graph: ${SESSIONS} sessions, ${waits.length} InnoDB waits, ${mdl.length} metadata-lock rows; ${ROUNDS} alternating rounds, ${os.cpus().length} CPUs, Node ${process.version}`);
console.log(`  graph build   median ${buildMedian.toFixed(1)} ms  p95 ${percentile(buildMs, 95).toFixed(1)} ms  (buildLockGraph from the typed views)`);
console.log(`  lock graph    median ${graphMedian.toFixed(1)} ms  p95 ${percentile(graphMs, 95).toFixed(1)} ms  (parse + type + build + serialise)`);
console.log(`  plain listing median ${median(listingMs).toFixed(1)} ms  p95 ${percentile(listingMs, 95).toFixed(1)} ms`);
console.log(`  ratio ${ratio.toFixed(2)}x  [checksum ${sink % 997}]`);
report({
  name: 'locks-graph',
  question: 'locks',
  ratio: Number(ratio.toFixed(2)),
  target: `graph build ≤ ${TARGET_MS} ms`,
  pass: buildMedian <= TARGET_MS,
  figures: {
    build_ms: Number(buildMedian.toFixed(1)),
    build_p95_ms: Number(percentile(buildMs, 95).toFixed(1)),
    graph_ms: Number(graphMedian.toFixed(1)),
    graph_p95_ms: Number(percentile(graphMs, 95).toFixed(1)),
    listing_ms: Number(median(listingMs).toFixed(1)),
    sessions: SESSIONS,
    innodb_waits: waits.length,
    metadata_rows: mdl.length,
    rounds: ROUNDS,
  },
  note: 'build: buildLockGraph from the typed views; graph: parse + type both lock views, build the graph merged with the 10 000 listed sessions, serialise; vs parse + type + serialise the plain listing of the same sessions',
});
