// Sign-in through an OpenID Connect identity provider: authorization code flow with PKCE, state and nonce
// (openid-client). Discovery and the JWKS are fetched at start and cached; an unreachable issuer is retried
// in the background and reported by /readyz, never a crash. Tokens stay in this process: only the
// resulting identity (subject, display name, role) leaves it.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import type * as oidc from 'openid-client';
import type { Logger } from 'pino';
import type { Role } from '@quell/contracts/common';
import { roleForGroups, type OidcConfig } from './oidc-config.ts';

/** Why a sign-in was refused: shown on the sign-in page (`/login?signin=<reason>`). */
export type SignInRefusal = 'no-role' | 'failed' | 'cancelled' | 'unavailable' | 'expired';

export class SignInRefused extends Error {
  override readonly name = 'SignInRefused';
  constructor(
    readonly reason: SignInRefusal,
    /** For the log only (never a token or secret). */
    readonly detail: string,
  ) {
    super(`sign-in refused: ${reason}`);
  }
}

export interface IdpIdentity {
  /** The Quell username: `oidc:<subject>` (a stable id; local usernames cannot contain ':'). */
  username: string;
  subject: string;
  displayName: string;
  role: Role;
}

export interface OidcStatus {
  ok: boolean;
  error?: string;
}

/** What the browser carries between /login and /callback (encrypted: the PKCE verifier is in it). */
interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  expiresAt: number;
}

export const PENDING_COOKIE = 'quell_oidc';
/** The user has this long to finish signing in at the IdP. */
const PENDING_TTL_MS = 10 * 60_000;

export interface OidcSignInOptions {
  config: OidcConfig;
  /** Derives the key that encrypts the pending sign-in cookie. */
  sessionSecret: string;
  logger: Logger;
  now?: () => Date;
  /** Background retry while the issuer is unreachable (default 15 s). */
  retryMs?: number;
  /** Deadline of each call to the issuer (default 5 s). */
  timeoutMs?: number;
}

export class OidcSignIn {
  readonly #o: Required<Omit<OidcSignInOptions, 'sessionSecret'>>;
  readonly #key: Buffer;
  /** openid-client (loaded with the discovery, so a BFF without an identity provider never loads it) and the discovered issuer. */
  #client: { lib: typeof oidc; config: oidc.Configuration } | undefined;
  #status: OidcStatus = { ok: false, error: 'discovery not done yet' };
  #retry: NodeJS.Timeout | undefined;
  #starting: Promise<void> | undefined;
  #stopped = false;

  constructor(options: OidcSignInOptions) {
    this.#o = { now: () => new Date(), retryMs: 15_000, timeoutMs: 5_000, ...options };
    this.#key = createHmac('sha256', options.sessionSecret).update('oidc pending sign-in').digest();
  }

  get config(): OidcConfig {
    return this.#o.config;
  }

  /** Discovery + JWKS; on failure keeps retrying in the background. Never throws. */
  start(): Promise<void> {
    this.#starting ??= this.#discover().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
  }

