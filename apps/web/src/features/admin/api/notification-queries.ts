import { queryOptions } from '@tanstack/react-query';
import { routes } from '@quell/contracts/routes';
import { callApi } from '@/lib/api-client';

export const notificationQueries = {
  all: () => ['notifications'] as const,
  status: () =>
    queryOptions({
      queryKey: [...notificationQueries.all(), 'status'] as const,
      queryFn: ({ signal }) => callApi(routes.notifications, { signal }),
      // Deliveries retry in the background: keep the counts moving while the page is open.
      refetchInterval: 10_000,
    }),
};
