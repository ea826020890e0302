// Requests to das-local signed by the official Huawei Cloud Node SDK signer (what a real client sends),
// and raw requests of exactly the bytes a test wants.
import http from 'node:http';
import { createRequire } from 'node:module';

export const PROJECT_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const INSTANCE_ID = 'da304cd5bbb944de828759bc7be3d3fein01';

interface AkskSigner {
  sign(
    request: { method: string; endpoint: string; queryParams: Record<string, unknown>; headers: Record<string, string>; data?: unknown },
    credential: { getAk(): string; getSk(): string },
  ): Record<string, string>;
}
const { AKSKSigner } = createRequire(import.meta.url)('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner') as { AKSKSigner: AkskSigner };

export interface OfficialRequest {
  method: string;
  path: string;
  query?: Array<[string, string]>;
  /** JSON body (sent as JSON.stringify(body), which is what the SDK hashes). */
  body?: unknown;
  headers?: Record<string, string>;
  ak: string;
  sk: string;
  securityToken?: string;
}

function encode(v: string): string {
  return encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Signs like the official Node SDK (content-type, x-project-id, x-security-token, host, x-sdk-date). */
export function officialSign(baseUrl: string, r: OfficialRequest): { path: string; headers: Record<string, string>; body: string | undefined } {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'X-Project-Id': PROJECT_ID, ...(r.headers ?? {}) };
  if (r.securityToken) headers['X-Security-Token'] = r.securityToken;
  const queryParams: Record<string, unknown> = {};
  for (const [k, v] of r.query ?? []) queryParams[k] = v;
  const signed = AKSKSigner.sign(
    { method: r.method, endpoint: `${url.origin}${r.path}`, queryParams, headers, ...(r.body === undefined ? {} : { data: r.body }) },
    { getAk: () => r.ak, getSk: () => r.sk },
  );
  const qs = (r.query ?? []).map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  return { path: qs ? `${r.path}?${qs}` : r.path, headers: signed, body: r.body === undefined ? undefined : JSON.stringify(r.body) };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** Sends exactly these bytes (node:http, so nothing is added but Content-Length). */
export function rawRequest(baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Signs with the official signer and sends. */
export async function call(baseUrl: string, r: OfficialRequest): Promise<RawResponse> {
  const s = officialSign(baseUrl, r);
  return rawRequest(baseUrl, r.method, s.path, s.headers, s.body);
}
