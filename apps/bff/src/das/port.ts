// What the BFF needs from DAS (DasClient satisfies it), a factory per inventory instance, and the wrapper
// through which the BFF calls it: timed by operation, and every DAS failure turned into a BFF error.
// This is the only module that knows the DAS client's error types.
import { DasClient } from '@quell/das-client/client';
import { DasApiError, DasRequestError } from '@quell/das-client/errors';
import type {
  DasInnodbLocks,
  DasMetadataLocks,
  DasProcess,
  DbUserRecord,
  DeleteProcessParams,
  ListingOptions,
  ListInnodbLocksParams,
  ListMetadataLocksParams,
  ListProcessesParams,
  ProcessPage,
} from '@quell/das-client/types';
import type { ParseSqlLimitParams, SqlLimitJob, SqlLimitRule, SqlLimitRuleInput, SqlLimitSwitchStatus } from '@quell/das-client/sql-limit';
import type { UpstreamDetails } from '@quell/contracts/errors';
import { dasEndpointFor, type Credentials, type InstanceConfig } from '../config.ts';
import { NotFoundError, UpstreamError, ValidationError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';

export interface DasPort {
  listProcesses(params: ListProcessesParams, options?: ListingOptions): Promise<DasProcess[]>;
  /** The same listing page by page with each page's offset, for a caller that need not hold every row at once or acts on each page. */
  listProcessPages(params: ListProcessesParams, options?: ListingOptions): AsyncIterable<ProcessPage>;
  deleteProcess(params: DeleteProcessParams): Promise<{ requestId: string | undefined }>;
  registerDbUser(instanceId: string, dbUsername: string, dbUserPassword: string): Promise<string>;
  listDbUsers(instanceId: string): Promise<DbUserRecord[]>;
  deleteDbUser(instanceId: string, dbUserId: string): Promise<void>;
  listInnodbLocks(params: ListInnodbLocksParams): Promise<DasInnodbLocks>;
  listMetadataLocks(params: ListMetadataLocksParams): Promise<DasMetadataLocks>;
  showSqlLimitSwitchStatus(params: { instanceId: string }): Promise<SqlLimitSwitchStatus>;
  changeSqlLimitSwitchStatus(params: { instanceId: string; status: 'ON' | 'OFF' }): Promise<{ jobId: string; requestId: string | undefined }>;
  showSqlLimitJobInfo(params: { instanceId: string; jobId: string }): Promise<SqlLimitJob>;
  createSqlLimitRules(params: { instanceId: string; rules: SqlLimitRuleInput[] }): Promise<{ requestId: string | undefined }>;
  listSqlLimitRules(params: { instanceId: string }): Promise<SqlLimitRule[]>;
  deleteSqlLimitRules(params: { instanceId: string; ruleIds: string[] }): Promise<{ requestId: string | undefined }>;
  parseSqlLimitRules(params: ParseSqlLimitParams): Promise<string>;
}

export type DasFactory = (instance: InstanceConfig) => DasPort;

/** One DasClient per (endpoint, project), credentials read through a function so they can rotate. */
export function createDasFactory(credentials: () => Credentials, options: { fetch?: typeof fetch; timeoutMs?: number } = {}): DasFactory {
  const clients = new Map<string, DasPort>();
  return (instance) => {
    const endpoint = dasEndpointFor(instance);
    const key = `${endpoint}\n${instance.projectId}`;
    let client = clients.get(key);
    if (!client) {
      client = new DasClient({
        endpoint,
        projectId: instance.projectId,
        credentials,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        timeoutMs: options.timeoutMs ?? 30_000,
      });
      clients.set(key, client);
    }
    return client;
  };
}

function outcomeOf(err: unknown): string {
  if (err instanceof DasApiError) return err.kind === 'timeout' ? 'timeout' : err.kind === 'network' ? 'network' : 'error';
  return 'error';
}

/** How an operator reads each operation in an error message. */
const WHAT: Record<string, string> = {
  ListProcesses: 'session listing',
  DeleteProcess: 'kill',
  RegisterDbUser: 'db-user registration',
  ListDbUsers: 'db-user lookup',
  DeleteDbUser: 'db-user removal',
  ListInnodbLocks: 'InnoDB lock listing',
  ListMetadataLocks: 'metadata-lock listing',
  ShowSqlLimitSwitchStatus: 'SQL limit switch lookup',
  ChangeSqlLimitSwitchStatus: 'SQL limit switch change',
  ShowSqlLimitJobInfo: 'SQL limit job lookup',
  CreateSqlLimitRules: 'SQL limit rule creation',
  ListSqlLimitRules: 'SQL limit rule listing',
  DeleteSqlLimitRules: 'SQL limit rule removal',
  ParseSqlLimitRules: 'SQL pattern suggestion',
};

/** The details of a DAS answer an operator may see. */
function detailsOf(err: DasApiError): UpstreamDetails {
  return {
    httpStatus: err.httpStatus,
    ...(err.errorCode !== undefined ? { errorCode: err.errorCode } : {}),
    ...(err.errorMsg !== undefined ? { errorMsg: err.errorMsg } : err.kind === 'timeout' ? { errorMsg: 'DAS did not answer in time' } : err.kind === 'network' ? { errorMsg: 'DAS could not be reached' } : {}),
    ...(err.requestId !== undefined ? { dasRequestId: err.requestId } : {}),
  };
}

/**
 * DAS refusing what the admin typed is the admin's to fix, not an upstream fault: a login DAS could not
 * make (DAS.200051) names the password, any other DAS 400 on registration names the username.
 */
function registrationRefusal(err: DasApiError): ValidationError | undefined {
  if (err.kind !== 'das' || err.httpStatus !== 400) return undefined;
  const field = err.errorCode === 'DAS.200051' ? 'dbUserPassword' : 'dbUsername';
  const message = err.errorCode === 'DAS.200051' ? 'DAS could not sign in to the instance with this username and password' : `DAS refused the registration (${err.errorCode ?? 'HTTP 400'})`;
  return new ValidationError([{ field, message }], message);
}

/** A DAS failure as the BFF's own error; anything else passes unchanged. */
function toBffError(operation: string, err: unknown): unknown {
  if (err instanceof DasRequestError) {
    return new ValidationError(
      err.issues.map((i) => ({ field: i.path || '(request)', message: i.message })),
      `the request cannot be sent to DAS (${operation})`,
    );
  }
  if (!(err instanceof DasApiError)) return err;
  if (operation === 'RegisterDbUser') {
    const refusal = registrationRefusal(err);
    if (refusal) return refusal;
  }
  // DAS answers an unknown db user with 400 DAS.220003 ("does not exist during query or deletion").
  if (operation === 'DeleteDbUser' && err.kind === 'das' && (err.errorCode === 'DAS.220003' || err.httpStatus === 404)) {
    return new NotFoundError('DAS has no such db user for this instance');
  }
  // A refusal (4xx, throttling, a connection that never opened) is certain; no answer or a 5xx is not.
  const uncertain = !err.retryable && !(err.httpStatus >= 400 && err.httpStatus < 500);
  return new UpstreamError(err.kind === 'timeout' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_ERROR', `DAS ${WHAT[operation] ?? operation} failed`, detailsOf(err), uncertain);
}

/** Wraps a DasPort for the BFF: every call is timed by operation and outcome, and fails only with BFF errors. */
export function bffDas(port: DasPort, metrics: Metrics): DasPort {
  const call = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    const end = metrics.dasLatency.startTimer({ operation });
    try {
      const v = await fn();
      end({ outcome: 'ok' });
      return v;
    } catch (err) {
      end({ outcome: outcomeOf(err) });
      throw toBffError(operation, err);
    }
  };
  // A listing read page by page is timed (and its failure turned into a BFF error) as one call.
  async function* pages<T>(operation: string, source: () => AsyncIterable<T>): AsyncGenerator<T> {
    const end = metrics.dasLatency.startTimer({ operation });
    try {
      yield* source();
      end({ outcome: 'ok' });
    } catch (err) {
      end({ outcome: outcomeOf(err) });
      throw toBffError(operation, err);
    }
  }
  return {
    listProcesses: (p, o) => call('ListProcesses', () => port.listProcesses(p, o)),
    listProcessPages: (p, o) => pages('ListProcesses', () => port.listProcessPages(p, o)),
    deleteProcess: (p) => call('DeleteProcess', () => port.deleteProcess(p)),
    registerDbUser: (i, u, pw) => call('RegisterDbUser', () => port.registerDbUser(i, u, pw)),
    listDbUsers: (i) => call('ListDbUsers', () => port.listDbUsers(i)),
    deleteDbUser: (i, d) => call('DeleteDbUser', () => port.deleteDbUser(i, d)),
    listInnodbLocks: (p) => call('ListInnodbLocks', () => port.listInnodbLocks(p)),
    listMetadataLocks: (p) => call('ListMetadataLocks', () => port.listMetadataLocks(p)),
    showSqlLimitSwitchStatus: (p) => call('ShowSqlLimitSwitchStatus', () => port.showSqlLimitSwitchStatus(p)),
    changeSqlLimitSwitchStatus: (p) => call('ChangeSqlLimitSwitchStatus', () => port.changeSqlLimitSwitchStatus(p)),
    showSqlLimitJobInfo: (p) => call('ShowSqlLimitJobInfo', () => port.showSqlLimitJobInfo(p)),
    createSqlLimitRules: (p) => call('CreateSqlLimitRules', () => port.createSqlLimitRules(p)),
    listSqlLimitRules: (p) => call('ListSqlLimitRules', () => port.listSqlLimitRules(p)),
    deleteSqlLimitRules: (p) => call('DeleteSqlLimitRules', () => port.deleteSqlLimitRules(p)),
    parseSqlLimitRules: (p) => call('ParseSqlLimitRules', () => port.parseSqlLimitRules(p)),
  };
}

/** What an operator may see of a failed DAS call (for reports that list several answers, e.g. /readyz). */
export function upstreamDetails(err: unknown): UpstreamDetails {
  if (err instanceof UpstreamError) return err.upstream;
  if (err instanceof DasApiError) return detailsOf(err);
  return { httpStatus: 0, errorMsg: 'unexpected error' };
}
