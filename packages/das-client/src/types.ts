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
