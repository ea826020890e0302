// A loopback HTTP server for the client tests: records every request and answers from a script.
// It also checks each request's signature with the known SK, the way the API Gateway does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorizeExactly, parseAuthorization } from '../signer.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Whether the Authorization header verifies against `sk` over the received request. */
  signatureValid: boolean;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (the socket stays open). */
  hang?: boolean;
  /** Answer after this many ms. */
  delayMs?: number;
}

export type Handler = (req: RecordedRequest, index: number) => Reply;

export interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** The most requests received and not yet answered at one time. */
  peakInFlight(): number;
  setHandler(handler: Handler): void;
  close(): Promise<void>;
}

export async function startRecordingServer(sk: string, handler: Handler = () => ({ status: 200, body: {} })): Promise<RecordingServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let peakInFlight = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://placeholder');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        signatureValid: verify(req, body, sk),
      };
      requests.push(recorded);
      const reply = current(recorded, requests.length - 1);
      if (reply.hang) return;
      peakInFlight = Math.max(peakInFlight, ++inFlight);
      const answer = () => {
        inFlight--;
        const payload = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        res.writeHead(reply.status, { 'Content-Type': 'application/json', ...(reply.headers ?? {}) });
        res.end(payload);
      };
      if (reply.delayMs === undefined) answer();
      else setTimeout(answer, reply.delayMs);
    });
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    peakInFlight: () => peakInFlight,
    setHandler(h) {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function verify(req: http.IncomingMessage, body: string, sk: string): boolean {
  const auth = parseAuthorization(req.headers.authorization);
  if (!auth) return false;
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = req.headers[name];
    if (typeof value !== 'string') return false;
    headers[name] = value;
  }
  const expected = authorizeExactly(
    { method: req.method ?? '', url: new URL(req.url ?? '/', `http://${req.headers.host ?? 'x'}`), headers, body },
    { ak: auth.ak, sk },
  );
  return expected === req.headers.authorization;
}
