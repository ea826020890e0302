// Authentication, roles, CSRF and same-origin checks.
import type { RequestHandler } from 'express';
import type { Role } from '@quell/contracts/common';
import { BACKGROUND_HEADER, CSRF_HEADER, routes } from '@quell/contracts/routes';
import { readCookie, safeEqual, type AuthContext, type SessionManager } from '../auth/sessions.ts';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      requestId: string;
      auth?: AuthContext;
    }
  }
}

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
export const hasRole = (have: Role, need: Role) => RANK[have] >= RANK[need];

/** Attaches res.locals.auth when the session cookie names a live session. Never fails the request itself. */
export function loadSession(sessions: SessionManager, cookieName: string): RequestHandler {
  return async (req, res, next) => {
    const value = readCookie(req.headers.cookie, cookieName);
    if (value) {
      const auth = await sessions.resolve(value, { background: req.get(BACKGROUND_HEADER) === '1' });
      if (auth) res.locals.auth = auth;
    }
    next();
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A state-changing request whose Origin (or Referer) names another site is refused. */
export const sameOrigin: RequestHandler = (req, _res, next) => {
  if (!UNSAFE.has(req.method)) return next();
  const origin = req.headers.origin ?? (req.headers.referer ? safeOrigin(req.headers.referer) : undefined);
  if (origin === undefined) return next();
  let host: string | undefined;
  try {
    host = origin === 'null' ? undefined : new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (!host || host !== req.host) return next(new ForbiddenError('cross-origin request refused'));
  next();
};

function safeOrigin(referer: string): string | undefined {
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/** Requires a logged-in user with at least `role`; on state-changing methods also a matching X-CSRF-Token. */
export function requireRole(role: Role): RequestHandler {
  return (req, res, next) => {
    const auth = res.locals.auth;
    if (!auth) return next(new UnauthenticatedError());
    if (UNSAFE.has(req.method)) {
      const token = req.get(CSRF_HEADER);
      if (!token || !safeEqual(token, auth.csrfToken)) return next(new ForbiddenError(`missing or wrong ${CSRF_HEADER} (get it from ${routes.me.path})`));
    }
    if (!hasRole(auth.role, role)) return next(new ForbiddenError(`this needs the ${role} role`));
    next();
  };
}

export function authOf(res: { locals: { auth?: AuthContext } }): AuthContext {
  if (!res.locals.auth) throw new UnauthenticatedError();
  return res.locals.auth;
}
