import { useCallback, useState } from 'react';
import { ApiError } from '@/lib/api-client';
import { newIdempotencyKey } from '../utils/kill-rules';

/**
 * One Idempotency-Key per commit attempt of one target (preview id, or a blind/broad request):
 * a double click, or a retry after a lost answer, reuses it, so the server kills at most once.
 * After a definite refusal (4xx), the next attempt is a new one and gets a new key.
 */
export function useIdempotencyKey(scope: string) {
  const [state, setState] = useState(() => ({ scope, key: newIdempotencyKey() }));
  let current = state;
  if (state.scope !== scope) {
    current = { scope, key: newIdempotencyKey() };
    setState(current);
  }
  const afterError = useCallback((error: unknown) => {
    const definite = error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
    if (definite) setState((s) => ({ scope: s.scope, key: newIdempotencyKey() }));
  }, []);
  return { key: current.key, afterError };
}
