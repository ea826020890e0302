import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DasClient } from './client.ts';
import { DasApiError } from './errors.ts';
import { createNodeTransport, TransportError, type NodeTransport, type TransportRequest } from './transport.ts';
import { startRecordingServer } from './testing/recording-server.ts';
import type { DasAttemptEvent } from './types.ts';

const PROJECT = '054e292c9880d4992f02c0196d3ea468';
const INSTANCE = 'da304cd5bbb944de828759bc7be3d3fein01';
const DB_USER = '2c250598-1e3c-4d31-bc19-be1d866247e6';
const credentials = () => ({ ak: 'AK', sk: 'SK-transport' });

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function transport(options?: Parameters<typeof createNodeTransport>[0]): NodeTransport {
  const t = createNodeTransport(options);
  cleanups.push(() => t.close());
  return t;
}

/** A TCP server that accepts connections and never writes a byte. */
async function silentTcpServer(): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const request = (url: string, over: Partial<TransportRequest> = {}): TransportRequest => ({
  method: 'GET',
  url: new URL(url),
  headers: { Accept: 'application/json' },
  connectTimeoutMs: 5_000,
  totalTimeoutMs: 5_000,
  ...over,
});

async function failureOf(p: Promise<unknown>): Promise<TransportError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TransportError);
    return err as TransportError;
  }
  throw new Error('expected a failure');
}

describe('node transport deadlines', () => {
  it('total deadline: a server that accepts but never answers', async () => {
    const port = await silentTcpServer();
    const started = Date.now();
    const err = await failureOf(transport()(request(`http://127.0.0.1:${port}/x`, { totalTimeoutMs: 250 })));
    expect(err.reason).toBe('timeout');
    expect(err.sent).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('connect deadline: a name that never resolves (DNS phase) is cut long before the total deadline', async () => {
    const neverResolves: net.LookupFunction = () => {};
    const started = Date.now();
    const err = await failureOf(
      transport({ lookup: neverResolves })(request('http://das.example.invalid/x', { connectTimeoutMs: 150, totalTimeoutMs: 10_000 })),
    );
    expect(err.reason).toBe('connect-timeout');
    expect(err.sent).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('connect deadline covers the TLS handshake: a TCP peer that never speaks TLS', async () => {
    const port = await silentTcpServer();
    const err = await failureOf(transport()(request(`https://127.0.0.1:${port}/x`, { connectTimeoutMs: 200, totalTimeoutMs: 10_000 })));
    expect(err.reason).toBe('connect-timeout');
    expect(err.sent).toBe(false);
  });

  it('closed port: a network error that certainly sent nothing', async () => {
    const port = await closedPort();
    const err = await failureOf(transport()(request(`http://127.0.0.1:${port}/x`)));
    expect(err).toMatchObject({ reason: 'network', sent: false, code: 'ECONNREFUSED' });
  });

  it('a slow answer on an established connection is not a connect timeout (also over a reused keep-alive socket)', async () => {
    const server = http.createServer((_req, res) => setTimeout(() => res.end('{"ok":true}'), 800));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
    const t = transport();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    for (let i = 0; i < 2; i++) {
      const res = await t(request(url, { connectTimeoutMs: 400, totalTimeoutMs: 10_000 }));
      expect(res.status).toBe(200);
      expect(res.text).toBe('{"ok":true}');
    }
  });
});

describe('deadlines and network failures through the client', () => {
  const listParams = { instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' };

  function client(endpoint: string, over: Partial<ConstructorParameters<typeof DasClient>[0]> = {}) {
    const events: DasAttemptEvent[] = [];
    const sleeps: number[] = [];
    const c = new DasClient({
      endpoint,
      projectId: PROJECT,
      credentials,
      sleep: async (ms) => void sleeps.push(ms),
      onAttempt: (e) => events.push(e),
      ...over,
    });
    cleanups.push(() => c.close());
    return { c, events, sleeps };
  }

  async function apiErrorOf(p: Promise<unknown>): Promise<DasApiError> {
    try {
      await p;
    } catch (err) {
      expect(err).toBeInstanceOf(DasApiError);
      return err as DasApiError;
    }
    throw new Error('expected a DasApiError');
  }

  it('reads: a refused connection is retried up to 3 attempts, then reported as network/ECONNREFUSED', async () => {
    const { c, events, sleeps } = client(`http://127.0.0.1:${await closedPort()}`);
    const err = await apiErrorOf(c.listProcesses(listParams));
    expect(err).toMatchObject({ kind: 'network', networkCode: 'ECONNREFUSED', httpStatus: 0, retryable: true, attempts: 3 });
    expect(events).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('reads: connect timeouts are retried; the kill is not, but is marked safe to repeat (never sent)', async () => {
    const t = transport({ lookup: () => {} });
    const { c, events } = client('http://das.example.invalid', { transport: t, connectTimeoutMs: 100, timeoutMs: 10_000 });
    const err = await apiErrorOf(c.listProcesses(listParams));
    expect(err).toMatchObject({ kind: 'timeout', timeoutPhase: 'connect', retryable: true, attempts: 3 });
    expect(events).toHaveLength(3);

    const kill = client('http://das.example.invalid', { transport: t, connectTimeoutMs: 100, timeoutMs: 10_000 });
    const killErr = await apiErrorOf(kill.c.deleteProcess({ instanceId: INSTANCE, dbUserId: DB_USER, processIds: [1] }));
    expect(killErr).toMatchObject({ kind: 'timeout', timeoutPhase: 'connect', retryable: true, attempts: 1 });
    expect(kill.events).toHaveLength(1);
  });

  it('the total deadline bounds the whole call, retries included', async () => {
    const port = await silentTcpServer();
    const { c, events } = client(`http://127.0.0.1:${port}`, { timeoutMs: 300 });
    const started = Date.now();
    const err = await apiErrorOf(c.listProcesses(listParams));
    expect(err).toMatchObject({ kind: 'timeout', timeoutPhase: 'total', attempts: 1 });
    expect(events).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('works over an injected fetch too (total deadline only)', async () => {
    const server = await startRecordingServer('SK-transport', () => ({ status: 200, body: { processes: [], count: 0 } }));
    cleanups.push(() => server.close());
    const { c } = client(server.url, { fetch: globalThis.fetch });
    expect(await c.listProcesses(listParams)).toEqual([]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.signatureValid).toBe(true);

    server.setHandler(() => ({ status: 200, hang: true }));
    const slow = client(server.url, { fetch: globalThis.fetch, timeoutMs: 200 });
    expect(await apiErrorOf(slow.c.deleteProcess({ instanceId: INSTANCE, dbUserId: DB_USER, processIds: [1] }))).toMatchObject({
      kind: 'timeout',
      timeoutPhase: 'total',
      retryable: false,
    });
  });
});
