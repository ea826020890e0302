import type { ApiError, ApiErrorCode } from './api-client';
import { formatWait } from './format';

const TEXT: Record<ApiErrorCode, string> = {
  VALIDATION_FAILED: 'Some input was not accepted. Check the highlighted fields and try again.',
  UNAUTHENTICATED: 'Your sign-in has expired. Sign in again to continue.',
  FORBIDDEN: 'Your role does not allow this. Ask an admin if you need it.',
  NOT_FOUND: 'That no longer exists. It may have been removed; go back and pick it again.',
  CONFLICT: 'Someone else changed this at the same time. Reload and try again.',
  CONFIRMATION_REQUIRED: 'This needs a typed confirmation: type the instance name exactly.',
  PREVIEW_EXPIRED: 'The preview expired. Create a new preview to see what is running now.',
  APPROVAL_REQUIRED: 'Nothing was killed yet: this instance follows the two-person rule, and a second engineer must approve the request.',
  APPROVAL_EXPIRED: 'The approval request expired: nothing was killed. Ask again if the kill is still needed.',
  PROTECTED_TARGET: 'Quell refused: the target includes a protected session.',
  PAYLOAD_TOO_LARGE: 'Too much at once. Narrow the filter or send fewer session IDs.',
  UPSTREAM_ERROR: 'The database service (DAS) returned an error. The details below name it.',
  UPSTREAM_TIMEOUT: 'The database service (DAS) did not answer in time. Try again in a moment.',
  RATE_LIMITED: 'Too many requests. Wait a moment and try again.',
  INTERNAL: 'Quell hit an internal error. Try again; if it keeps happening, report the request id.',
  NETWORK: 'Quell could not reach its server. Check your connection and try again.',
  BAD_RESPONSE: 'The server sent an answer Quell does not understand. Reload the page; report the request id if it persists.',
};

/** What happened and what to do, in words, for any error. */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof (error as ApiError).code === 'string') {
    const code = (error as ApiError).code;
    const wait = (error as ApiError).details?.retryAfterSeconds;
    // the server says how long; "a few seconds" can be a quarter of an hour
    if (code === 'RATE_LIMITED' && typeof wait === 'number' && wait > 0) return `Too many requests: wait ${formatWait(wait)}, then try again.`;
    if (code in TEXT) return TEXT[code];
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Try again.';
}

/** The server's own message, when it adds something to the generic text. */
export function errorDetail(error: unknown): string | null {
  if (error instanceof Error && error.message && error.message !== errorMessage(error)) return error.message;
  return null;
}
