/** A session as Quell uses it: DAS's all-string Process, with numbers where numbers belong. */
export interface DasProcess {
  id: number;
  user: string;
  host: string;
  database: string;
  command: string;
  time: number;
  state: string;
  sql: string;
  trxExecutedTime: number;
}

export interface ListProcessesParams {
  instanceId: string;
  dbUserId: string;
  user?: string;
  database?: string;
  nodeId?: string;
  /** At most this many sessions (1-100): one page of that size, no paging. */
  limit?: number;
}

export interface DeleteProcessParams {
  instanceId: string;
  dbUserId: string;
  processIds?: number[];
  user?: string;
  database?: string;
}

export interface DbUserRecord {
  dbUserId: string;
  dbUsername: string;
}

export interface ListDbUsersFilter {
  dbUserId?: string;
  dbUsername?: string;
}

/** What the client reports after every HTTP attempt (for metrics and logs; holds no secrets). */
export interface DasAttemptEvent {
  operation: string;
  method: string;
  /** 1-based attempt number within the call. */
  attempt: number;
  /** 0 when no response arrived. */
  httpStatus: number;
  outcome: 'ok' | 'error';
  kind?: 'gateway' | 'das' | 'network' | 'timeout' | 'invalid-response';
  errorCode?: string;
  requestId?: string;
  durationMs: number;
  /** What happens next: 'retry' (after a backoff), 'resign' (clock-skew correction), or 'none'. */
  next: 'retry' | 'resign' | 'none';
}
