// SDK-HMAC-SHA256, the Huawei Cloud API Gateway AK/SK signature (DAS-API.md §2), on node:crypto only.
// Hot path notes (bench/signing.bench.ts): one-shot crypto.hash instead of createHash objects, the
// HMAC key object cached per SK, unreserved strings passed through without encodeURIComponent, and
// signParts() for callers that hold the raw path segments and query pairs (no URL parse/decode).
import { createHash, createHmac, createSecretKey, hash as oneShotHash, timingSafeEqual, type KeyObject } from 'node:crypto';

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
const UNRESERVED_ONLY = /^[A-Za-z0-9_.~-]*$/;

export function encodeRfc3986(value: string): string {
  if (UNRESERVED_ONLY.test(value)) return value;
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(segment: string): string {
  if (!segment.includes('%')) return segment;
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

export const sha256Hex: (data: string | Uint8Array) => string =
  typeof oneShotHash === 'function'
    ? (data) => oneShotHash('sha256', data, 'hex')
    : (data) => createHash('sha256').update(data).digest('hex');

/** YYYYMMDDTHHMMSSZ in UTC. */
let lastSecond = Number.NaN;
let lastFormatted = '';

export function formatSdkDate(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second === lastSecond) return lastFormatted;
  lastFormatted = formatUncached(date);
  lastSecond = second;
  return lastFormatted;
}

function formatUncached(date: Date): string {
  const y = date.getUTCFullYear();
  if (y < 1000 || y > 9999) return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${y}${pad2(date.getUTCMonth() + 1)}${pad2(date.getUTCDate())}T${pad2(date.getUTCHours())}${pad2(date.getUTCMinutes())}${pad2(date.getUTCSeconds())}Z`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
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

/** `name:value\n` lines (names lowercased, sorted; values trimmed) and the `a;b;c` list. */
function canonicalHeaders(headers: Readonly<Record<string, string>>): { block: string; signedHeaders: string } {
  const entries: Array<[string, string]> = [];
  for (const name of Object.keys(headers)) entries.push([name.toLowerCase(), headers[name]!]);
  entries.sort((a, b) => compareCodePoints(a[0], b[0]));
  let block = '';
  let signedHeaders = '';
  for (let i = 0; i < entries.length; i++) {
    const [name, value] = entries[i]!;
    block += `${name}:${value.trim()}\n`;
    signedHeaders += i === 0 ? name : `;${name}`;
  }
  return { block, signedHeaders };
}

function assemble(method: string, uri: string, query: string, headers: Readonly<Record<string, string>>, payloadHash: string) {
  const { block, signedHeaders } = canonicalHeaders(headers);
  return { canonical: `${method.toUpperCase()}\n${uri}\n${query}\n${block}\n${signedHeaders}\n${payloadHash}`, signedHeaders };
}

export function canonicalRequest(input: CanonicalRequestInput): { canonical: string; signedHeaders: string } {
  return assemble(input.method, canonicalUri(input.path), canonicalQuery(input.query), input.headers, input.payloadHash);
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

// Building the HMAC key object is a fair share of the cost; credentials rarely change, so keep one.
let cachedSk: string | undefined;
let cachedKey: KeyObject | undefined;

export function signature(sk: string, toSign: string): string {
  if (sk !== cachedSk || cachedKey === undefined) {
    cachedKey = createSecretKey(Buffer.from(sk, 'utf8'));
    cachedSk = sk;
  }
  return createHmac('sha256', cachedKey).update(toSign, 'utf8').digest('hex');
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

function authorize(
  method: string,
  uri: string,
  query: string,
  headers: Readonly<Record<string, string>>,
  body: string | Uint8Array | undefined,
  credentials: Pick<SigningCredentials, 'ak' | 'sk'>,
): string {
  let sdkDate = '';
  let declaredHash: string | undefined;
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'x-sdk-date') sdkDate = headers[name]!;
    // X-Sdk-Content-Sha256 (e.g. UNSIGNED-PAYLOAD) replaces the body hash, as in every official signer.
    else if (lower === 'x-sdk-content-sha256') declaredHash = headers[name];
  }
  const payloadHash = declaredHash ? declaredHash : body === undefined || body.length === 0 ? EMPTY_BODY_SHA256 : sha256Hex(body);
  const { canonical, signedHeaders } = assemble(method, uri, query, headers, payloadHash);
  return authorizationHeader(credentials.ak, signedHeaders, signature(credentials.sk, stringToSign(sdkDate, canonical)));
}

/**
 * Returns the full header set to send (input headers + host + X-Sdk-Date [+ X-Security-Token] +
 * Authorization). The security token is added before signing so that it is signed.
 */
export function signRequest(input: SignRequestInput, credentials: SigningCredentials, now: Date): Record<string, string> {
  const search = input.url.search;
  return signCore(
    input.method,
    canonicalUri(input.url.pathname),
    canonicalQuery(parseQuery(search.length > 1 ? search.slice(1) : '')),
    input.headers,
    input.url.host,
    input.body,
    credentials,
    now,
  );
}

const byName = (a: readonly [string, string], b: readonly [string, string]) => compareCodePoints(a[0], b[0]);

/**
 * The signing hot path in one pass over the headers: copy them, note the special ones, add host /
 * X-Sdk-Date / X-Security-Token, build the canonical request and sign it.
 */
function signCore(
  method: string,
  uri: string,
  query: string,
  input: Readonly<Record<string, string>> | undefined,
  host: string,
  body: string | Uint8Array | undefined,
  credentials: SigningCredentials,
  now: Date,
): Record<string, string> {
  const out: Record<string, string> = {};
  const entries: Array<[string, string]> = [];
  let sdkDate: string | undefined;
  let hasHost = false;
  let hasToken = false;
  let declaredHash: string | undefined;
  if (input) {
    for (const name in input) {
      const value = input[name]!;
      out[name] = value;
      const lower = name.toLowerCase();
      entries.push([lower, value]);
      if (lower === 'x-sdk-date') sdkDate = value;
      else if (lower === 'host') hasHost = true;
      else if (lower === 'x-security-token') hasToken = true;
      else if (lower === 'x-sdk-content-sha256') declaredHash = value;
    }
  }
  if (sdkDate === undefined) {
    sdkDate = formatSdkDate(now);
    out['X-Sdk-Date'] = sdkDate;
    entries.push(['x-sdk-date', sdkDate]);
  }
  if (!hasHost) {
    out.host = host;
    entries.push(['host', host]);
  }
  if (credentials.securityToken && !hasToken) {
    out['X-Security-Token'] = credentials.securityToken;
    entries.push(['x-security-token', credentials.securityToken]);
  }
  entries.sort(byName);
  let block = '';
  let signedHeaders = '';
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    block += `${entry[0]}:${entry[1].trim()}\n`;
    signedHeaders += i === 0 ? entry[0] : `;${entry[0]}`;
  }
  const payloadHash = declaredHash ? declaredHash : body === undefined || body.length === 0 ? EMPTY_BODY_SHA256 : sha256Hex(body);
  const canonical = `${method.toUpperCase()}\n${uri}\n${query}\n${block}\n${signedHeaders}\n${payloadHash}`;
  out.Authorization = authorizationHeader(credentials.ak, signedHeaders, signature(credentials.sk, stringToSign(sdkDate, canonical)));
  return out;
}

export interface SignPartsInput {
  method: string;
  /** `hostname[:port]` exactly as sent (URL.host). */
  host: string;
  /** The path as raw, unencoded segments: `/v3/p/instances` is `['v3', 'p', 'instances']`. */
  pathSegments: readonly string[];
  /** Raw, unencoded query pairs, in any order (the wire query must encode them with encodeRfc3986). */
  query: QueryPairs;
  headers?: Readonly<Record<string, string>>;
  body?: string | Uint8Array;
}

/**
 * signRequest for callers that hold the raw parts (the DAS client does): the same signature without
 * parsing a URL and decoding what was just encoded. Build the wire URL with `wirePath`/`wireQuery`.
 */
export function signParts(input: SignPartsInput, credentials: SigningCredentials, now: Date): Record<string, string> {
  const encodedPath = wirePath(input.pathSegments);
  const uri = encodedPath.endsWith('/') ? encodedPath : `${encodedPath}/`;
  return signCore(input.method, uri, canonicalQuery(input.query), input.headers, input.host, input.body, credentials, now);
}

/** `/a/b` from raw segments, each RFC 3986 encoded. */
export function wirePath(segments: readonly string[]): string {
  let out = '';
  for (const segment of segments) out += `/${encodeRfc3986(segment)}`;
  return out || '/';
}

/** The query string (without '?') for raw pairs, in the given order. */
export function wireQuery(pairs: QueryPairs): string {
  let out = '';
  for (const [k, v] of pairs) out += `${out ? '&' : ''}${encodeRfc3986(k)}=${encodeRfc3986(v)}`;
  return out;
}

/** The Authorization value for exactly these headers (nothing added); they must include X-Sdk-Date. */
export function authorizeExactly(
  input: Required<Pick<SignRequestInput, 'method' | 'url' | 'headers'>> & { body?: string | Uint8Array | undefined },
  credentials: Pick<SigningCredentials, 'ak' | 'sk'>,
): string {
  const search = input.url.search;
  return authorize(
    input.method,
    canonicalUri(input.url.pathname),
    canonicalQuery(parseQuery(search.length > 1 ? search.slice(1) : '')),
    input.headers,
    input.body,
    credentials,
  );
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
