// An in-memory DasPort for tests that need no MariaDB: sessions are plain objects; every call is recorded.
import { PROCESSES_PAGE_SIZE, type DasInnodbLocks, type DasMetadataLocks, type DasProcess, type DeleteProcessParams, type ListingOptions, type ListProcessesParams, type ProcessPage } from '@quell/das-client/types';
import type { SqlLimitRule, SqlLimitRuleInput } from '@quell/das-client/sql-limit';
import type { InstanceConfig } from '../src/config.ts';
import type { DasPort } from '../src/das/port.ts';

/** An inventory instance for apps built on a FakeDas (nothing listens at its endpoint). */
export const FAKE_INSTANCE: InstanceConfig = {
  id: 'unit',
  name: 'unit-db',
  environment: 'test',
  endpoint: 'http://127.0.0.1:9',
  projectId: '0123456789abcdef0123456789abcdef',
  instanceId: 'da304cd5bbb944de828759bc7be3d3fein01',
  dbUserId: '2c250598-1e3c-4d31-bc19-be1d866247e6',
  protectedUsers: [],
  protectedHosts: [],
  blastRadiusCap: 20,
};

export class FakeDas implements DasPort {
  sessions: DasProcess[] = [];
  calls: string[] = [];
  /** Each page a listing took (its offset and the ids it showed) and each kill (the ids sent), in order. */
  events: Array<{ page: number; ids: number[] } | { kill: number[] }> = [];
  /** The options of each listing, in order. */
  listingOptions: Array<ListingOptions | undefined> = [];
  /** What the lock views answer (empty unless a test sets them). */
  innodbLocks: DasInnodbLocks = { innodbTrx: [], innodbLockWaits: [], count: 0 };
  metadataLocks: DasMetadataLocks = { metadataLocks: [], count: 0 };
  /** Sessions the next listing(s) leave out although they are there (id → how many listings), as DAS's offset paging does when sessions listed before them end between two page requests. */
  skippedByPaging = new Map<number, number>();
  users = [{ dbUserId: '2c250598-1e3c-4d31-bc19-be1d866247e6', dbUsername: 'quell_das' }];
  #seq = 0;

