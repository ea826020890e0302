// /metrics behind a bearer token when QUELL_METRICS_TOKEN is set (it reveals traffic and DAS latencies).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { UnauthenticatedError } from '../errors.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function metricsToken(token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return (req, res, next) => {
    if (!expected) return next();
    const m = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
    // Compared as digests: constant time whatever the length sent.
    if (m && timingSafeEqual(digest(m[1]!), expected)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    next(new UnauthenticatedError('a bearer token is needed for /metrics'));
  };
}
