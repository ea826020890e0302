// An in-memory DasPort for tests that need no MariaDB: sessions are plain objects; every call is recorded.
import type { DasInnodbLocks, DasMetadataLocks, DasProcess, DeleteProcessParams, ListProcessesParams } from '@quell/das-client/types';
import type { DasPort } from '../src/das/port.ts';

export class FakeDas implements DasPort {
  sessions: DasProcess[] = [];
  calls: string[] = [];
  /** What the lock views answer (empty unless a test sets them). */
  innodbLocks: DasInnodbLocks = { innodbTrx: [], innodbLockWaits: [], count: 0 };
  metadataLocks: DasMetadataLocks = { metadataLocks: [], count: 0 };
  users = [{ dbUserId: '2c250598-1e3c-4d31-bc19-be1d866247e6', dbUsername: 'quell_das' }];
  #seq = 0;

  add(over: Partial<DasProcess>): DasProcess {
    const s: DasProcess = { id: 1000 + this.#seq++, user: 'app', host: 'localhost:4000', database: 'shop', command: 'Sleep', time: 5, state: '', sql: '', trxExecutedTime: 0, ...over };
    this.sessions.push(s);
    return s;
  }
  async listProcesses(p: ListProcessesParams) {
    this.calls.push('ListProcesses');
    return this.sessions.filter((s) => (p.user === undefined || s.user === p.user) && (p.database === undefined || s.database === p.database)).map((s) => ({ ...s }));
  }
  async deleteProcess(p: DeleteProcessParams) {
    this.calls.push('DeleteProcess');
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
}