  add(over: Partial<DasProcess>): DasProcess {
    const s: DasProcess = { id: 1000 + this.#seq++, user: 'app', host: 'localhost:4000', database: 'shop', command: 'Sleep', time: 5, state: '', sql: '', trxExecutedTime: 0, ...over };
    this.sessions.push(s);
    return s;
  }
  async listProcesses(p: ListProcessesParams, options?: ListingOptions) {
    this.calls.push('ListProcesses');
    this.listingOptions.push(options);
    const skipped = new Set<number>();
    for (const [id, left] of this.skippedByPaging) {
      skipped.add(id);
      if (left <= 1) this.skippedByPaging.delete(id);
      else this.skippedByPaging.set(id, left - 1);
    }
    return this.sessions.filter((s) => !skipped.has(s.id) && (p.user === undefined || s.user === p.user) && (p.database === undefined || s.database === p.database)).map((s) => ({ ...s }));
  }
  /**
   * The listing (through listProcesses, so a test replacing that one replaces both) in pages of 100 by
   * offset, as DAS pages: each page is cut when it is asked for, from the listed sessions still there then,
   * so a session killed meanwhile shifts the later ones down. In the order asked for (see ListingOptions).
   */
  async *listProcessPages(p: ListProcessesParams, options?: ListingOptions): AsyncGenerator<ProcessPage> {
    const listed = await this.listProcesses(p, options);
    const page = (offset: number): ProcessPage => {
      const there = new Set(this.sessions.map((s) => s.id));
      const now = listed.filter((s) => there.has(s.id));
      const processes = now.slice(offset, offset + PROCESSES_PAGE_SIZE);
      this.events.push({ page: offset, ids: processes.map((s) => s.id) });
      return { offset, processes, count: now.length };
    };
    const first = page(0);
    yield first;
    if (first.count! <= PROCESSES_PAGE_SIZE) return;
    if (options?.order === 'descending') {
      for (let offset = Math.floor((first.count! - 1) / PROCESSES_PAGE_SIZE) * PROCESSES_PAGE_SIZE; offset > 0; offset -= PROCESSES_PAGE_SIZE) yield page(offset);
      return;
    }
    for (let offset = PROCESSES_PAGE_SIZE; ; offset += PROCESSES_PAGE_SIZE) {
      const next = page(offset);
      yield next;
      if (offset + PROCESSES_PAGE_SIZE >= next.count!) return;
    }
  }
  async deleteProcess(p: DeleteProcessParams) {
    this.calls.push('DeleteProcess');
    this.events.push({ kill: [...(p.processIds ?? [])] });
    const ids = new Set(p.processIds ?? []);
    this.sessions = this.sessions.filter((s) => !(ids.has(s.id) || (p.processIds === undefined && (p.user === undefined || s.user === p.user) && (p.database === undefined || s.database === p.database))));
    return { requestId: `req${this.calls.length}` };
  }
  async registerDbUser(_i: string, dbUsername: string) {
    this.calls.push('RegisterDbUser');
    const id = crypto.randomUUID();
    this.users.push({ dbUserId: id, dbUsername });
    return id;
  }
  async listDbUsers() {
    this.calls.push('ListDbUsers');
    return this.users;
  }
  async deleteDbUser(_i: string, id: string) {
    this.calls.push('DeleteDbUser');
    this.users = this.users.filter((u) => u.dbUserId !== id);
  }
  async listInnodbLocks() {
    this.calls.push('ListInnodbLocks');
    return structuredClone(this.innodbLocks);
  }
  async listMetadataLocks() {
    this.calls.push('ListMetadataLocks');
    return structuredClone(this.metadataLocks);
  }

  // SQL limit: a switch whose jobs complete at once (or fail with `failSwitchJob`), rules newest first.
  switchOn = false;
  failSwitchJob: string | undefined;
  rules: SqlLimitRule[] = [];
  #jobs = new Map<string, { status: 'COMPLETED' | 'FAILED'; failReason: string }>();
  async showSqlLimitSwitchStatus() {
    this.calls.push('ShowSqlLimitSwitchStatus');
    return this.switchOn ? ('ON' as const) : ('OFF' as const);
  }
  async changeSqlLimitSwitchStatus(p: { status: 'ON' | 'OFF' }) {
    this.calls.push('ChangeSqlLimitSwitchStatus');
    const jobId = String(this.#jobs.size + 1);
    if (this.failSwitchJob !== undefined) this.#jobs.set(jobId, { status: 'FAILED', failReason: this.failSwitchJob });
    else {
      this.#jobs.set(jobId, { status: 'COMPLETED', failReason: '' });
      this.switchOn = p.status === 'ON';
    }
    return { jobId, requestId: `req${this.calls.length}` };
  }
  async showSqlLimitJobInfo(p: { jobId: string }) {
    this.calls.push('ShowSqlLimitJobInfo');
    return { jobId: p.jobId, ...this.#jobs.get(p.jobId)! };
  }
  async createSqlLimitRules(p: { rules: SqlLimitRuleInput[] }) {
    this.calls.push('CreateSqlLimitRules');
    for (const r of p.rules) this.rules.unshift({ id: String(++this.#seq), sqlType: r.sqlType, pattern: r.pattern, maxConcurrency: r.maxConcurrency });
    return { requestId: `req${this.calls.length}` };
  }
  async listSqlLimitRules() {
    this.calls.push('ListSqlLimitRules');
    return this.rules.map((r) => ({ ...r }));
  }
  async deleteSqlLimitRules(p: { ruleIds: string[] }) {
    this.calls.push('DeleteSqlLimitRules');
    this.rules = this.rules.filter((r) => !p.ruleIds.includes(r.id));
    return { requestId: `req${this.calls.length}` };
  }
  async parseSqlLimitRules(p: { originalSql: string }) {
    this.calls.push('ParseSqlLimitRules');
    return p.originalSql.split(/\s+/).filter((w) => w !== '*').join('~');
  }
}
