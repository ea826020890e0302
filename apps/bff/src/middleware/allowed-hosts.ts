// An optional allow-list of Host names (QUELL_ALLOWED_HOSTS): a page on another name that resolves to
// Quell (DNS rebinding) gets nothing. Health checks and /metrics are reached by address, so they are exempt.
import type { RequestHandler } from 'express';
import { ForbiddenError } from '../errors.ts';

const EXEMPT = new Set(['/healthz', '/readyz', '/metrics']);

export function allowedHosts(names: readonly string[] | undefined): RequestHandler {
  const allowed = new Set((names ?? []).map((n) => n.toLowerCase()));
  return (req, _res, next) => {
    if (allowed.size === 0 || EXEMPT.has(req.path)) return next();
    // req.hostname: the Host header without its port (X-Forwarded-Host only through a trusted proxy).
    const name = (req.hostname ?? '').toLowerCase();
    if (allowed.has(name)) return next();
    next(new ForbiddenError('this host name is not served here'));
  };
}
