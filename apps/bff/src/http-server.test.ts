// Slow clients against a real listening server: a body trickled byte by byte is cut off at the request
// timeout, and an /api request with a body but no login is answered 401 before its body is read.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type QuellApp } from './app.ts';
import { createFileUserDirectory, upsertUser } from './auth/users-file.ts';
import { createHttpServer } from './http-server.ts';
import { openSqliteStores } from './stores/sqlite.ts';
import type { Stores } from './stores/types.ts';
import { FakeDas, FAKE_INSTANCE as instance } from '../test/fake-das.ts';


interface RawExchange {
  /** What the server sent before closing (or by the time we gave up). */
  text: string;
  /** ms from the first byte sent until the server closed the connection (undefined: still open). */
  closedAfterMs: number | undefined;
  /** ms until the first byte of the answer. */
  answeredAfterMs: number | undefined;
}

/** Sends `head`, then the body one byte every `everyMs`, for at most `forMs`. */
function trickle(port: number, head: string, body: string, everyMs: number, forMs: number): Promise<RawExchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let answeredAfterMs: number | undefined;
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedAfterMs: number | undefined) => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ text, closedAfterMs, answeredAfterMs });
    };
    const giveUp = setTimeout(() => finish(undefined), forMs);
    socket.on('data', (d: Buffer) => {
      answeredAfterMs ??= Date.now() - started;
      text += d.toString('utf8');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(Date.now() - started));
    socket.write(head);
    timer = setInterval(() => {
      if (sent < body.length && !socket.destroyed) socket.write(body[sent++]!);
    }, everyMs);
  });
}

describe('slow clients against a real server', () => {
  let quell: QuellApp;
  let stores: Stores;
  let server: ReturnType<typeof createHttpServer>;
  let port: number;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'quell-slow-'));
    const usersFile = path.join(dir, 'users.json');
    await upsertUser(usersFile, 'op', 'operator password', 'operator');
    stores = openSqliteStores(':memory:');
    quell = createApp({
      config: { instances: [instance], sessionSecret: randomBytes(32).toString('hex'), webDist: path.join(dir, 'none'), cookieSecure: false, sessionIdleMinutes: 30, trustProxy: false },
      das: () => new FakeDas(),
      stores,
      users: createFileUserDirectory(usersFile),
    });
    server = createHttpServer(quell.app, { headersTimeoutMs: 1_000, requestTimeoutMs: 1_500, maxConnections: 5, checkEveryMs: 200 });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await quell.shutdown();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await stores.close();
  });

  it('cuts off a login body trickled at 5 bytes/s at the request timeout', async () => {
    const body = JSON.stringify({ username: 'op', password: 'operator password' });
    const head = `POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const r = await trickle(port, head, body, 200, 6_000);
    expect(r.closedAfterMs).toBeDefined();
    expect(r.closedAfterMs!).toBeLessThan(1_500 + 1_000);
    expect(r.text).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it('cuts off headers that never end at the headers timeout', async () => {
    const r = await trickle(port, `GET /api/me HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`, 'X-Slow: ' + 'a'.repeat(100), 100, 6_000);
    expect(r.closedAfterMs).toBeDefined();
    expect(r.closedAfterMs!).toBeLessThan(1_000 + 1_000);
  });

  it('answers 401 to an /api body without a login before reading it, and drops the connection', async () => {
    const head = `POST /api/instances/unit/kill-previews HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`;
    const r = await trickle(port, head, '{"x":"' + 'a'.repeat(1000), 200, 3_000);
    expect(r.text).toMatch(/^HTTP\/1\.1 401/);
    expect(r.answeredAfterMs!).toBeLessThan(500);
    expect(r.closedAfterMs).toBeDefined();
    expect(r.closedAfterMs!).toBeLessThan(1_000);
  });

  it('refuses connections beyond the cap', async () => {
    const idle: net.Socket[] = [];
    for (let i = 0; i < 5; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      await new Promise<void>((r) => s.once('connect', () => r()));
      idle.push(s);
    }
    await new Promise((r) => setTimeout(r, 100));
    const extra = await trickle(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, '', 100, 2_000);
    expect(extra.text).toBe('');
    expect(extra.closedAfterMs).toBeDefined();
    for (const s of idle) s.destroy();
  });
});
