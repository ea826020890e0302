import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { LoginRequest, MeResponse } from '@quell/contracts/auth';
import { routes } from '@quell/contracts/routes';
import { ApiError, callApi, setCsrfToken } from '@/lib/api-client';

/** Who is signed in; `null` when nobody is (a 401 is an answer here, not an error). */
export async function fetchMe(signal?: AbortSignal): Promise<MeResponse | null> {
  try {
    const me = await callApi(routes.me, { signal });
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

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: LoginRequest) => {
      // the login answer is who-am-I, CSRF token included
      const me = await callApi(routes.login, { body: input });
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
    mutationFn: () => callApi(routes.logout, {}),
    onSettled: () => {
      setCsrfToken(null);
      queryClient.clear();
      queryClient.setQueryData(authQueries.me().queryKey, null);
    },
  });
}
