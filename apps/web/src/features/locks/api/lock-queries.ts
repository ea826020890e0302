import { queryOptions } from '@tanstack/react-query';
import { routes } from '@quell/contracts/routes';
import { callApi } from '@/lib/api-client';

export const lockQueries = {
  all: () => ['locks'] as const,
  byInstance: (instanceId: string) => [...lockQueries.all(), instanceId] as const,
  /** The instance-wide lock graph: the lock views need no user/database filter. */
  graph: (instanceId: string) =>
    queryOptions({
      queryKey: [...lockQueries.byInstance(instanceId), 'graph'] as const,
      queryFn: ({ signal }) => callApi(routes.locks, { params: { instanceId }, signal }),
      staleTime: 0,
    }),
};
