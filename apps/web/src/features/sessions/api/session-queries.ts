import { queryOptions } from '@tanstack/react-query';
import { SessionListResponse } from '@quell/contracts/sessions';
import { routes } from '@quell/contracts/routes';
import { api } from '@/lib/api-client';

/** Only the server filters go into the key: client filters never cause a fetch. */
export interface SessionListFilter {
  user?: string | undefined;
  database?: string | undefined;
}

export const sessionQueries = {
  all: () => ['sessions'] as const,
  byInstance: (instanceId: string) => [...sessionQueries.all(), instanceId] as const,
  list: (instanceId: string, filter: SessionListFilter) => {
    const f: SessionListFilter = {};
    if (filter.user) f.user = filter.user;
    if (filter.database) f.database = filter.database;
    return queryOptions({
      queryKey: [...sessionQueries.byInstance(instanceId), 'list', f] as const,
      queryFn: ({ signal }) => api.get(routes.sessions(instanceId), { query: { user: f.user, database: f.database }, signal, schema: SessionListResponse }),
      enabled: Boolean(f.user || f.database),
      staleTime: 0,
    });
  },
};
