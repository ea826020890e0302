import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { DbUserListResponse, type RegisterDbUserRequest } from '@quell/contracts/db-users';
import { routes } from '@quell/contracts/routes';
import { api } from '@/lib/api-client';

export const dbUserQueries = {
  all: () => ['db-users'] as const,
  byInstance: (instanceId: string) => [...dbUserQueries.all(), instanceId] as const,
  list: (instanceId: string) =>
    queryOptions({
      queryKey: [...dbUserQueries.byInstance(instanceId), 'list'] as const,
      queryFn: ({ signal }) => api.get(routes.dbUsers(instanceId), { schema: DbUserListResponse, signal }),
    }),
};

const Ignored = z.unknown();

export function useRegisterDbUser(instanceId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RegisterDbUserRequest) => api.post(routes.dbUsers(instanceId), { body, schema: Ignored }),
    onSuccess: () => qc.invalidateQueries({ queryKey: dbUserQueries.byInstance(instanceId) }),
  });
}

export function useRemoveDbUser(instanceId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (dbUserId: string) => api.delete(routes.dbUser(instanceId, dbUserId), { schema: Ignored }),
    onSuccess: () => qc.invalidateQueries({ queryKey: dbUserQueries.byInstance(instanceId) }),
  });
}
