// Prometheus metrics (prom-client), one registry per app so tests can build several apps.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  dasLatency: Histogram<'operation' | 'outcome'>;
  sessionsKilled: Counter<'instance' | 'mode'>;
  auditWriteFailures: Counter<string>;
  notificationsDelivered: Counter<'destination'>;
  /** Failed attempts (each retry counts). */
  notificationsFailed: Counter<'destination'>;
  notificationsPending: Gauge<'destination'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'quell_' });
  return {
    registry,
    httpRequests: new Counter({ name: 'quell_http_requests_total', help: 'HTTP requests by method, route and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    httpDuration: new Histogram({ name: 'quell_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'route'], registers: [registry], buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] }),
    dasLatency: new Histogram({ name: 'quell_das_request_duration_seconds', help: 'DAS call latency by operation and outcome', labelNames: ['operation', 'outcome'], registers: [registry], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] }),
    sessionsKilled: new Counter({ name: 'quell_sessions_killed_total', help: 'Sessions verified killed (preview mode) or sent to DAS (broad/blind)', labelNames: ['instance', 'mode'], registers: [registry] }),
    auditWriteFailures: new Counter({ name: 'quell_audit_write_failures_total', help: 'Audit writes that failed', registers: [registry] }),
    notificationsDelivered: new Counter({ name: 'quell_notifications_delivered_total', help: 'Incident events delivered, by destination', labelNames: ['destination'], registers: [registry] }),
    notificationsFailed: new Counter({ name: 'quell_notifications_failed_total', help: 'Failed incident event delivery attempts, by destination', labelNames: ['destination'], registers: [registry] }),
    notificationsPending: new Gauge({ name: 'quell_notifications_pending', help: 'Incident events waiting for delivery (retries included), by destination', labelNames: ['destination'], registers: [registry] }),
  };
}
