// The BFF as the browser uses it: login cookie, CSRF token from the who-am-I route, JSON bodies.
import { randomUUID } from 'node:crypto';
import type { KillPreview, KillResult } from '@quell/contracts/kill';
import type { SessionListResponse } from '@quell/contracts/sessions';
import { pathOf, routes } from '@quell/contracts/routes';

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
    const res = await fetch(`${url}${pathOf(routes.login)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    const setCookie = res.headers.getSetCookie().map((h) => h.split(';')[0]!);
    c.#cookie = setCookie.join('; ');
    const me = (await c.#json('GET', pathOf(routes.me))) as { csrfToken: string };
    c.#csrf = me.csrfToken;
    return c;
  }

  async #json(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, expect = [200, 201]): Promise<unknown> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        cookie: this.#cookie,
        ...(method === 'GET' ? {} : { 'x-csrf-token': this.#csrf, 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!expect.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text);
  }

  listSessions(instanceId: string, filter: { user?: string; database?: string }): Promise<SessionListResponse> {
    const qs = new URLSearchParams(filter as Record<string, string>).toString();
    return this.#json('GET', `${pathOf(routes.sessions, { instanceId })}?${qs}`) as Promise<SessionListResponse>;
  }

  preview(instanceId: string, request: { user?: string; database?: string; sessionIds?: number[] }): Promise<KillPreview> {
    return this.#json('POST', pathOf(routes.killPreviews, { instanceId }), request) as Promise<KillPreview>;
  }

  commit(previewId: string, body: { reason: string; confirmInstanceName?: string }): Promise<KillResult> {
    return this.#json('POST', pathOf(routes.commitPreview, { previewId }), body, { 'idempotency-key': randomUUID() }) as Promise<KillResult>;
  }
}
