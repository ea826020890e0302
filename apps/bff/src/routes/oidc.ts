// Sign-in with the identity provider: which ways to sign in exist, the redirect to the IdP, its callback
// (→ the usual Quell login session), and sign-out (→ the IdP's logout URL, when it has one).
import { Router, type CookieOptions } from 'express';
import type { Logger } from 'pino';
import type { AuthProvidersResponse, SignOutResponse } from '@quell/contracts/auth';
import { routes, SESSION_COOKIE } from '@quell/contracts/routes';
import type { LocalLogin } from '../auth/oidc-config.ts';
import { PENDING_COOKIE, SignInRefused, type OidcSignIn } from '../auth/oidc.ts';
import { readCookie, type SessionManager } from '../auth/sessions.ts';
import type { Mount } from '../http/mount.ts';

export interface OidcRouterDeps {
  oidc?: OidcSignIn;
  sessions: SessionManager;
  cookieSecure: boolean;
  logger: Logger;
}

/** Where a refused sign-in lands: the sign-in page says why. */
const refusedAt = (reason: string) => `/login?signin=${encodeURIComponent(reason)}`;

export function oidcRouter(mount: Mount, d: OidcRouterDeps): Router {
  const r = Router();
  const session: CookieOptions = { httpOnly: true, sameSite: 'strict', secure: d.cookieSecure, path: '/' };
  // Lax: the IdP sends the browser back with a cross-site top-level GET, which must carry this cookie.
  const pending: CookieOptions = { httpOnly: true, sameSite: 'lax', secure: d.cookieSecure, path: routes.oidcCallback.path, maxAge: 10 * 60_000 };
  const local: LocalLogin = d.oidc?.config.localLogin ?? 'on';

  mount(r, routes.authProviders, (): AuthProvidersResponse => ({
    oidc: d.oidc ? { displayName: d.oidc.config.displayName, loginPath: routes.oidcLogin.path } : null,
    local,
  }));

  mount(r, routes.oidcLogin, async ({ res }) => {
    if (!d.oidc) return void res.status(303).setHeader('Location', refusedAt('unavailable'));
    try {
      const { url, pending: value } = await d.oidc.begin();
      res.cookie(PENDING_COOKIE, value, pending);
      res.setHeader('Location', url);
    } catch (err) {
      if (!(err instanceof SignInRefused)) throw err;
      d.logger.warn({ requestId: res.locals.requestId, reason: err.reason, detail: err.detail }, 'identity-provider sign-in could not start');
      res.status(303).setHeader('Location', refusedAt(err.reason));
    }
  });

  mount(r, routes.oidcCallback, async ({ req, res, auth }) => {
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    res.clearCookie(PENDING_COOKIE, { ...pending, maxAge: undefined });
    if (!d.oidc) return void res.setHeader('Location', refusedAt('unavailable'));
    try {
      const who = await d.oidc.finish(query, readCookie(req.headers.cookie, PENDING_COOKIE));
      if (auth) await d.sessions.destroy(auth.idHash);
      const { cookieValue } = await d.sessions.create(who.username, { role: who.role, displayName: who.displayName });
      res.cookie(SESSION_COOKIE, cookieValue, session);
      d.logger.info({ requestId: res.locals.requestId, username: who.username, displayName: who.displayName, role: who.role, client: req.ip }, 'login (identity provider)');
      res.setHeader('Location', '/');
    } catch (err) {
      if (!(err instanceof SignInRefused)) throw err;
      d.logger.info({ requestId: res.locals.requestId, reason: err.reason, detail: err.detail, client: req.ip }, 'identity-provider sign-in refused');
      res.setHeader('Location', refusedAt(err.reason));
    }
  });

  mount(r, routes.signOut, async ({ auth, res }): Promise<SignOutResponse> => {
    await d.sessions.destroy(auth.idHash);
    res.clearCookie(SESSION_COOKIE, session);
    // Only an identity-provider session has an IdP session to end.
    return { logoutUrl: auth.username.startsWith('oidc:') ? (d.oidc?.logoutUrl() ?? null) : null };
  });
  return r;
}
