// The BFF as the browser uses it: login cookie, CSRF token from the who-am-I route, JSON bodies.
// Sent over node:http keep-alive connections, the HTTP stack DasClient's transport uses: a comparison
// of the BFF with DasClient straight to das-local then differs by the BFF, not by the client library
// (fetch cost the caller about 0.4 ms more CPU a request than node:http on the bench machine).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { KillPreview, KillResult } from '@quell/contracts/kill';
import type { SessionListResponse } from '@quell/contracts/sessions';
import { pathOf, routes } from '@quell/contracts/routes';
import { decodeSessionColumns } from '@quell/contracts/session-columns';

const agent = new http.Agent({ keepAlive: true });

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One HTTP exchange over the shared keep-alive agent (also the bench's other plain-HTTP callers). */
export function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export class BffClient {
  #cookie = '';
  #csrf = '';
  constructor(readonly url: string) {}

  /** The login cookie, for a caller that times its own requests (bench/tools/profile-listing.ts). */
  get cookie(): string {
    return this.#cookie;
  }

  static async login(url: string, username: string, password: string): Promise<BffClient> {
    const c = new BffClient(url);
    const res = await send(`${url}${pathOf(routes.login)}`, 'POST', { 'content-type': 'application/json' }, JSON.stringify({ username, password }));
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
    const setCookie = (res.headers['set-cookie'] ?? []).map((h) => h.split(';')[0]!);
    c.#cookie = setCookie.join('; ');
    const me = (await c.#json('GET', pathOf(routes.me))) as { csrfToken: string };
    c.#csrf = me.csrfToken;
    return c;
  }

  async #json(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, expect = [200, 201]): Promise<unknown> {
    const res = await send(
      `${this.url}${path}`,
      method,
      {
        cookie: this.#cookie,
        ...(method === 'GET' ? {} : { 'x-csrf-token': this.#csrf, 'content-type': 'application/json' }),
        ...headers,
      },
      body === undefined ? undefined : JSON.stringify(body),
    );
    const { text } = res;
    if (!expect.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text);
  }

  listSessions(instanceId: string, filter: { user?: string; database?: string }): Promise<SessionListResponse> {
    const qs = new URLSearchParams(filter as Record<string, string>).toString();
    return this.#json('GET', `${pathOf(routes.sessions, { instanceId })}?${qs}`) as Promise<SessionListResponse>;
  }

  /** The listing as the web app reads it: the compact form, decoded into sessions. */
  async listSessionColumns(instanceId: string, filter: { user?: string; database?: string }): Promise<SessionListResponse> {
    const qs = new URLSearchParams(filter as Record<string, string>).toString();
    const decoded = decodeSessionColumns(await this.#json('GET', `${pathOf(routes.sessionColumns, { instanceId })}?${qs}`));
    if (!decoded.ok) throw new Error(`session columns: ${decoded.issue.path.join('.')}: ${decoded.issue.message}`);
    return decoded.value;
  }

  preview(instanceId: string, request: { user?: string; database?: string; sessionIds?: number[] }): Promise<KillPreview> {
    return this.#json('POST', pathOf(routes.killPreviews, { instanceId }), request) as Promise<KillPreview>;
  }

  commit(previewId: string, body: { reason: string; confirmInstanceName?: string }): Promise<KillResult> {
    return this.#json('POST', pathOf(routes.commitPreview, { previewId }), body, { 'idempotency-key': randomUUID() }) as Promise<KillResult>;
  }
}
