// /readyz: can this replica serve? Its stores answer, and every instance's database answers through DAS.
// The per-instance check is a one-row ListProcesses for the DAS account's own name: it costs one signed
// call yet reaches MariaDB (ListDbUsers never does). The result is cached for a few seconds and shared by
// concurrent probes, so probes do not spend the DAS quota operators share.
import type { UpstreamDetails } from '@quell/contracts/errors';
import type { ReadyResponse } from '@quell/contracts/ops';
import type { InstanceConfig } from './config.ts';
import type { DasPort } from './das/port.ts';
import { upstreamDetails } from './das/port.ts';
import { AppError, UpstreamError } from './errors.ts';
import type { Stores } from './stores/types.ts';

export interface ReadinessDeps {
  instances: InstanceConfig[];
  das: (instance: InstanceConfig) => DasPort;
  stores: Stores;
  /** The identity provider, when configured: reported, not required (break-glass accounts still work without it). */
  oidc?: { check(): Promise<{ ok: boolean; error?: string }> };
  /** The MySQL account behind an instance's DAS db user (cached by the kill service). */
  dasUsername: (instance: InstanceConfig) => Promise<string>;
  timeoutMs?: number;
  /** How long one check answers every probe (default 5 s). */
  cacheMs?: number;
  now?: () => number;
}

type Check = { ok: true; kind?: string } | { ok: false; error: string | UpstreamDetails };
export type InstanceCheck = {
  ok: boolean;
  /** `database`: the instance's MariaDB answered through DAS; `das-only`: no db user to reach it with yet. */
  reached?: 'database' | 'das-only';
  error?: UpstreamDetails;
};
export interface ReadinessReport {
  ready: boolean;
  body: ReadyResponse;
}

class Timeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Timeout('timeout')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error('failed'));
      },
    );
  });
}

function detailsOf(err: unknown): UpstreamDetails {
  if (err instanceof Timeout) return { httpStatus: 0, errorMsg: 'no answer in time' };
  if (err instanceof UpstreamError) return err.upstream;
  if (err instanceof AppError) return { httpStatus: 0, errorMsg: err.message };
  return upstreamDetails(err);
}

export function createReadiness(d: ReadinessDeps): { check(): Promise<ReadinessReport> } {
  const timeout = d.timeoutMs ?? 5000;
  const cacheMs = d.cacheMs ?? 5000;
  const now = d.now ?? Date.now;
  let cached: { at: number; report: Promise<ReadinessReport> } | undefined;

  const instanceCheck = async (i: InstanceConfig): Promise<InstanceCheck> => {
    try {
      if (!i.dbUserId) {
        // Nothing can reach the database before an admin registers a db user: DAS itself must answer.
        await withTimeout(d.das(i).listDbUsers(i.instanceId), timeout);
        return { ok: true, reached: 'das-only' };
      }
      const dbUserId = i.dbUserId;
      await withTimeout(
        d.dasUsername(i).then((user) => d.das(i).listProcesses({ instanceId: i.instanceId, dbUserId, user, limit: 1 })),
        timeout,
      );
      return { ok: true, reached: 'database' };
    } catch (err) {
      return { ok: false, error: detailsOf(err) };
    }
  };

  const run = async (): Promise<ReadinessReport> => {
    const kinds = d.stores.kinds;
    const store: Check = await withTimeout(d.stores.checkWritable(), timeout)
      .then(() => ({ ok: true as const }))
      .catch(() => ({ ok: false as const, error: 'not writable' }));
    // With the default SQLite the session store is the same database: no separate check.
    const sessions: Check | undefined = d.stores.checkSessions
      ? await withTimeout(d.stores.checkSessions(), timeout)
          .then(() => ({ ok: true as const }))
          .catch(() => ({ ok: false as const, error: 'not reachable' }))
      : undefined;
    const instances: Record<string, InstanceCheck> = {};
    await Promise.all(
      d.instances.map(async (i) => {
        instances[i.id] = await instanceCheck(i);
      }),
    );
    const oidc = d.oidc ? await withTimeout(d.oidc.check(), timeout).catch(() => ({ ok: false, error: 'issuer unreachable: no answer in time' })) : undefined;
    const ready = store.ok && (sessions?.ok ?? true) && Object.values(instances).every((c) => c.ok);
    // `kind` is reported when the stores say what backs them (several replicas: postgres / redis).
    const checks = kinds
      ? { store: { ...store, kind: kinds.store }, sessions: { ...(sessions ?? store), kind: kinds.sessions, rateLimits: kinds.rateLimits }, das: instances }
      : { store, ...(sessions ? { sessions } : {}), das: instances };
    return { ready, body: { status: ready ? 'ready' : 'not-ready', checkedAt: new Date(now()).toISOString(), checks: { ...checks, ...(oidc ? { oidc } : {}) } } };
  };

  return {
    check() {
      const t = now();
      // A clock stepped back also ends the window.
      if (!cached || t - cached.at >= cacheMs || t < cached.at) cached = { at: t, report: run() };
      return cached.report;
    },
  };
}