  async #discover(): Promise<void> {
    const c = this.#o.config;
    const issuer = new URL(c.issuer);
    const insecure = issuer.protocol === 'http:';
    try {
      const lib = await import('openid-client');
      const client = await lib.discovery(
        issuer,
        c.clientId,
        { redirect_uris: [c.redirectUrl], response_types: ['code'], ...(c.clientSecret ? {} : { token_endpoint_auth_method: 'none' }) },
        c.clientSecret ? lib.ClientSecretBasic(c.clientSecret) : lib.None(),
        { timeout: this.#o.timeoutMs / 1000, ...(insecure ? { execute: [lib.allowInsecureRequests] } : {}) },
      );
      const jwksUri = client.serverMetadata().jwks_uri;
      if (!jwksUri) throw new Error('the issuer publishes no jwks_uri');
      const jwks = await this.#fetchJson(jwksUri);
      if (!Array.isArray((jwks as { keys?: unknown }).keys)) throw new Error('the issuer JWKS has no keys');
      lib.setJwksCache(client, { jwks: jwks as oidc.JWKS, uat: Math.floor(Date.now() / 1000) });
      // Check the ID token's signature too, with the cached keys (refetched only when a new key id appears).
      lib.enableNonRepudiationChecks(client);
      this.#client = { lib, config: client };
      this.#status = { ok: true };
      this.#o.logger.info({ issuer: c.issuer }, 'identity provider discovered');
    } catch (err) {
      this.#status = { ok: false, error: `issuer unreachable or invalid: ${describe(err)}` };
      this.#o.logger.warn({ issuer: c.issuer, error: describe(err) }, 'identity provider discovery failed; retrying in the background');
      if (!this.#stopped) {
        clearTimeout(this.#retry);
        this.#retry = setTimeout(() => void this.start(), this.#o.retryMs);
        this.#retry.unref();
      }
    }
  }

  async #fetchJson(url: string): Promise<unknown> {
    const r = await fetch(url, { signal: AbortSignal.timeout(this.#o.timeoutMs), headers: { accept: 'application/json' } });
    if (!r.ok) throw new Error(`HTTP ${r.status} from the issuer`);
    return r.json();
  }

  /** For /readyz: the issuer answers its discovery document now. */
  async check(): Promise<OidcStatus> {
    if (!this.#client) {
      await this.start();
      return this.#status;
    }
    try {
      await this.#fetchJson(new URL('.well-known/openid-configuration', this.#o.config.issuer.endsWith('/') ? this.#o.config.issuer : `${this.#o.config.issuer}/`).href);
      return { ok: true };
    } catch (err) {
      return { ok: false, error: `issuer unreachable: ${describe(err)}` };
    }
  }

  /** The IdP's authorization URL and the encrypted cookie value that must come back with the callback. */
  async begin(): Promise<{ url: string; pending: string }> {
    if (!this.#client) throw new SignInRefused('unavailable', this.#status.error ?? 'not discovered');
    const { lib, config: client } = this.#client;
    const p: PendingSignIn = { state: lib.randomState(), nonce: lib.randomNonce(), verifier: lib.randomPKCECodeVerifier(), expiresAt: this.#o.now().getTime() + PENDING_TTL_MS };
    const url = lib.buildAuthorizationUrl(client, {
      redirect_uri: this.#o.config.redirectUrl,
      scope: this.#o.config.scopes,
      code_challenge: await lib.calculatePKCECodeChallenge(p.verifier),
      code_challenge_method: 'S256',
      state: p.state,
      nonce: p.nonce,
    });
    return { url: url.href, pending: this.#seal(p) };
  }

  /**
   * Exchanges the code (checking state, nonce, PKCE, issuer, audience, expiry and signature) and maps the
   * groups to a role. `query` is the callback's query string, `pending` the cookie set by begin().
   */
  async finish(query: string, pending: string | undefined): Promise<IdpIdentity> {
    if (!this.#client) throw new SignInRefused('unavailable', this.#status.error ?? 'not discovered');
    const { lib, config: client } = this.#client;
    const params = new URLSearchParams(query);
    if (params.get('error')) throw new SignInRefused(params.get('error') === 'access_denied' ? 'cancelled' : 'failed', `the identity provider answered ${params.get('error')}`);
    const p = pending ? this.#open(pending) : undefined;
    if (!p) throw new SignInRefused('failed', 'no or unreadable pending sign-in cookie');
    if (p.expiresAt < this.#o.now().getTime()) throw new SignInRefused('expired', 'the pending sign-in expired');
    const current = new URL(this.#o.config.redirectUrl);
    current.search = params.toString();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await lib.authorizationCodeGrant(client, current, { pkceCodeVerifier: p.verifier, expectedState: p.state, expectedNonce: p.nonce, idTokenExpected: true });
    } catch (err) {
      throw new SignInRefused('failed', describe(err));
    }
    const claims = tokens.claims();
    if (!claims) throw new SignInRefused('failed', 'no ID token');
    let all: Record<string, unknown> = { ...claims };
    // Some IdPs put groups only in userinfo: ask it when the ID token lacks the claim.
    if (claimAt(all, this.#o.config.groupsClaim) === undefined && tokens.access_token) {
      try {
        all = { ...(await lib.fetchUserInfo(client, tokens.access_token, claims.sub)), ...all };
      } catch (err) {
        this.#o.logger.warn({ error: describe(err) }, 'userinfo failed; going on with the ID token claims');
      }
    }
    const groups = asGroups(claimAt(all, this.#o.config.groupsClaim));
    const displayName = firstString(all.name, all.preferred_username, all.email) ?? claims.sub;
    const role = roleForGroups(groups, this.#o.config.roleGroups);
    if (!role) throw new SignInRefused('no-role', `subject ${claims.sub} is in no group mapped to a role`);
    return { username: usernameFor(claims.sub), subject: claims.sub, displayName: displayName.slice(0, 200), role };
  }

  /** RP-initiated logout at the IdP, when it offers it. */
  logoutUrl(): string | undefined {
    const client = this.#client;
    if (!client?.config.serverMetadata().end_session_endpoint) return undefined;
    return client.lib.buildEndSessionUrl(client.config, { post_logout_redirect_uri: this.#o.config.postLogoutUrl }).href;
  }

  #seal(p: PendingSignIn): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([c.update(JSON.stringify(p), 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
  }

  #open(value: string): PendingSignIn | undefined {
    try {
      const raw = Buffer.from(value, 'base64url');
      const d = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      const p = JSON.parse(Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')) as PendingSignIn;
      return typeof p.state === 'string' && typeof p.nonce === 'string' && typeof p.verifier === 'string' ? p : undefined;
    } catch {
      return undefined;
    }
  }
}

/** `oidc:<sub>`, hashed when the subject would not fit the 64 characters of an audit actor filter. */
export function usernameFor(sub: string): string {
  return sub.length <= 59 && /^[\x21-\x7e]+$/.test(sub) ? `oidc:${sub}` : `oidc:${createHash('sha256').update(sub).digest('hex').slice(0, 40)}`;
}

/** A claim by name; a dotted name that is not a claim itself walks nested objects (`realm_access.roles`). */
function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name];
  let v: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Groups as a list of names; Keycloak's full paths ("/quell-oncall") also match the bare name. */
function asGroups(v: unknown): string[] {
  const list = Array.isArray(v) ? v.filter((g): g is string => typeof g === 'string') : typeof v === 'string' ? [v] : [];
  return [...new Set(list.flatMap((g) => (g.startsWith('/') ? [g, g.slice(g.lastIndexOf('/') + 1)] : [g])))];
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v.trim() !== '')?.trim();
}

/** An error's message for logs and /readyz: openid-client's messages carry no token or secret. */
function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`.slice(0, 300);
  }
  return 'unknown error';
}
