import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

/** Every request gets a fresh id (never taken from the client), echoed in X-Request-Id and in every error body. */
export const requestId: RequestHandler = (_req, res, next) => {
  const id = randomUUID();
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
};
