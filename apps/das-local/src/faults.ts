// Fault injection for tests and demos. Reachable only when a FaultController is passed to createDasServer.
import { SQL_LIMIT_OPERATIONS } from './sql-limit/operations.ts';

export const OPERATIONS = [
  'RegisterDbUser',
  'ListDbUsers',
  'ShowDbUser',
  'UpdateDbUser',
  'DeleteDbUser',
  'ListProcesses',
  'DeleteProcess',
  'ListInnodbLocks',
  'ListMetadataLocks',
  ...SQL_LIMIT_OPERATIONS,
] as const;
export type Operation = (typeof OPERATIONS)[number];

export type FaultKind =
  /** Wait `latencyMs` before handling the request. */
  | 'latency'
  /** Answer 500 with a DAS error body. */
  | 'error500'
  /** Answer 400 `DAS.200002` ("Frequent requests"). */
  | 'throttle'
  /** Destroy the socket without answering (the client sees a connection reset). */
  | 'reset'
  /** DeleteProcess answers 200 but kills nothing. */
  | 'killNoop';

export interface FaultScope {
  /** Only these operations (default: all). */
  operations?: readonly Operation[];
  /** Only the next N matching requests (default: until removed). */
  times?: number;
}

export interface Fault extends FaultScope {
  id: string;
  kind: FaultKind;
  latencyMs?: number;
}

/** What the server must do for one request. */
export interface FaultPlan {
  latencyMs: number;
  /** At most one terminal fault applies per request. */
  terminal?: 'error500' | 'throttle' | 'reset';
  killNoop: boolean;
}

const TERMINAL: ReadonlySet<FaultKind> = new Set(['error500', 'throttle', 'reset']);

export class FaultController {
  #faults: Fault[] = [];
  #clockOffsetMs = 0;
  #seq = 0;

  /** Adds a fault; returns its id (for remove). */
  add(kind: FaultKind, scope: FaultScope & { latencyMs?: number } = {}): string {
    if (scope.times !== undefined && (!Number.isInteger(scope.times) || scope.times < 1)) throw new RangeError('times must be a positive integer');
    if (kind === 'latency' && !(typeof scope.latencyMs === 'number' && scope.latencyMs >= 0)) throw new RangeError('latency needs latencyMs >= 0');
    for (const op of scope.operations ?? []) if (!OPERATIONS.includes(op)) throw new RangeError(`unknown operation ${op}`);
    const id = `f${++this.#seq}`;
    this.#faults.push({ id, kind, ...scope, ...(scope.operations ? { operations: [...scope.operations] } : {}) });
    return id;
  }

  addLatency(latencyMs: number, scope?: FaultScope): string {
    return this.add('latency', { ...scope, latencyMs });
  }
  failWith500(scope?: FaultScope): string {
    return this.add('error500', scope);
  }
  throttle(scope?: FaultScope): string {
    return this.add('throttle', scope);
  }
  resetConnection(scope?: FaultScope): string {
    return this.add('reset', scope);
  }
  killNoop(scope?: FaultScope): string {
    return this.add('killNoop', { operations: ['DeleteProcess'], ...scope });
  }

  remove(id: string): boolean {
    const before = this.#faults.length;
    this.#faults = this.#faults.filter((f) => f.id !== id);
    return this.#faults.length !== before;
  }

  /** Removes every fault and the clock offset. */
  clear(): void {
    this.#faults = [];
    this.#clockOffsetMs = 0;
  }

  /** Shifts the server clock: the signature window and the Date header use now + offset. */
  setClockOffset(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError('clock offset must be finite');
    this.#clockOffsetMs = ms;
  }

  get clockOffsetMs(): number {
    return this.#clockOffsetMs;
  }

  list(): Fault[] {
    return this.#faults.map((f) => ({ ...f }));
  }

  /** Decides the faults for one request of `operation` and consumes counted ones. */
  take(operation: Operation): FaultPlan {
    const plan: FaultPlan = { latencyMs: 0, killNoop: false };
    for (const f of this.#faults) {
      if (f.operations && !f.operations.includes(operation)) continue;
      if (f.kind === 'killNoop' && operation !== 'DeleteProcess') continue;
      if (TERMINAL.has(f.kind)) {
        if (plan.terminal) continue;
        plan.terminal = f.kind as FaultPlan['terminal'];
      } else if (f.kind === 'latency') {
        plan.latencyMs += f.latencyMs ?? 0;
      } else {
        plan.killNoop = true;
      }
      if (f.times !== undefined) f.times -= 1;
    }
    this.#faults = this.#faults.filter((f) => f.times === undefined || f.times > 0);
    return plan;
  }
}
