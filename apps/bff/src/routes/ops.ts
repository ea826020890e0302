// Health, readiness, metrics and the OpenAPI document: open to anyone, mounted before the session middleware.
import { Router } from 'express';
import { routes } from '@quell/contracts/routes';
import type { Mount } from '../http/mount.ts';
import type { Metrics } from '../metrics.ts';
import { buildOpenApi } from '../openapi.ts';
import type { ReadinessReport } from '../readiness.ts';

export interface OpsRouterDeps {
  readiness: { check(): Promise<ReadinessReport> };
  metrics: Metrics;
}

export function opsRouter(mount: Mount, d: OpsRouterDeps): Router {
  const r = Router();
  // Built on first request, not at start: converting every schema costs more than the rest of createApp.
  let openapi: Record<string, unknown> | undefined;
  mount(r, routes.healthz, () => ({ status: 'ok' as const }));
  mount(r, routes.readyz, async ({ res }) => {
    const { ready, body } = await d.readiness.check();
    res.status(ready ? 200 : 503);
    return body;
  });
  mount(r, routes.metrics, async ({ res }) => {
    res.setHeader('Content-Type', d.metrics.registry.contentType);
    return d.metrics.registry.metrics();
  });
  mount(r, routes.openapi, () => (openapi ??= buildOpenApi()));
  return r;
}
