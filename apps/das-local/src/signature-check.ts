// API Gateway AK/SK check (DAS-API.md §2.5): rebuild the canonical request from what was received.
import type { IncomingMessage } from 'node:http';
import {
  canonicalRequest,
  formatSdkDate,
  parseAuthorization,
  parseQuery,
  parseSdkDate,
  sha256Hex,
  signature,
  signaturesEqual,
  stringToSign,
} from '@quell/das-client/signer';
import { APIG, type GatewayError } from './errors.ts';

export interface Credential {
  ak: string;
  sk: string;
  /** Temporary (STS) credentials: requests must send and sign X-Security-Token with this value. */
  securityToken?: string;
}

export const SIGNATURE_WINDOW_MS = 15 * 60 * 1000;
const LOCK_AFTER_FAILURES = 5;
const LOCK_MS = 5 * 60 * 1000;

export interface SignatureCheckerOptions {
  credentials: readonly Credential[];
  lockout: boolean;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

export class SignatureChecker {
  readonly #byAk: Map<string, Credential>;
  readonly #lockout: boolean;
  readonly #failures = new Map<string, { count: number; lockedUntil: number }>();

  constructor(opts: SignatureCheckerOptions) {
    this.#byAk = new Map(opts.credentials.map((c) => [c.ak, c]));
    this.#lockout = opts.lockout;
  }

  /** Returns the AK on success; throws a GatewayError (401) otherwise. */
  verify(req: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer, now: Date): string {
    const auth = parseAuthorization(headerValue(req, 'authorization'));
    if (!auth) throw APIG.auth('the Authorization header is missing or malformed');
    const credential = this.#byAk.get(auth.ak);
    if (!credential) throw APIG.auth(`Get secretKey failed, ak:${auth.ak},err:ak not exist`);

    const state = this.#failures.get(auth.ak);
    if (this.#lockout && state && state.lockedUntil > now.getTime()) {
      throw APIG.auth('AK access failed to reach the limit,forbidden');
    }
    try {
      this.#check(req, rawPath, rawQuery, body, now, auth, credential);
    } catch (err) {
      this.#recordFailure(auth.ak, now);
      throw err;
    }
    this.#failures.delete(auth.ak);
    return auth.ak;
  }

  #recordFailure(ak: string, now: Date): void {
    if (!this.#lockout) return;
    const state = this.#failures.get(ak) ?? { count: 0, lockedUntil: 0 };
    if (state.lockedUntil !== 0 && state.lockedUntil <= now.getTime()) {
      state.count = 0;
      state.lockedUntil = 0;
    }
    state.count += 1;
    if (state.count >= LOCK_AFTER_FAILURES) state.lockedUntil = now.getTime() + LOCK_MS;
    this.#failures.set(ak, state);
  }

  #check(
    req: IncomingMessage,
    rawPath: string,
    rawQuery: string,
    body: Buffer,
    now: Date,
    auth: { ak: string; signedHeaders: string[]; signature: string },
    credential: Credential,
  ): void {
    const signed = auth.signedHeaders;
    if (signed.some((h) => h.length === 0 || h !== h.toLowerCase())) throw fail(auth.ak);
    if (!signed.includes('x-sdk-date')) throw APIG.auth('x-sdk-date must be a signed header');
    const sdkDate = headerValue(req, 'x-sdk-date') ?? '';
    const signedAt = parseSdkDate(sdkDate);
    if (!signedAt) throw APIG.auth('the X-Sdk-Date header is missing or malformed');
    if (Math.abs(now.getTime() - signedAt.getTime()) > SIGNATURE_WINDOW_MS) {
      throw APIG.auth(`signature expired, signature time:${sdkDate},server time:${formatSdkDate(now)}`);
    }
    if (credential.securityToken !== undefined) {
      const token = headerValue(req, 'x-security-token');
      if (token === undefined || !signed.includes('x-security-token') || !signaturesEqual(sha256Hex(token), sha256Hex(credential.securityToken))) {
        throw APIG.auth('the security token is missing, not signed or invalid');
      }
    }
    const headers: Record<string, string> = {};
    for (const name of signed) headers[name] = headerValue(req, name) ?? '';
    const contentSha = signed.includes('x-sdk-content-sha256') ? headerValue(req, 'x-sdk-content-sha256') : undefined;
    const payloadHash = contentSha ?? sha256Hex(body);
    const { canonical, signedHeaders } = canonicalRequest({
      method: req.method ?? 'GET',
      path: rawPath,
      query: parseQuery(rawQuery),
      headers,
      payloadHash,
    });
    // The received list must be exactly what a signer emits (lowercase, sorted, no duplicates).
    if (signedHeaders !== signed.join(';')) throw fail(auth.ak);
    const expected = signature(credential.sk, stringToSign(sdkDate, canonical));
    if (!signaturesEqual(expected, auth.signature)) throw fail(auth.ak);
  }
}

function fail(ak: string): GatewayError {
  return APIG.auth(`verify aksk signature fail, ak:${ak}`);
}
