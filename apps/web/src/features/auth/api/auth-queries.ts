import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { AuthProvidersResponse, LoginRequest, MeResponse } from '@quell/contracts/auth';
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
  /** How one may sign in; if the BFF cannot say, the local form (the embedded default). */
  providers: () =>
    queryOptions({
      queryKey: [...authQueries.all(), 'providers'] as const,
      queryFn: async ({ signal }): Promise<AuthProvidersResponse> => {
        try {
          return await callApi(routes.authProviders, { signal });
        } catch {
          return { oidc: null, local: 'on' };
        }
      },
      staleTime: 5 * 60_000,
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

/** Signs out; resolves to the identity provider's logout URL when the session came from it (else null). */
export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (me: MeResponse | null | undefined): Promise<string | null> => {
      if (me?.displayName === undefined) {
        await callApi(routes.logout, {});
        return null;
      }
      return (await callApi(routes.signOut, {})).logoutUrl;
    },
    onSettled: () => {
      setCsrfToken(null);
      queryClient.clear();
      queryClient.setQueryData(authQueries.me().queryKey, null);
    },
  });
}
