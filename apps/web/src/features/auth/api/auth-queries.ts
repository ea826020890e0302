import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { MeResponse, type LoginRequest } from '@quell/contracts/auth';
import { routes } from '@quell/contracts/routes';
import { ApiError, api, setCsrfToken } from '@/lib/api-client';

/** Who is signed in; `null` when nobody is (a 401 is an answer here, not an error). */
export async function fetchMe(signal?: AbortSignal): Promise<MeResponse | null> {
  try {
    const me = await api.get(routes.me, { schema: MeResponse, signal });
    setCsrfToken(me.csrfToken);
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw e;
  }
}

export const authQueries = {
  all: () => ['auth'] as const,
  me: () =>
    queryOptions({
      queryKey: [...authQueries.all(), 'me'] as const,
      queryFn: ({ signal }) => fetchMe(signal),
      staleTime: 60_000,
    }),
};

const Ignored = z.unknown();

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: LoginRequest) => {
      // the login answer is who-am-I, CSRF token included
      const me = await api.post(routes.login, { body: input, schema: MeResponse });
      setCsrfToken(me.csrfToken);
      return me;
    },
    onSuccess: (me) => {
      queryClient.setQueryData(authQueries.me().queryKey, me);
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post(routes.logout, { schema: Ignored }),
    onSettled: () => {
      setCsrfToken(null);
      queryClient.clear();
      queryClient.setQueryData(authQueries.me().queryKey, null);
    },
  });
}
