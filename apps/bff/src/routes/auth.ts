// Log in, log out, who am I.
import { Router, type CookieOptions } from 'express';
import type { Logger } from 'pino';
import type { MeResponse } from '@quell/contracts/auth';
import { routes } from '@quell/contracts/routes';
import { checkLogin } from '../auth/login.ts';
import { sessionCookieName, type SessionManager } from '../auth/sessions.ts';
import type { LoginThrottle } from '../auth/throttle.ts';
import type { UserDirectory } from '../auth/users-file.ts';
import type { Mount } from '../http/mount.ts';

export interface AuthRouterDeps {
  sessions: SessionManager;
  users: UserDirectory;
  throttle: LoginThrottle;
  cookieSecure: boolean;
  logger: Logger;
}

export function authRouter(mount: Mount, d: AuthRouterDeps): Router {
  const r = Router();
  const cookie: CookieOptions = { httpOnly: true, sameSite: 'strict', secure: d.cookieSecure, path: '/' };
  const cookieName = sessionCookieName(d.cookieSecure);

  // Login needs no CSRF token (there is no session yet): SameSite=Strict and the same-origin check cover it.
  mount(r, routes.login, async ({ body, auth, req, res }) => {
    const client = req.ip ?? 'unknown';
    const login = await checkLogin({ users: d.users, throttle: d.throttle }, body.username, body.password, client);
    if (!login.ok) {
      // The typed name is logged only when it is a real account: people sometimes type a password there.
      d.logger.info({ requestId: res.locals.requestId, username: login.knownUsername ?? '(unknown account)', client }, 'login failed');
      throw login.error;
    }
    const user = login.user;
    // Rotate: whatever session this browser had is ended, and a new id is issued.
    if (auth) await d.sessions.destroy(auth.idHash);
    const { cookieValue, csrfToken } = await d.sessions.create(user.username);
    res.cookie(cookieName, cookieValue, cookie);
    d.logger.info({ requestId: res.locals.requestId, username: user.username, client }, 'login');
    const me: MeResponse = { username: user.username, role: user.role, csrfToken };
    return me;
  });

  mount(r, routes.logout, async ({ auth, res }) => {
    await d.sessions.destroy(auth.idHash);
    res.clearCookie(cookieName, cookie);
  });

  mount(r, routes.me, ({ auth }): MeResponse => ({ username: auth.username, role: auth.role, csrfToken: auth.csrfToken, ...(auth.displayName ? { displayName: auth.displayName } : {}) }));
  return r;
}
