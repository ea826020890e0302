import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './api-client';

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/** Subscribed to by the auth feature: any 401 anywhere means the sign-in is gone. */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

function handleError(error: unknown) {
  if (error instanceof ApiError && error.status === 401) {
    for (const l of unauthenticatedListeners) l();
  }
}

export function createQueryClient(overrides?: { retry?: boolean }): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError: handleError }),
    mutationCache: new MutationCache({ onError: handleError }),
    defaultOptions: {
      queries: {
        retry: overrides?.retry === false ? false : (count, error) => count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
        staleTime: 10_000,
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
}
