import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { RegisterDbUserRequest } from '@quell/contracts/db-users';
import { routes } from '@quell/contracts/routes';
import { callApi } from '@/lib/api-client';

export const dbUserQueries = {
  all: () => ['db-users'] as const,
  byInstance: (instanceId: string) => [...dbUserQueries.all(), instanceId] as const,
  list: (instanceId: string) =>
    queryOptions({
      queryKey: [...dbUserQueries.byInstance(instanceId), 'list'] as const,
      queryFn: ({ signal }) => callApi(routes.dbUsers, { params: { instanceId }, signal }),
    }),
};

export function useRegisterDbUser(instanceId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RegisterDbUserRequest) => callApi(routes.registerDbUser, { params: { instanceId }, body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: dbUserQueries.byInstance(instanceId) }),
  });
}

export function useRemoveDbUser(instanceId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (dbUserId: string) => callApi(routes.dbUser, { params: { instanceId, dbUserId } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: dbUserQueries.byInstance(instanceId) }),
  });
}
