// SDK-HMAC-SHA256, the Huawei Cloud API Gateway AK/SK signature (DAS-API.md §2), on node:crypto only.
// Hot path notes (bench/signing.bench.ts): one-shot crypto.hash instead of createHash/createHmac
// objects (HMAC as two hashes over key blocks cached per SK), unreserved strings passed through
// without encodeURIComponent (ids seen before without a regex test), header names lower-cased once
// each, the few query pairs and headers sorted by insertion instead of
// Array.prototype.sort, and signParts() for callers that hold the raw path segments and query
// pairs (no URL parse/decode).
import { createHash, createHmac, hash as oneShotHash, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'SDK-HMAC-SHA256';
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SigningCredentials {
  ak: string;
  sk: string;
  /** Temporary (STS) credentials carry a token that must be sent and signed as X-Security-Token. */
  securityToken?: string;
}

export type QueryPairs = ReadonlyArray<readonly [string, string]>;

// Above a dozen characters one compiled regex test beats a char-code loop (about 2× on 36-character
// ids), most of all on concatenated strings, which a charCodeAt loop walks through their rope.
const NEEDS_ESCAPE = /[^A-Za-z0-9\-._~]/;
/** What encodeURIComponent leaves as is but RFC 3986 escapes. */
const KEPT_BY_URI_COMPONENT = /[!'()*]/;

/** Short strings (names, numbers, path words) are checked faster by a char-code loop than by a regex call. */
function isShortUnreserved(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x2d || c === 0x2e || c === 0x7e)) return false;
  }
  return true;
}

// The ids in a DAS path and query (project, instance, db user: 32 to 36 characters) come back in
// every request: those already seen to need no escaping are remembered, a set lookup instead of a
// regex test. Bounded: emptied when full (as the header names below).
const KNOWN_UNRESERVED = new Set<string>();
const MEMO_MAX = 1024;

function isLongUnreserved(value: string): boolean {
  if (KNOWN_UNRESERVED.has(value)) return true;
  if (NEEDS_ESCAPE.test(value)) return false;
  if (KNOWN_UNRESERVED.size >= MEMO_MAX) KNOWN_UNRESERVED.clear();
  KNOWN_UNRESERVED.add(value);
  return true;
}

/** RFC 3986: everything but A-Z a-z 0-9 - _ . ~ is %XX (uppercase, UTF-8). */
export function encodeRfc3986(value: string): string {
  if (value.length <= 12 ? isShortUnreserved(value) : isLongUnreserved(value)) return value;
  const encoded = encodeURIComponent(value);
  return KEPT_BY_URI_COMPONENT.test(encoded) ? encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded;
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
  const sorted = sortedPairs(pairs);
  let out = '';
  for (let i = 0; i < sorted.length; i++) {
    const pair = sorted[i]!;
    if (i > 0) out += '&';
    out += encodeRfc3986(pair[0]);
    out += '=';
    out += encodeRfc3986(pair[1]);
  }
  return out;
}

// Queries and header sets are a handful of entries: an inline insertion sort avoids
// Array.prototype.sort calling a comparator function for each comparison.
const SMALL = 16;

function sortedPairs(pairs: QueryPairs): QueryPairs {
  if (pairs.length < 2) return pairs;
  if (pairs.length > SMALL) return pairs.slice().sort(byNameThenValue);
  const out = pairs.slice();
  for (let i = 1; i < out.length; i++) {
    const pair = out[i]!;
    let j = i - 1;
    while (j >= 0 && byNameThenValue(out[j]!, pair) > 0) {
      out[j + 1] = out[j]!;
      j--;
    }
    out[j + 1] = pair;
  }
  return out;
}

