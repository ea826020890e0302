// Health, readiness, metrics and the OpenAPI document: open to anyone, mounted before the session middleware.
import { Router } from 'express';
import { routes } from '@quell/contracts/routes';
import type { InstanceConfig } from '../config.ts';
import type { DasPort } from '../das/port.ts';
import { upstreamDetails } from '../das/port.ts';
import type { Mount } from '../http/mount.ts';
import type { Metrics } from '../metrics.ts';
import { buildOpenApi } from '../openapi.ts';
import type { Stores } from '../stores/types.ts';

export interface OpsRouterDeps {
  instances: InstanceConfig[];
  das: (instance: InstanceConfig) => DasPort;
  stores: Stores;
  metrics: Metrics;
  /** The identity provider, when configured: reported, not required (break-glass accounts still work without it). */
  oidc?: { check(): Promise<{ ok: boolean; error?: string }> };
  readyTimeoutMs?: number;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
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

export function opsRouter(mount: Mount, d: OpsRouterDeps): Router {
  const r = Router();
  const openapi = buildOpenApi();
  mount(r, routes.healthz, () => ({ status: 'ok' as const }));
  mount(r, routes.readyz, async ({ res }) => {
    const timeout = d.readyTimeoutMs ?? 5000;
    const kinds = d.stores.kinds;
    const store = await withTimeout(d.stores.checkWritable(), timeout)
      .then(() => ({ ok: true as const }))
      .catch(() => ({ ok: false as const, error: 'not writable' }));
    // With the default SQLite the session store is the same database: no separate check.
    const sessions = d.stores.checkSessions
      ? await withTimeout(d.stores.checkSessions(), timeout)
          .then(() => ({ ok: true as const }))
          .catch(() => ({ ok: false as const, error: 'not reachable' }))
      : undefined;
    const instances: Record<string, { ok: boolean; error?: unknown }> = {};
    await Promise.all(
      d.instances.map(async (i) => {
        try {
          await withTimeout(d.das(i).listDbUsers(i.instanceId), timeout);
          instances[i.id] = { ok: true };
        } catch (err) {
          instances[i.id] = { ok: false, error: err instanceof Error && err.message === 'timeout' ? { errorMsg: 'no answer in time' } : upstreamDetails(err) };
        }
      }),
    );
    const oidc = d.oidc
      ? await withTimeout(d.oidc.check(), timeout).catch(() => ({ ok: false, error: 'issuer unreachable: no answer in time' }))
      : undefined;
    const ready = store.ok && (sessions?.ok ?? true) && Object.values(instances).every((c) => c.ok);
    // `kind` is reported when the stores say what backs them (several replicas: postgres / redis).
    const checks = kinds
      ? { store: { ...store, kind: kinds.store }, sessions: { ...(sessions ?? store), kind: kinds.sessions, rateLimits: kinds.rateLimits }, das: instances }
      : { store, ...(sessions ? { sessions } : {}), das: instances };
    res.status(ready ? 200 : 503);
    return { status: ready ? ('ready' as const) : ('not-ready' as const), checks: { ...checks, ...(oidc ? { oidc } : {}) } };
  });
  mount(r, routes.metrics, async ({ res }) => {
    res.setHeader('Content-Type', d.metrics.registry.contentType);
    return d.metrics.registry.metrics();
  });
  mount(r, routes.openapi, () => openapi);
  return r;
}
