import { z } from 'zod';

/** Every BFF error code; the BFF maps each to one HTTP status. */
export const ErrorCode = z.enum([
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'CONFIRMATION_REQUIRED',
  'PREVIEW_EXPIRED',
  'APPROVAL_REQUIRED',
  'APPROVAL_EXPIRED',
  'PROTECTED_TARGET',
  'PAYLOAD_TOO_LARGE',
  'UPSTREAM_ERROR',
  'UPSTREAM_TIMEOUT',
  'RATE_LIMITED',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ERROR_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  CONFIRMATION_REQUIRED: 422,
  PREVIEW_EXPIRED: 410,
  /** Not killed: an approval request was created instead (details: ApprovalPending). */
  APPROVAL_REQUIRED: 428,
  APPROVAL_EXPIRED: 410,
  PROTECTED_TARGET: 422,
  PAYLOAD_TOO_LARGE: 413,
  UPSTREAM_ERROR: 502,
  UPSTREAM_TIMEOUT: 504,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

/** One field problem: `field` is the dotted path of the offending input (e.g. "sessionIds.2", "query.user"). */
export const FieldIssue = z.object({ field: z.string(), message: z.string() });
export type FieldIssue = z.infer<typeof FieldIssue>;

/** What DAS said, when the error came from DAS. Never a signed URL, header or credential. */
export const UpstreamDetails = z.object({
  httpStatus: z.number().int(),
  errorCode: z.string().optional(),
  errorMsg: z.string().optional(),
  dasRequestId: z.string().optional(),
});
export type UpstreamDetails = z.infer<typeof UpstreamDetails>;

export const ApiErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    requestId: z.string(),
    details: z
      .object({
        issues: z.array(FieldIssue).optional(),
        upstream: UpstreamDetails.optional(),
      })
      .catchall(z.unknown())
      .optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;
