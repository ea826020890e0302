// POST /api/auth/login, POST /api/auth/logout, GET /api/me
import { Router, type CookieOptions } from 'express';
import { LoginRequest, type MeResponse } from '@quell/contracts/auth';
import { checkLogin } from '../auth/login.ts';
import { sessionCookieName, type SessionManager } from '../auth/sessions.ts';
import type { LoginThrottle } from '../auth/throttle.ts';
import type { UserDirectory } from '../auth/users-file.ts';
import { parseOr400 } from '../errors.ts';
import { authOf, requireRole } from '../middleware/guards.ts';
import type { Logger } from 'pino';

export interface AuthRouterDeps {
  sessions: SessionManager;
  users: UserDirectory;
  throttle: LoginThrottle;
  cookieSecure: boolean;
  logger: Logger;
}

export function authRouter(d: AuthRouterDeps): Router {
  const r = Router();
  const cookie: CookieOptions = { httpOnly: true, sameSite: 'strict', secure: d.cookieSecure, path: '/' };
  const cookieName = sessionCookieName(d.cookieSecure);

  // Login needs no CSRF token (there is no session yet): SameSite=Strict and the same-origin check cover it.
  r.post('/api/auth/login', async (req, res) => {
    const body = parseOr400(LoginRequest, req.body ?? {});
    const client = req.ip ?? 'unknown';
    const login = await checkLogin({ users: d.users, throttle: d.throttle }, body.username, body.password, client);
    if (!login.ok) {
      // The typed name is logged only when it is a real account: people sometimes type a password there.
      d.logger.info({ requestId: res.locals.requestId, username: login.knownUsername ?? '(unknown account)', client }, 'login failed');
      throw login.error;
    }
    const user = login.user;
    // Rotate: whatever session this browser had is ended, and a new id is issued.
    if (res.locals.auth) await d.sessions.destroy(res.locals.auth.idHash);
    const { cookieValue, csrfToken } = await d.sessions.create(user.username);
    res.cookie(cookieName, cookieValue, cookie);
    d.logger.info({ requestId: res.locals.requestId, username: user.username, client }, 'login');
    const me: MeResponse = { username: user.username, role: user.role, csrfToken };
    res.json(me);
  });

  r.post('/api/auth/logout', requireRole('viewer'), async (_req, res) => {
    const auth = authOf(res);
    await d.sessions.destroy(auth.idHash);
    res.clearCookie(cookieName, cookie);
    res.status(204).end();
  });

  r.get('/api/me', requireRole('viewer'), (_req, res) => {
    const auth = authOf(res);
    const me: MeResponse = { username: auth.username, role: auth.role, csrfToken: auth.csrfToken };
    res.json(me);
  });
  return r;
}
