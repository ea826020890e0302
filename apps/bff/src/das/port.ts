// What the BFF needs from DAS (DasClient satisfies it), a factory per inventory instance, and latency metrics.
import { DasClient } from '@quell/das-client/client';
import { DasApiError } from '@quell/das-client/errors';
import type { DasProcess, DbUserRecord, DeleteProcessParams, ListProcessesParams } from '@quell/das-client/types';
import type { UpstreamDetails } from '@quell/contracts/errors';
import { dasEndpointFor, type Credentials, type InstanceConfig } from '../config.ts';
import type { Metrics } from '../metrics.ts';

export interface DasPort {
  listProcesses(params: ListProcessesParams): Promise<DasProcess[]>;
  deleteProcess(params: DeleteProcessParams): Promise<{ requestId: string | undefined }>;
  registerDbUser(instanceId: string, dbUsername: string, dbUserPassword: string): Promise<string>;
  listDbUsers(instanceId: string): Promise<DbUserRecord[]>;
  deleteDbUser(instanceId: string, dbUserId: string): Promise<void>;
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

/** Wraps a DasPort so every call is timed by operation and outcome. */
export function instrumentDas(port: DasPort, metrics: Metrics): DasPort {
  const timed = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    const end = metrics.dasLatency.startTimer({ operation });
    try {
      const v = await fn();
      end({ outcome: 'ok' });
      return v;
    } catch (err) {
      end({ outcome: outcomeOf(err) });
      throw err;
    }
  };
  return {
    listProcesses: (p) => timed('ListProcesses', () => port.listProcesses(p)),
    deleteProcess: (p) => timed('DeleteProcess', () => port.deleteProcess(p)),
    registerDbUser: (i, u, pw) => timed('RegisterDbUser', () => port.registerDbUser(i, u, pw)),
    listDbUsers: (i) => timed('ListDbUsers', () => port.listDbUsers(i)),
    deleteDbUser: (i, d) => timed('DeleteDbUser', () => port.deleteDbUser(i, d)),
  };
}

/** What an operator may see of a DAS error: status, DAS code and message, DAS request id. */
export function upstreamDetails(err: unknown): UpstreamDetails {
  if (err instanceof DasApiError) {
    return {
      httpStatus: err.httpStatus,
      ...(err.errorCode !== undefined ? { errorCode: err.errorCode } : {}),
      ...(err.errorMsg !== undefined ? { errorMsg: err.errorMsg } : err.kind === 'timeout' ? { errorMsg: 'DAS did not answer in time' } : err.kind === 'network' ? { errorMsg: 'DAS could not be reached' } : {}),
      ...(err.requestId !== undefined ? { dasRequestId: err.requestId } : {}),
    };
  }
  return { httpStatus: 0, errorMsg: 'unexpected error' };
}
