import { queryOptions, useQuery } from '@tanstack/react-query';
import { routes } from '@quell/contracts/routes';
import { callApi } from '@/lib/api-client';

export const instanceQueries = {
  all: () => ['instances'] as const,
  list: () =>
    queryOptions({
      queryKey: [...instanceQueries.all(), 'list'] as const,
      queryFn: ({ signal }) => callApi(routes.instances, { signal }),
      staleTime: 5 * 60_000,
    }),
};

export function useInstances() {
  return useQuery(instanceQueries.list());
}

export function useInstance(instanceId: string | undefined) {
  return useQuery({ ...instanceQueries.list(), select: (r) => r.instances.find((i) => i.id === instanceId) ?? null });
}
