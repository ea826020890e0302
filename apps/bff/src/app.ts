// createApp(deps): the whole Express 5 app, without listening. index.ts does config → deps → createApp → listen.
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { API_PREFIX, routes, type RouteDef } from '@quell/contracts/routes';
import type { AppConfig, InstanceConfig } from './config.ts';
import { bffDas, type DasFactory, type DasPort } from './das/port.ts';
import { localAccountsAllowed } from './auth/oidc-config.ts';
import type { OidcSignIn } from './auth/oidc.ts';
import { SessionManager, sessionCookieName } from './auth/sessions.ts';
import { createMemoryThrottle, type LoginThrottle } from './auth/throttle.ts';
import type { UserDirectory } from './auth/users-file.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import { createMount } from './http/mount.ts';
import type { ApprovalSettings } from './approvals/service.ts';
import { KillService, type KillServiceOptions } from './kill/service.ts';
import { createLogger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { NotifyConfig } from './notify/config.ts';
import type { DeliverySettings } from './notify/delivery.ts';
import { Notifications } from './notify/notifications.ts';
import type { EventSink } from './notify/sink.ts';
import { allowedHosts } from './middleware/allowed-hosts.ts';
import { apiNotFound, errorHandler } from './middleware/error-handler.ts';
import { loadSession, sameOrigin } from './middleware/guards.ts';
import { loginBeforeBody } from './middleware/login-before-body.ts';
import { metricsToken } from './middleware/metrics-token.ts';
import { requestId } from './middleware/request-id.ts';
import { approvalsRouter } from './routes/approvals.ts';
import { auditRouter } from './routes/audit.ts';
import { authRouter } from './routes/auth.ts';
import { dbUsersRouter } from './routes/db-users.ts';
import { instancesRouter } from './routes/instances.ts';
import { killRouter } from './routes/kill.ts';
import { createReadiness, type ReadinessDeps, type ReadinessReport } from './readiness.ts';
import { filterSuggestionsRouter } from './routes/filter-suggestions.ts';
import { locksRouter } from './routes/locks.ts';
import { notificationsRouter } from './routes/notifications.ts';
import { oidcRouter } from './routes/oidc.ts';
import { opsRouter } from './routes/ops.ts';
import { throttlesRouter } from './routes/throttles.ts';
import { spaRouter } from './spa.ts';
import { ThrottleService, type ThrottleSettings } from './throttle/service.ts';
import type { Stores } from './stores/types.ts';

export interface AppDeps {
  config: Pick<AppConfig, 'instances' | 'sessionSecret' | 'webDist' | 'cookieSecure' | 'sessionIdleMinutes' | 'trustProxy' | 'allowedHosts' | 'metricsToken'>;
  /** A DAS client per inventory instance (createDasFactory in das/port.ts for the real one). */
  das: DasFactory;
  stores: Stores;
  users: UserDirectory;
  /** Sign-in with the identity provider (started by the caller); absent: local accounts only. */
  oidc?: OidcSignIn;
  logger?: Logger;
  metrics?: Metrics;
  now?: () => Date;
  throttle?: LoginThrottle;
  /** Kill-workflow tuning (preview TTL, chunk size, verification polling…). */
  killOptions?: Partial<Pick<KillServiceOptions, 'previewTtlMs' | 'chunkSize' | 'verifyAttempts' | 'verifyDelayMs' | 'startToleranceMs' | 'dasUserCacheMs'>>;
  /** Two-person rule: request expiry (QUELL_APPROVAL_TTL_SECONDS), sweep interval, Quell's public URL for links in events. */
  approvalOptions?: Partial<ApprovalSettings>;
  /** Where incident events go; default: discarded. */
  events?: EventSink;
  /** SQL throttle tuning (sweep interval, removal lease, switch job polling). */
  throttleOptions?: Partial<ThrottleSettings>;
  /** Incident notification destinations and the public URL for links (absent: none, events are not stored). */
  notify?: NotifyConfig;
  /** Notification delivery tuning (poll interval, backoff, attempts, timeout). */
  deliveryOptions?: Partial<DeliverySettings>;
  /** Body size limit for JSON (default 128 kB: room for MAX_SESSION_IDS ids, nothing more). */
  bodyLimit?: string;
  /** /readyz tuning (check timeout, cache window). */
  readiness?: Pick<ReadinessDeps, 'timeoutMs' | 'cacheMs'>;
  /** Check every success against its route's response schema (a mismatch is a 500). Default: on when NODE_ENV=test. */
  checkResponses?: boolean;
}

export interface QuellApp {
  app: Express;
  kill: KillService;
  throttles: ThrottleService;
  /** The incident event sink every module that notifies is given (the outbox: stores, never sends). */
  events: EventSink;
  notifications: Notifications;
  metrics: Metrics;
  /** What /readyz answers (one check shared by the probes of its cache window). */
  readiness: { check(): Promise<ReadinessReport> };
  /** The route-table entries this app serves, in mounting order. */
  routes: readonly RouteDef[];
  /** Waits for kills in progress to finish and stops background timers. The caller closes the stores it passed in. */
  shutdown(): Promise<void>;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** State-changing API requests with a body must send JSON: anything else is a 400 naming the header. */
const jsonOnly: RequestHandler = (req, _res, next) => {
  if (!UNSAFE.has(req.method)) return next();
  const hasBody = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) {
    return next(new ValidationError([{ field: 'headers.content-type', message: 'must be application/json' }], 'the body must be JSON'));
  }
  next();
};

export function createApp(deps: AppDeps): QuellApp {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger ?? createLogger('silent');
  const metrics = deps.metrics ?? createMetrics();
  const instances: InstanceConfig[] = deps.config.instances;
  // The factory shares clients per endpoint; each inventory instance gets its timed port once, here.
  const dasPorts = new Map(instances.map((i) => [i.id, bffDas(deps.das(i), metrics)]));
  const das = (i: InstanceConfig): DasPort => {
    const port = dasPorts.get(i.id);
    if (!port) throw new Error(`instance ${i.id} is not in the inventory`);
    return port;
  };
  // With an identity provider, local accounts may be limited to break-glass admins (or switched off).
  const users = deps.oidc ? localAccountsAllowed(deps.users, deps.oidc.config.localLogin) : deps.users;
  const sessions = new SessionManager({ store: deps.stores.loginSessions, users, secret: deps.config.sessionSecret, idleMs: deps.config.sessionIdleMinutes * 60_000, now });
  const throttle = deps.throttle ?? createMemoryThrottle();
  // One outbox for the whole app: kill and throttle outcomes enqueue through the audit trails, and any
  // other module that notifies (approvals) is handed `events`.
  const notifications = new Notifications({ config: deps.notify ?? { destinations: [] }, instances, store: deps.stores.outbox, metrics, logger, now, ...(deps.deliveryOptions ? { settings: deps.deliveryOptions } : {}) });
  const events: EventSink = deps.events ?? notifications.outbox;
  notifications.start();
  const publicUrl = deps.notify?.publicUrl;
  const approvals = { ...(publicUrl ? { publicUrl } : {}), ...deps.approvalOptions };
  const kill = new KillService({ instances, das, stores: deps.stores, metrics, logger, now, notify: notifications.outbox, events, approvals, ...deps.killOptions });
  kill.start();

  const throttles = new ThrottleService({ kill, das, stores: deps.stores, metrics, logger, now, notify: notifications.outbox, ...deps.throttleOptions });
  throttles.start();

  const mount = createMount({ checkResponses: deps.checkResponses ?? process.env.NODE_ENV === 'test' });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  app.set('etag', false);
  app.use(requestId);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          // The SPA ships its CSS as a file; React sets style attributes through the CSSOM, which CSP allows.
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'font-src': ["'self'"],
          'connect-src': ["'self'"],
          'object-src': ["'none'"],
          'base-uri': ["'self'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
          ...(deps.config.cookieSecure ? { 'upgrade-insecure-requests': [] } : {}),
        },
      },
      strictTransportSecurity: deps.config.cookieSecure ? { maxAge: 31536000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
      // CSP frame-ancestors 'none' says the same to new browsers; old ones only read this header.
      xFrameOptions: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = req.route?.path ? String(req.route.path) : req.path.startsWith(`${API_PREFIX}/`) ? 'unmatched-api' : 'static';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method, route }, seconds);
      if (logger.isLevelEnabled('info')) logger.info({ requestId: res.locals.requestId, method: req.method, path: req.path, route, status: res.statusCode, ms: Math.round(seconds * 1000), user: res.locals.auth?.username }, 'request');
    });
    next();
  });

  app.use(allowedHosts(deps.config.allowedHosts));
  app.use(API_PREFIX, (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(routes.metrics.path, metricsToken(deps.config.metricsToken));
  const readiness = createReadiness({ instances, das, stores: deps.stores, ...(deps.oidc ? { oidc: deps.oidc } : {}), dasUsername: (i) => kill.dasUsername(i), now: () => now().getTime(), ...deps.readiness });
  app.use(opsRouter(mount, { readiness, metrics }));

  // The session is loaded before the body is read: bodies without a login (but the login's) are refused unread.
  app.use(API_PREFIX, sameOrigin, jsonOnly, loadSession(sessions, sessionCookieName(deps.config.cookieSecure)), loginBeforeBody, express.json({ limit: deps.bodyLimit ?? '128kb', strict: true }));
  app.use(authRouter(mount, { sessions, users, throttle, cookieSecure: deps.config.cookieSecure, logger }));
  app.use(oidcRouter(mount, { ...(deps.oidc ? { oidc: deps.oidc } : {}), sessions, cookieSecure: deps.config.cookieSecure, logger }));
  app.use(instancesRouter(mount, { instances, kill }));
  app.use(locksRouter(mount, { kill, now }));
  app.use(filterSuggestionsRouter(mount, { kill, audit: deps.stores.audit, now }));
  app.use(killRouter(mount, kill));
  app.use(throttlesRouter(mount, { kill, throttles }));
  app.use(dbUsersRouter(mount, { kill, logger }));
  app.use(approvalsRouter(mount, kill));
  app.use(auditRouter(mount, deps.stores.audit));
  app.use(notificationsRouter(mount, notifications));
  app.use(API_PREFIX, apiNotFound);
  app.use(spaRouter(deps.config.webDist));
  app.use((_req, _res, next) => next(new NotFoundError()));
  app.use(errorHandler(logger));

  const purge = setInterval(() => {
    sessions.purgeIdle().catch((err: unknown) => logger.warn({ err }, 'session purge failed'));
    deps.stores.previews.purge(new Date(now().getTime() - 60 * 60_000).toISOString()).catch((err: unknown) => logger.warn({ err }, 'preview purge failed'));
    deps.stores.idempotency.purgeFinished(new Date(now().getTime() - 24 * 60 * 60_000).toISOString()).catch((err: unknown) => logger.warn({ err }, 'idempotency purge failed'));
    deps.stores.outbox.purgeDelivered(new Date(now().getTime() - 7 * 24 * 60 * 60_000).toISOString()).catch((err: unknown) => logger.warn({ err }, 'outbox purge failed'));
  }, 60_000);
  purge.unref();

  return {
    app,
    kill,
    throttles,
    events,
    notifications,
    metrics,
    readiness,
    routes: mount.mounted,
    async shutdown() {
      clearInterval(purge);
      await throttles.stop();
      await kill.drain();
      // After the kills: their outcomes' events are stored; what is not delivered stays in the outbox.
      await notifications.stop();
    },
  };
}
