// Bench-only: a process list of N made-up threads, answered instead of MariaDB's PROCESSLIST when
// DAS_LOCAL_BENCH_SYNTHETIC_PROCESSES=N is set. MariaDB cannot hold 100 000 connections on a test
// machine; this lets a benchmark page through a listing that large to measure the BFF and the DAS
// client, not MariaDB. Each page is made on demand from its offset: nothing holds the whole list.
import type { ProcessFilter, ProcessRow } from './mysql-backend.ts';

export const SYNTHETIC_PROCESSES_ENV = 'DAS_LOCAL_BENCH_SYNTHETIC_PROCESSES';
/** More than DasClient pages through (1 000 pages of 100) would be pointless. */
const MAX_SYNTHETIC = 1_000_000;

/** The N of DAS_LOCAL_BENCH_SYNTHETIC_PROCESSES, undefined when unset; a bad value is an error naming the variable. */
export function syntheticProcessCount(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SYNTHETIC) throw new RangeError(`${SYNTHETIC_PROCESSES_ENV}: must be an integer in 1..${MAX_SYNTHETIC}`);
  return n;
}

const TABLES = ['orders', 'customers', 'payments', 'shipments', 'inventory'];

/** Thread `i` of the made-up list, matching the filter's user and database (every thread matches). */
function syntheticRow(i: number, filter: ProcessFilter): ProcessRow {
  const query = i % 3 !== 0;
  return {
    id: String(1_000_000 + i),
    user: filter.user ?? `app_${i % 7}`,
    host: `10.0.${(i >> 8) % 250}.${i % 250}:${40_000 + (i % 20_000)}`,
    database: filter.database ?? `shop_${i % 5}`,
    command: query ? 'Query' : 'Sleep',
    time: String((i * 7919) % 3600),
    state: query ? (i % 2 ? 'Sending data' : 'Waiting for table metadata lock') : '',
    sql: query ? `SELECT * FROM ${TABLES[i % TABLES.length]} WHERE customer_id = ${i % 5000} AND status = 'open' ORDER BY created_at DESC LIMIT 50` : '',
    trx_executed_time: String(i % 11 === 0 ? (i * 13) % 600 : 0),
  };
}

/** One page of the `count` made-up threads, and `count` itself, as ListProcesses answers it. */
export function syntheticProcessPage(count: number, filter: ProcessFilter, page: { offset: number; limit: number }): { rows: ProcessRow[]; count: number } {
  const rows: ProcessRow[] = [];
  for (let i = page.offset; i < Math.min(count, page.offset + page.limit); i++) rows.push(syntheticRow(i, filter));
  return { rows, count };
}
