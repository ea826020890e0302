// A real OpenID provider (oidc-provider) on 127.0.0.1, in this process, offline: users in groups, one
// confidential client, its own login page (any password), RP-initiated logout. Shared by vitest and
// Playwright. `tamperNextIdToken` re-signs the next ID token with changed claims (with the provider's own
// key) so that the relying party's claim checks — not its signature check — are what refuses it.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

export interface IdpUser {
  /** What one types on the provider's login page; also the subject (`sub`). */
  login: string;
  name: string;
  groups: string[];
}

export interface TestIdpOptions {
  users: IdpUser[];
  /** The relying party's callback URL(s). */
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /** Default: a free port. */
  port?: number;
  clientId?: string;
  /** Default: random. */
  clientSecret?: string;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  port: number;
  /** Every ID token the token endpoint handed out (for canary checks: none may reach a browser or a log). */
  issuedIdTokens: string[];
  /** The next ID token the token endpoint hands out is changed by `change` and re-signed. */
  tamperNextIdToken(change: (claims: Record<string, unknown>) => Record<string, unknown>): void;
  /**
   * Signs `login` in at the provider as a browser would (its login form, then consent) starting from an
   * authorization URL; returns the URL the provider sends the browser back to (the callback, with code and state).
   */
  signIn(authorizationUrl: string, login: string): Promise<string>;
  stop(): Promise<void>;
  /** Starts again on the same port (after stop). */
  restart(): Promise<void>;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export async function startTestIdp(o: TestIdpOptions): Promise<TestIdp> {
  const clientId = o.clientId ?? 'quell';
  const clientSecret = o.clientSecret ?? randomBytes(24).toString('base64url');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const users = new Map(o.users.map((u) => [u.login, u]));
  const issuedIdTokens: string[] = [];
  let tamper: ((claims: Record<string, unknown>) => Record<string, unknown>) | undefined;

  let server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: o.redirectUris,
        post_logout_redirect_uris: o.postLogoutRedirectUris ?? [],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk as never] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    ttl: { Interaction: 600, Grant: 3600, Session: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    pkce: { methods: ['S256'], required: () => true },
    scopes: ['openid', 'profile', 'groups'],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], groups: ['groups'] },
    // The ID token carries the profile and groups even though an access token is issued too.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    async findAccount(_ctx, id) {
      const u = users.get(id);
      if (!u) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, name: u.name, preferred_username: u.login, groups: u.groups }) };
    },
    // No consent screen for the one client of this provider: the grant is given at first sign-in.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid profile groups');
      await grant.save();
      return grant;
    },
  });
  provider.on('server_error', () => undefined);
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path === '/token' && body?.id_token) issuedIdTokens.push(body.id_token);
    if (ctx.path === '/token' && tamper && body?.id_token) {
      const [h, p] = body.id_token.split('.');
      const claims = tamper(JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>);
      tamper = undefined;
      const header = JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')) as unknown;
      const signingInput = `${b64(header)}.${b64(claims)}`;
      ctx.body = { ...body, id_token: `${signingInput}.${sign('sha256', Buffer.from(signingInput), privateKey).toString('base64url')}` };
    }
  });
  const listen = async () => {
    if (!server.listening) {
      server = createServer();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    }
    server.on('request', provider.callback());
  };
  await listen();

  return {
    issuer,
    clientId,
    clientSecret,
    port,
    issuedIdTokens,
    tamperNextIdToken(change) {
      tamper = change;
    },
    signIn: (url, login) => signInAt(issuer, url, login),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    restart: listen,
  };
}

/** Follows the provider's redirects with a cookie jar, filling its login form (and a consent form, if any). */
async function signInAt(issuer: string, authorizationUrl: string, login: string): Promise<string> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (r: Response) => {
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  };
  let url = authorizationUrl;
  let init: RequestInit = {};
  for (let step = 0; step < 12; step++) {
    if (!url.startsWith(issuer)) return url;
    const r = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() } });
    keep(r);
    const location = r.headers.get('location');
    if (r.status >= 300 && r.status < 400 && location) {
      url = new URL(location, url).href;
      init = {};
      continue;
    }
    const html = await r.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (r.status !== 200 || !action) throw new Error(`the provider answered ${r.status} at ${new URL(url).pathname}: ${html.slice(0, 300)}`);
    const fields = new URLSearchParams();
    for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields.set(m[1]!, m[2]!);
    if (/name="login"/.test(html)) {
      fields.set('login', login);
      fields.set('password', 'any password');
    }
    url = new URL(action.replace(/&amp;/g, '&'), url).href;
    init = { method: 'POST', body: fields.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('the provider did not send the browser back');
}