function byNameThenValue(a: readonly [string, string], b: readonly [string, string]): number {
  return compareCodePoints(a[0], b[0]) || compareCodePoints(a[1], b[1]);
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

/**
 * `name:value\n` lines sorted by name, values trimmed, and the `a;b;c` list. `names` are already
 * lowercased; both arrays are sorted in place (stable, so repeated names keep their order).
 */
function headerBlock(names: string[], values: string[]): { block: string; signedHeaders: string } {
  const n = names.length;
  if (n > SMALL) {
    const entries = names.map((name, i): [string, string] => [name, values[i]!]).sort((x, y) => compareCodePoints(x[0], y[0]));
    for (let i = 0; i < n; i++) [names[i], values[i]] = entries[i]!;
  } else {
    for (let i = 1; i < n; i++) {
      const name = names[i]!;
      const value = values[i]!;
      let j = i - 1;
      while (j >= 0 && names[j]! > name) {
        names[j + 1] = names[j]!;
        values[j + 1] = values[j]!;
        j--;
      }
      names[j + 1] = name;
      values[j + 1] = value;
    }
  }
  let block = '';
  let signedHeaders = '';
  for (let i = 0; i < n; i++) {
    block += names[i]!;
    block += ':';
    block += values[i]!.trim();
    block += '\n';
    if (i > 0) signedHeaders += ';';
    signedHeaders += names[i]!;
  }
  return { block, signedHeaders };
}

function canonicalHeaders(headers: Readonly<Record<string, string>>): { block: string; signedHeaders: string } {
  const names: string[] = [];
  const values: string[] = [];
  for (const name of Object.keys(headers)) {
    names.push(name.toLowerCase());
    values.push(headers[name]!);
  }
  return headerBlock(names, values);
}

function assemble(method: string, uri: string, query: string, headers: Readonly<Record<string, string>>, payloadHash: string) {
  const { block, signedHeaders } = canonicalHeaders(headers);
  return { canonical: canonicalText(method, uri, query, block, signedHeaders, payloadHash), signedHeaders };
}

function canonicalText(method: string, uri: string, query: string, block: string, signedHeaders: string, payloadHash: string): string {
  return `${method.toUpperCase()}\n${uri}\n${query}\n${block}\n${signedHeaders}\n${payloadHash}`;
}

export function canonicalRequest(input: CanonicalRequestInput): { canonical: string; signedHeaders: string } {
  return assemble(input.method, canonicalUri(input.path), canonicalQuery(input.query), input.headers, input.payloadHash);
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

// HMAC-SHA256 (RFC 2104) as two one-shot hashes over key blocks prepared once per SK:
// H((K ^ opad) || H((K ^ ipad) || m)). A createHmac object per signature cost more than the
// SHA-256 of the canonical request and of the body together (bench/signing.bench.ts profile).
// An ASCII key XORed with 0x36 stays ASCII, so its inner block can be prefixed to the message as a
// string (its UTF-8 bytes are the block's bytes); other keys go through a byte buffer.
const HMAC_BLOCK = 64;
let cachedSk: string | undefined;
let innerBlockText: string | undefined;
let innerScratch = Buffer.alloc(HMAC_BLOCK + 256);
const outerScratch = Buffer.alloc(HMAC_BLOCK + 32);

function prepareKey(sk: string): void {
  let key = Buffer.from(sk, 'utf8');
  if (key.length > HMAC_BLOCK) key = createHash('sha256').update(key).digest();
  innerScratch.fill(0x36, 0, HMAC_BLOCK);
  outerScratch.fill(0x5c, 0, HMAC_BLOCK);
  let ascii = true;
  for (let i = 0; i < key.length; i++) {
    innerScratch[i] = key[i]! ^ 0x36;
    outerScratch[i] = key[i]! ^ 0x5c;
    if (innerScratch[i]! >= 0x80) ascii = false;
  }
  innerBlockText = ascii ? innerScratch.toString('latin1', 0, HMAC_BLOCK) : undefined;
  cachedSk = sk;
}

// The inner digest as a 'binary' (latin1) string: one char per byte, cheaper than a Buffer result.
function innerDigestLatin1(message: string): string {
  if (innerBlockText !== undefined) return oneShotHash('sha256', innerBlockText + message, 'binary');
  const needed = HMAC_BLOCK + Buffer.byteLength(message, 'utf8');
  if (needed > innerScratch.length) {
    const grown = Buffer.alloc(needed * 2);
    innerScratch.copy(grown, 0, 0, HMAC_BLOCK);
    innerScratch = grown;
  }
  const end = HMAC_BLOCK + innerScratch.write(message, HMAC_BLOCK, 'utf8');
  return oneShotHash('sha256', innerScratch.subarray(0, end), 'binary');
}

export const hmacSha256Hex: (key: string, message: string) => string =
  typeof oneShotHash === 'function'
    ? (key, message) => {
        if (key !== cachedSk) prepareKey(key);
        const inner = innerDigestLatin1(message);
        // 32 byte stores: cheaper than Buffer#write's argument checks and native call.
        for (let i = 0; i < 32; i++) outerScratch[HMAC_BLOCK + i] = inner.charCodeAt(i);
        return oneShotHash('sha256', outerScratch, 'hex');
      }
    : (key, message) => createHmac('sha256', key).update(message, 'utf8').digest('hex');

export function signature(sk: string, toSign: string): string {
  return hmacSha256Hex(sk, toSign);
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

// A client sends the same few header names on every request: each is lower-cased once.
const LOWER_HEADER_NAMES = new Map<string, string>();

function lowerHeaderName(name: string): string {
  let lower = LOWER_HEADER_NAMES.get(name);
  if (lower === undefined) {
    if (LOWER_HEADER_NAMES.size >= MEMO_MAX) LOWER_HEADER_NAMES.clear();
    LOWER_HEADER_NAMES.set(name, (lower = name.toLowerCase()));
  }
  return lower;
}

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
  const names: string[] = [];
  const values: string[] = [];
  let sdkDate: string | undefined;
  let hasHost = false;
  let hasToken = false;
  let declaredHash: string | undefined;
  if (input) {
    for (const name in input) {
      const value = input[name]!;
      out[name] = value;
      const lower = lowerHeaderName(name);
      names.push(lower);
      values.push(value);
      if (lower === 'x-sdk-date') sdkDate = value;
      else if (lower === 'host') hasHost = true;
      else if (lower === 'x-security-token') hasToken = true;
      else if (lower === 'x-sdk-content-sha256') declaredHash = value;
    }
  }
  if (sdkDate === undefined) {
    sdkDate = formatSdkDate(now);
    out['X-Sdk-Date'] = sdkDate;
    names.push('x-sdk-date');
    values.push(sdkDate);
  }
  if (!hasHost) {
    out.host = host;
    names.push('host');
    values.push(host);
  }
  if (credentials.securityToken && !hasToken) {
    out['X-Security-Token'] = credentials.securityToken;
    names.push('x-security-token');
    values.push(credentials.securityToken);
  }
  const { block, signedHeaders } = headerBlock(names, values);
  const payloadHash = declaredHash ? declaredHash : body === undefined || body.length === 0 ? EMPTY_BODY_SHA256 : sha256Hex(body);
  const canonical = canonicalText(method, uri, query, block, signedHeaders, payloadHash);
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
  const segments = input.pathSegments;
  const encodedPath = wirePath(segments);
  // Ends with '/' only when empty or the last segment is (asking the concatenated string would flatten it).
  const uri = segments.length === 0 || segments[segments.length - 1] === '' ? encodedPath : `${encodedPath}/`;
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
