// What bench/lib/load-worker.ts is asked to do and what it answers.
export type LoadMode = 'bff-list' | 'direct-list' | 'floor-list' | 'bff-kill' | 'direct-kill';

export interface LoadSpec {
  mode: LoadMode;
  seconds: number;
  warmupSeconds: number;
  concurrency: number;
  /** Kill modes: sessions each client opens before the clock starts (one is killed per operation). */
  sessionsPerClient?: number;
  /** Sessions of this MariaDB user are listed (list modes) or opened and killed (kill modes). */
  user: string;
  bff: { url: string; username: string; password: string; instanceId: string };
  das: { endpoint: string; projectId: string; ak: string; sk: string; dasInstanceId: string; dbUserId: string };
  mysql: { host: string; port: number; password: string; database: string };
  /** floor-list: the URL of bench/lib/bare-hop.ts's server. */
  floorUrl?: string;
}

export interface LoadResult {
  mode: LoadMode;
  ops: number;
  errors: number;
  firstError?: string;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  /** Ops that stopped early because a client ran out of pre-opened sessions. */
  exhausted: number;
}

export const LOAD_PREFIX = 'LOAD_RESULT ';

