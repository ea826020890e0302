// Log in, log out, who am I.
import { Router, type CookieOptions } from 'express';
import type { MeResponse } from '@quell/contracts/auth';
import { routes, SESSION_COOKIE } from '@quell/contracts/routes';
import { dummyHash, verifyPassword } from '../auth/password.ts';
import type { SessionManager } from '../auth/sessions.ts';
import type { LoginThrottle } from '../auth/throttle.ts';
import type { UserDirectory } from '../auth/users-file.ts';
import { AppError, UnauthenticatedError } from '../errors.ts';
import type { Mount } from '../http/mount.ts';
import type { Logger } from 'pino';

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

  // Login needs no CSRF token (there is no session yet): SameSite=Strict and the same-origin check cover it.
  mount(r, routes.login, async ({ body, auth, req, res }) => {
    const client = req.ip ?? 'unknown';
    const wait = await d.throttle.retryAfter(body.username, client);
    if (wait > 0) throw new AppError('RATE_LIMITED', 'too many failed logins: try again later', undefined, { 'Retry-After': String(wait) });
    const user = await d.users.find(body.username);
    const ok = user && !user.disabled ? await verifyPassword(body.password, user.passwordHash) : (await verifyPassword(body.password, await dummyHash()), false);
    if (!ok || !user) {
      await d.throttle.recordFailure(body.username, client);
      // The typed name is logged only when it is a real account: people sometimes type a password there.
      d.logger.info({ requestId: res.locals.requestId, username: user ? user.username : '(unknown account)', client }, 'login failed');
      throw new UnauthenticatedError('invalid username or password');
    }
    await d.throttle.recordSuccess(body.username, client);
    // Rotate: whatever session this browser had is ended, and a new id is issued.
    if (auth) await d.sessions.destroy(auth.idHash);
    const { cookieValue, csrfToken } = await d.sessions.create(user.username);
    res.cookie(SESSION_COOKIE, cookieValue, cookie);
    d.logger.info({ requestId: res.locals.requestId, username: user.username, client }, 'login');
    const me: MeResponse = { username: user.username, role: user.role, csrfToken };
    return me;
  });

  mount(r, routes.logout, async ({ auth, res }) => {
    await d.sessions.destroy(auth.idHash);
    res.clearCookie(SESSION_COOKIE, cookie);
  });

  mount(r, routes.me, ({ auth }): MeResponse => ({ username: auth.username, role: auth.role, csrfToken: auth.csrfToken, ...(auth.displayName ? { displayName: auth.displayName } : {}) }));
  return r;
}
