// Every /api route but the login needs a session: a request carrying a body without one is refused
// before the body is read, so anonymous clients cannot make the server buffer and parse bodies.
import type { RequestHandler } from 'express';
import { routes } from '@quell/contracts/routes';
import { UnauthenticatedError } from '../errors.ts';

export const loginBeforeBody: RequestHandler = (req, res, next) => {
  const hasBody = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || res.locals.auth || req.originalUrl.split('?')[0] === routes.login.path) return next();
  // The unread body would keep the socket busy: close it after this answer.
  res.setHeader('Connection', 'close');
  next(new UnauthenticatedError());
};
