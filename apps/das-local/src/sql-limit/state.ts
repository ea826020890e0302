// One instance's SQL limit state (DAS-INCIDENT-API.md §4.10 "control-plane emulation"): the switch
// and its jobs, the rules with increasing string ids, and the in-flight counter of each rule that
// the enforcement (the proxy) admits statements against.
import { SQL_LIMIT, type SqlLimitSqlType } from '@quell/das-client/sql-limit-pattern';
import { governingRule, keywordsOf, type MatchOptions, type SessionContext } from '@quell/das-client/sql-limit-matcher';

export interface SqlLimitOptions extends MatchOptions {
  /** How long a switch job stays RUNNING before it completes (default 1 000 ms). */
  jobDelayMs?: number;
  /** While a switch job runs, ShowSqlLimitSwitchStatus says `Switching` (default: the old status). */
  reportSwitching?: boolean;
}

export interface StoredRule {
  id: string;
  sqlType: SqlLimitSqlType;
  pattern: string;
  keywords: string[];
  maxConcurrency: number;
  maxWaiting?: number;
  hisSqlLimitSwitch: boolean;
}

export type NewRule = Omit<StoredRule, 'id' | 'keywords'>;

export interface SwitchJob {
  jobId: string;
  target: 'ON' | 'OFF';
  completesAt: number;
  /** Set when the job was told to fail: the switch keeps its value. */
  failReason?: string;
}

/** What enforcement decides for one statement. */
export type Admission =
  | { kind: 'pass' }
  | { kind: 'refuse'; ruleId: string }
  /** Admitted and counted: call release() once when the statement has ended. */
  | { kind: 'counted'; ruleId: string; release: () => void };

const PASS: Admission = { kind: 'pass' };

export class SqlLimitError extends Error {
  override readonly name = 'SqlLimitError';
}

let jobSequence = 0;

export class SqlLimitInstance {
  readonly #options: SqlLimitOptions;
  readonly #now: () => number;
  /** Oldest first: the matcher walks it from the end. */
  #rules: StoredRule[] = [];
  #nextRuleId = 1;
  readonly #inflight = new Map<string, number>();
  readonly #jobs = new Map<string, SwitchJob>();
  #failNextJob: string | undefined;

  constructor(options: SqlLimitOptions = {}, now: () => number = Date.now) {
    this.#options = options;
    this.#now = now;
  }

  get options(): Readonly<SqlLimitOptions> {
    return this.#options;
  }

  // ---- switch and jobs -----------------------------------------------------------------------

  /** The switch as enforcement sees it: the target of the last job that completed (OFF at start). */
  isOn(): boolean {
    const now = this.#now();
    let on = false;
    for (const job of this.#jobs.values()) if (job.completesAt <= now && job.failReason === undefined) on = job.target === 'ON';
    return on;
  }

  switchStatus(): 'ON' | 'OFF' | 'Switching' {
    if (this.#options.reportSwitching && [...this.#jobs.values()].some((j) => j.completesAt > this.#now())) return 'Switching';
    return this.isOn() ? 'ON' : 'OFF';
  }

  changeSwitch(target: 'ON' | 'OFF'): SwitchJob {
    const job: SwitchJob = { jobId: String(++jobSequence), target, completesAt: this.#now() + (this.#options.jobDelayMs ?? 1_000) };
    if (this.#failNextJob !== undefined) {
      job.failReason = this.#failNextJob;
      this.#failNextJob = undefined;
    }
    this.#jobs.set(job.jobId, job);
    return job;
  }

  job(jobId: string): { jobId: string; status: 'RUNNING' | 'COMPLETED' | 'FAILED'; failReason: string } | undefined {
    const job = this.#jobs.get(jobId);
    if (!job) return undefined;
    if (job.completesAt > this.#now()) return { jobId, status: 'RUNNING', failReason: '' };
    return job.failReason === undefined ? { jobId, status: 'COMPLETED', failReason: '' } : { jobId, status: 'FAILED', failReason: job.failReason };
  }

  /** Test toggle: the next switch job ends FAILED with this reason and changes nothing. */
  failNextSwitchJob(reason: string): void {
    this.#failNextJob = reason;
  }

  // ---- rules ---------------------------------------------------------------------------------

  /** Adds all or none (≤ 100 per instance); returns the stored rules. */
  addRules(rules: readonly NewRule[]): StoredRule[] {
    if (this.#rules.length + rules.length > SQL_LIMIT.rulesPerInstance) {
      throw new SqlLimitError("Sql filter rule's count exceed rds_sqlfilter_rules_max_count.");
    }
    const added = rules.map((r) => ({ ...r, id: String(this.#nextRuleId++), keywords: keywordsOf(r.pattern) }));
    this.#rules = [...this.#rules, ...added];
    return added;
  }

  /** Removes the rules with these ids; unknown ids are ignored. Returns the ids removed. */
  deleteRules(ids: readonly string[]): string[] {
    const wanted = new Set(ids);
    const removed = this.#rules.filter((r) => wanted.has(r.id)).map((r) => r.id);
    this.#rules = this.#rules.filter((r) => !wanted.has(r.id));
    for (const id of removed) this.#inflight.delete(id);
    return removed;
  }

  /** Newest first (what Terraform assumes when it takes the first listed rule after a create). */
  listRules(): StoredRule[] {
    return [...this.#rules].reverse();
  }

  // ---- enforcement ---------------------------------------------------------------------------

  /** The rule governing this statement right now (switch ON), or undefined. */
  ruleFor(sql: string, session: SessionContext): StoredRule | undefined {
    if (this.#rules.length === 0 || !this.isOn()) return undefined;
    return governingRule(sql, session, this.#rules, this.#options);
  }

  /** §4.8 rule 8: over the limit (or a limit of 0) refuses; otherwise counts until release(). */
  admit(sql: string, session: SessionContext): Admission {
    const rule = this.ruleFor(sql, session);
    if (!rule) return PASS;
    const current = this.#inflight.get(rule.id) ?? 0;
    if (rule.maxConcurrency === 0 || current >= rule.maxConcurrency) return { kind: 'refuse', ruleId: rule.id };
    this.#inflight.set(rule.id, current + 1);
    let released = false;
    return {
      kind: 'counted',
      ruleId: rule.id,
      release: () => {
        if (released) return;
        released = true;
        const n = this.#inflight.get(rule.id);
        // A deleted rule's counter is gone; nothing to give back.
        if (n !== undefined) this.#inflight.set(rule.id, Math.max(0, n - 1));
      },
    };
  }

  /** Statements currently counted against a rule. */
  inflight(ruleId: string): number {
    return this.#inflight.get(ruleId) ?? 0;
  }
}
