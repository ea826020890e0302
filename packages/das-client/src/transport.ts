// One HTTP exchange with a connect deadline and a total deadline, on node:http/node:https
// (no undici, no dependencies). A fetch-based variant exists for callers that inject fetch.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface TransportRequest {
  method: string;
  url: URL;
  /** Exactly the headers to send (the signed ones included). */
  headers: Readonly<Record<string, string>>;
  body?: string;
  /** Deadline for DNS + TCP + TLS; a reused keep-alive connection meets it at once. */
  connectTimeoutMs: number;
  /** Deadline for the whole exchange, until the last byte of the response body. */
  totalTimeoutMs: number;
  /**
   * Whether a pooled keep-alive connection may carry this request (default true). The client says
   * no for writes: a pooled connection the server has just closed fails with ECONNRESET after the
   * request was written, and for a kill that would be an error of unknown outcome.
   */
  reuseConnection?: boolean;
}

export interface TransportResponse {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

/**
 * Why an exchange produced no response. `sent` tells whether the request may have reached the
 * server (false only when the connection was never established), which decides whether a write
 * may be repeated.
 */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly reason: 'connect-timeout' | 'timeout' | 'network',
    readonly sent: boolean,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

export interface NodeTransport extends Transport {
  /** Closes idle keep-alive connections. */
  close(): void;
}

/** Refuse to buffer more than this; DAS pages are a few hundred kB at most. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

// Errors that happen before a connection exists: the request cannot have reached the server.
const CONNECT_PHASE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

export function createNodeTransport(options: { lookup?: LookupFunction; keepAlive?: boolean } = {}): NodeTransport {
  const keepAlive = options.keepAlive ?? true;
  const httpAgent = new http.Agent({ keepAlive, maxSockets: 16 });
  const httpsAgent = new https.Agent({ keepAlive, maxSockets: 16 });
  const freshHttpAgent = new http.Agent({ keepAlive: false });
  const freshHttpsAgent = new https.Agent({ keepAlive: false });

  const transport = (request: TransportRequest): Promise<TransportResponse> =>
    new Promise((resolve, reject) => {
      const secure = request.url.protocol === 'https:';
      const headers: Record<string, string> = { ...request.headers };
      if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
      let connected = false;
      let settled = false;

      const req = (secure ? https : http).request(request.url, {
        method: request.method,
        headers,
        agent: request.reuseConnection === false ? (secure ? freshHttpsAgent : freshHttpAgent) : secure ? httpsAgent : httpAgent,
        ...(options.lookup ? { lookup: options.lookup } : {}),
      });

      const finish = (error: TransportError | undefined, response?: TransportResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        clearTimeout(totalTimer);
        if (error) {
          req.destroy();
          reject(error);
        } else {
          resolve(response!);
        }
      };

      const connectTimer = setTimeout(
        () => finish(new TransportError('connect-timeout', false, undefined, `no connection within ${request.connectTimeoutMs} ms`)),
        request.connectTimeoutMs,
      );
      const totalTimer = setTimeout(
        () => finish(new TransportError('timeout', connected, undefined, `no complete answer within ${request.totalTimeoutMs} ms`)),
        request.totalTimeoutMs,
      );

      req.on('socket', (socket) => {
        const onConnected = () => {
          connected = true;
          clearTimeout(connectTimer);
        };
        if (!socket.connecting) onConnected(); // a reused keep-alive connection (TLS already done)
        else if (secure) (socket as TLSSocket).once('secureConnect', onConnected);
        else socket.once('connect', onConnected);
      });

      req.on('error', (err: NodeJS.ErrnoException) => {
        const code = typeof err.code === 'string' ? err.code : undefined;
        // Before the connection was established nothing can have been sent.
        finish(new TransportError('network', connected, code, code ?? 'network error'));
      });

      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            finish(new TransportError('network', true, 'ERESPONSETOOLARGE', `response larger than ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err: NodeJS.ErrnoException) => {
          finish(new TransportError('network', true, typeof err.code === 'string' ? err.code : undefined, 'response interrupted'));
        });
        res.on('end', () => {
          const raw = res.headers;
          finish(undefined, {
            status: res.statusCode ?? 0,
            headers: {
              get(name: string) {
                const value = raw[name.toLowerCase()];
                return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
              },
            },
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });

      if (request.body !== undefined) req.end(request.body);
      else req.end();
    });

  return Object.assign(transport, {
    close() {
      for (const agent of [httpAgent, httpsAgent, freshHttpAgent, freshHttpsAgent]) agent.destroy();
    },
  });
}

/**
 * A transport over an injected fetch (tests, or a caller's instrumented fetch). fetch exposes no
 * connect phase, so only the total deadline is enforced here; connectTimeoutMs is not.
 */
export function createFetchTransport(fetchImpl: typeof fetch): Transport {
  return async (request) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      // fetch derives Host and Content-Length itself (and the signed host equals URL.host).
      if (name.toLowerCase() !== 'host' && name.toLowerCase() !== 'content-length') headers[name] = value;
    }
    let response: Response;
    const signal = AbortSignal.timeout(request.totalTimeoutMs);
    try {
      response = await fetchImpl(request.url, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal,
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text };
    } catch (err) {
      if (signal.aborted) throw new TransportError('timeout', true, undefined, `no complete answer within ${request.totalTimeoutMs} ms`);
      const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
      const code = typeof cause?.code === 'string' ? cause.code : undefined;
      throw new TransportError('network', code === undefined || !CONNECT_PHASE_CODES.has(code), code, code ?? 'network error');
    }
  };
}
