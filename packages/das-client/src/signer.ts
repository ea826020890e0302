// SDK-HMAC-SHA256, the Huawei Cloud API Gateway AK/SK signature (DAS-API.md §2), on node:crypto only.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'SDK-HMAC-SHA256';
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SigningCredentials {
  ak: string;
  sk: string;
  /** Temporary (STS) credentials carry a token that must be sent and signed as X-Security-Token. */
  securityToken?: string;
}

export type QueryPairs = ReadonlyArray<readonly [string, string]>;

/** RFC 3986: everything but A-Z a-z 0-9 - _ . ~ is %XX (uppercase, UTF-8). */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Decode then re-encode each path segment and always end with '/' (the request is sent without it). */
export function canonicalUri(path: string): string {
  const encoded = path
    .split('/')
    .map((segment) => encodeRfc3986(safeDecode(segment)))
    .join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

/** UTF-16 code-unit order (JavaScript's default string comparison). */
function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorted by the *decoded* key, then the decoded value (repeated keys), each side RFC 3986 encoded,
 * joined by '&'. Every official signer (Node, Go, Python, the APIG SDKs) sorts the raw names and
 * values before encoding; sorting the encoded forms differs as soon as a name or value holds a
 * character above '-' that gets escaped (':' '@' '[' non-ASCII …), e.g. `a:` vs `a0`.
 * Ordering is by UTF-16 code unit, like the Node SDK and Java; Go orders by code point, which
 * differs only between astral characters and U+E000–U+FFFF.
 */
export function canonicalQuery(pairs: QueryPairs): string {
  return [...pairs]
    .sort((a, b) => compareCodePoints(a[0], b[0]) || compareCodePoints(a[1], b[1]))
    .map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`)
    .join('&');
}

/** Parse a raw query string ("a=1&b=%20") into decoded pairs; '+' is kept literally as the gateway does. */
export function parseQuery(rawQuery: string): Array<[string, string]> {
  if (!rawQuery) return [];
  return rawQuery
    .split('&')
    .filter((part) => part.length > 0)
    .map((part) => {
      const eq = part.indexOf('=');
      const key = eq === -1 ? part : part.slice(0, eq);
      const value = eq === -1 ? '' : part.slice(eq + 1);
      return [safeDecode(key), safeDecode(value)];
    });
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** YYYYMMDDTHHMMSSZ in UTC. */
export function formatSdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Parses YYYYMMDDTHHMMSSZ; undefined when malformed. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return formatSdkDate(date) === value ? date : undefined;
}

export interface CanonicalRequestInput {
  method: string;
  path: string;
  query: QueryPairs;
  /** Header names (any case) → values; every one of them is signed. */
  headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the exact body bytes sent. */
  payloadHash: string;
}

export function signedHeaderNames(headers: Readonly<Record<string, string>>): string[] {
  return Object.keys(headers)
    .map((name) => name.toLowerCase())
    .sort(compareCodePoints);
}

export function canonicalRequest(input: CanonicalRequestInput): { canonical: string; signedHeaders: string } {
  const lower = new Map(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const names = signedHeaderNames(input.headers);
  const canonicalHeaders = names.map((name) => `${name}:${(lower.get(name) ?? '').trim()}\n`).join('');
  const signedHeaders = names.join(';');
  const canonical = [
    input.method.toUpperCase(),
    canonicalUri(input.path),
    canonicalQuery(input.query),
    canonicalHeaders,
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  return { canonical, signedHeaders };
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

export function signature(sk: string, toSign: string): string {
  return createHmac('sha256', sk).update(toSign, 'utf8').digest('hex');
}

export function authorizationHeader(ak: string, signedHeaders: string, sig: string): string {
  return `${ALGORITHM} Access=${ak}, SignedHeaders=${signedHeaders}, Signature=${sig}`;
}

export interface SignRequestInput {
  method: string;
  /** Full URL; its path and query are what gets signed. */
  url: URL;
  /** Headers to send and sign. Host and X-Sdk-Date are added when absent. */
  headers?: Readonly<Record<string, string>>;
  /** Exact body bytes that will be sent. */
  body?: string | Uint8Array;
}

/**
 * Returns the full header set to send (input headers + host + X-Sdk-Date [+ X-Security-Token] +
 * Authorization). The security token is added before signing so that it is signed.
 */
export function signRequest(input: SignRequestInput, credentials: SigningCredentials, now: Date): Record<string, string> {
  const headers: Record<string, string> = { ...(input.headers ?? {}) };
  const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  if (!has('x-sdk-date')) headers['X-Sdk-Date'] = formatSdkDate(now);
  if (!has('host')) headers.host = input.url.host;
  if (credentials.securityToken && !has('x-security-token')) headers['X-Security-Token'] = credentials.securityToken;
  headers.Authorization = authorizeExactly(
    { method: input.method, url: input.url, headers, ...(input.body === undefined ? {} : { body: input.body }) },
    credentials,
  );
  return headers;
}

/** The Authorization value for exactly these headers (nothing added); they must include X-Sdk-Date. */
export function authorizeExactly(
  input: Required<Pick<SignRequestInput, 'method' | 'url' | 'headers'>> & Pick<SignRequestInput, 'body'>,
  credentials: Pick<SigningCredentials, 'ak' | 'sk'>,
): string {
  const sdkDate = Object.entries(input.headers).find(([k]) => k.toLowerCase() === 'x-sdk-date')?.[1] ?? '';
  // X-Sdk-Content-Sha256 (e.g. UNSIGNED-PAYLOAD) replaces the body hash, as in every official signer.
  const declaredHash = Object.entries(input.headers).find(([k]) => k.toLowerCase() === 'x-sdk-content-sha256')?.[1];
  const payloadHash =
    declaredHash !== undefined && declaredHash !== ''
      ? declaredHash
      : input.body === undefined || input.body.length === 0
        ? EMPTY_BODY_SHA256
        : sha256Hex(input.body);
  const { canonical, signedHeaders } = canonicalRequest({
    method: input.method,
    path: input.url.pathname,
    query: parseQuery(input.url.search.replace(/^\?/, '')),
    headers: input.headers,
    payloadHash,
  });
  return authorizationHeader(credentials.ak, signedHeaders, signature(credentials.sk, stringToSign(sdkDate, canonical)));
}

export interface ParsedAuthorization {
  ak: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION_RE = /^SDK-HMAC-SHA256 Access=([^,\s]+), SignedHeaders=([^,\s]+), Signature=([0-9a-f]{64})$/;

export function parseAuthorization(value: string | undefined): ParsedAuthorization | undefined {
  const m = value ? AUTHORIZATION_RE.exec(value) : null;
  if (!m) return undefined;
  return { ak: m[1]!, signedHeaders: m[2]!.split(';'), signature: m[3]! };
}

/** Constant-time comparison of two lowercase hex signatures. */
export function signaturesEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
