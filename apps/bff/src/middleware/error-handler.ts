// The one terminal error handler: every error leaves as {error:{code,message,requestId,details?}}.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ERROR_STATUS, type ApiErrorBody, type ErrorCode } from '@quell/contracts/errors';
import { AppError, NotFoundError } from '../errors.ts';

export function sendError(res: Parameters<RequestHandler>[1], code: ErrorCode, message: string, details?: Record<string, unknown>, status = ERROR_STATUS[code]): void {
  const body: ApiErrorBody = { error: { code, message, requestId: String(res.locals.requestId ?? ''), ...(details ? { details } : {}) } };
  res.status(status).type('application/json').send(JSON.stringify(body));
}

/** Unknown /api routes. */
export const apiNotFound: RequestHandler = (_req, _res, next) => next(new NotFoundError('no such API route'));

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof AppError) {
      if (err.headers) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
      if (ERROR_STATUS[err.code] >= 500) logger.error({ err, requestId: res.locals.requestId }, err.message);
      sendError(res, err.code, err.message, err.details);
      return;
    }
    const bp = err as BodyParserError;
    switch (bp?.type) {
      case 'entity.parse.failed':
        sendError(res, 'VALIDATION_FAILED', 'the body is not valid JSON', { issues: [{ field: '(body)', message: 'is not valid JSON' }] });
        return;
      case 'entity.too.large':
        sendError(res, 'PAYLOAD_TOO_LARGE', 'the body is too large');
        return;
      case 'encoding.unsupported':
      case 'charset.unsupported':
        sendError(res, 'VALIDATION_FAILED', 'unsupported body encoding', { issues: [{ field: 'headers.content-type', message: 'must be application/json; charset=utf-8' }] });
        return;
      case 'request.aborted':
      case 'request.size.invalid':
      case 'stream.encoding.set':
        sendError(res, 'VALIDATION_FAILED', 'the body could not be read');
        return;
    }
    // The router could not percent-decode a path parameter (e.g. /api/instances/%zz/sessions): bad input, not a fault.
    if (err instanceof URIError && bp.status === 400) {
      sendError(res, 'VALIDATION_FAILED', 'the path is not valid percent-encoding', { issues: [{ field: '(path)', message: 'is not valid percent-encoded UTF-8' }] });
      return;
    }
    if (bp && typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500 && bp.expose) {
      sendError(res, bp.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED', 'the request could not be read');
      return;
    }
    logger.error({ err, requestId: res.locals.requestId, method: req.method, path: req.path }, 'unhandled error');
    sendError(res, 'INTERNAL', 'an internal error occurred');
  };
}
