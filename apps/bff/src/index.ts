// Quell BFF entry point: loadConfig(process.env) → deps → createApp → listen → graceful shutdown.
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { OidcSignIn } from './auth/oidc.ts';
import { createFileUserDirectory } from './auth/users-file.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createDasFactory } from './das/port.ts';
import { createHttpServer } from './http-server.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { openConfiguredStores } from './stores/configured.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Quell BFF: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const { stores, throttle, kinds } = await openConfiguredStores(config, logger);
  logger.info({ store: kinds.store, sessions: kinds.sessions, rateLimits: kinds.rateLimits }, 'stores opened');
  const unknown = await stores.audit.markPendingUnknown(new Date().toISOString());
  if (unknown > 0) logger.warn({ count: unknown }, 'audit rows left pending by a previous run are now unknown');
  const destinations = config.notify.destinations.map((d) => `${d.name} (${d.type})`);
  if (destinations.length > 0) logger.info({ destinations, publicUrl: config.notify.publicUrl ?? null }, 'incident notifications configured');
  const credentials = config.credentials;
  // Discovery runs in the background: an unreachable issuer is reported by /readyz, not fatal.
  const oidc = config.oidc ? new OidcSignIn({ config: config.oidc, sessionSecret: config.sessionSecret, logger }) : undefined;
  void oidc?.start();
  const quell = createApp({
    config,
    das: createDasFactory(() => credentials),
    stores,
    users: createFileUserDirectory(config.usersFile),
    ...(oidc ? { oidc } : {}),
    logger,
    metrics: createMetrics({ defaultMetrics: true }),
    notify: config.notify,
    approvalOptions: { ttlMs: config.approvalTtlSeconds * 1000 },
    ...(throttle ? { throttle } : {}),
  });
  const server = createHttpServer(quell.app, { headersTimeoutMs: config.headersTimeoutSeconds * 1000, requestTimeoutMs: config.requestTimeoutSeconds * 1000, maxConnections: config.maxConnections });
  // The first readiness check (a store write, a DAS round trip per instance) runs while the server
  // starts listening, so the first probe gets its answer instead of waiting for one.
  quell.readiness.check().catch(() => undefined);
  server.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  console.log(`Quell BFF listening on http://${shownHost}:${port}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing kills in progress');
    oidc?.stop();
    server.close();
    server.closeIdleConnections();
    const force = setTimeout(() => {
      logger.error('shutdown took too long');
      process.exit(1);
    }, 60_000);
    force.unref();
    quell
      .shutdown()
      .then(
        () =>
          new Promise<void>((resolve) => {
            // Kills are done and their answers written; give open connections a moment to drain.
            const grace = setTimeout(() => {
              server.closeAllConnections();
              resolve();
            }, 5_000);
            grace.unref();
            server.close(() => {
              clearTimeout(grace);
              resolve();
            });
            server.closeIdleConnections();
          }),
      )
      .catch(() => undefined)
      .finally(() => {
        void stores.close().finally(() => process.exit(0));
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`Quell BFF failed to start: ${err instanceof Error ? err.message : 'unknown error'}`);
  process.exit(1);
});
