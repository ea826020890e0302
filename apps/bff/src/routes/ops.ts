// /healthz, /readyz, /metrics, /api/openapi.json
import { Router } from 'express';
import type { Metrics } from '../metrics.ts';
import { buildOpenApi } from '../openapi.ts';
import type { ReadinessReport } from '../readiness.ts';

export interface OpsRouterDeps {
  readiness: { check(): Promise<ReadinessReport> };
  metrics: Metrics;
}

export function opsRouter(d: OpsRouterDeps): Router {
  const r = Router();
  const openapi = buildOpenApi();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    const { ready, body } = await d.readiness.check();
    res.status(ready ? 200 : 503).json(body);
  });
  r.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', d.metrics.registry.contentType);
    res.send(await d.metrics.registry.metrics());
  });
  r.get('/api/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  return r;
}
