// Semantic errors thrown by routes and services; error-handler.ts maps each code to its HTTP status.
import type { ErrorCode, FieldIssue, UpstreamDetails } from '@quell/contracts/errors';
import type { z } from 'zod';

export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, headers?: Record<string, string>) {
    super(message);
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

export class ValidationError extends AppError {
  override readonly name = 'ValidationError';
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[], message = 'the request is not valid') {
    super('VALIDATION_FAILED', message, { issues });
    this.issues = issues;
  }
}

export class UnauthenticatedError extends AppError {
  override readonly name = 'UnauthenticatedError';
  constructor(message = 'log in first') {
    super('UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends AppError {
  override readonly name = 'ForbiddenError';
  constructor(message = 'your role does not allow this') {
    super('FORBIDDEN', message);
  }
}

export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  constructor(message = 'not found') {
    super('NOT_FOUND', message);
  }
}

export class ConflictError extends AppError {
  override readonly name = 'ConflictError';
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFLICT', message, details);
  }
}

export class UpstreamError extends AppError {
  override readonly name = 'UpstreamError';
  /** What an operator may see of DAS's answer: status, DAS code and message, DAS request id. */
  readonly upstream: UpstreamDetails;
  /** The call may still have taken effect: no answer arrived (timeout, reset) or DAS failed on its side (5xx). */
  readonly uncertain: boolean;
  constructor(code: 'UPSTREAM_ERROR' | 'UPSTREAM_TIMEOUT', message: string, upstream: UpstreamDetails, uncertain = false) {
    super(code, message, { upstream });
    this.upstream = upstream;
    this.uncertain = uncertain;
  }
}

/** Turns zod issues into field issues; `prefix` names where the input came from ('' for the JSON body, 'query', 'headers'). */
export function toFieldIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  const name = (path: readonly PropertyKey[]) => [prefix, path.map(String).join('.')].filter((s) => s !== '').join('.') || prefix || '(body)';
  return error.issues.flatMap((issue) =>
    // an unknown field is named itself, as an unknown query parameter is
    issue.code === 'unrecognized_keys' ? issue.keys.map((key) => ({ field: name([...issue.path, key]), message: 'is not a known field' })) : [{ field: name(issue.path), message: issue.message }],
  );
}
