// The HTTP server around the app, with limits against slow and numerous clients: Node's defaults let a
// body trickle in for 300 s and accept any number of connections.
import http from 'node:http';
import type { Express } from 'express';

export interface HttpServerLimits {
  /** The request line and headers must arrive within this. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (the answer may take longer). */
  requestTimeoutMs: number;
  /** Open connections beyond this are closed at once. */
  maxConnections: number;
  /** How often Node checks the two timeouts (default 1 s; its own default, 30 s, would let them overrun). */
  checkEveryMs?: number;
}

export function createHttpServer(app: Express, limits: HttpServerLimits): http.Server {
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.checkEveryMs ?? 1_000,
    },
    app,
  );
  server.maxConnections = limits.maxConnections;
  return server;
}
