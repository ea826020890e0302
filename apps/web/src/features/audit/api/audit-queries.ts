import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { AuditQuery } from '@quell/contracts/audit';
import { pathOf, routes } from '@quell/contracts/routes';
import { buildUrl, callApi } from '@/lib/api-client';

export type AuditFilters = Partial<Pick<AuditQuery, 'id' | 'instanceId' | 'actor' | 'outcome' | 'status' | 'from' | 'to'>> & { limit: number; offset: number };

function toQuery(f: AuditFilters) {
  return { id: f.id, instanceId: f.instanceId, actor: f.actor, outcome: f.outcome, status: f.status, from: f.from, to: f.to, limit: f.limit, offset: f.offset };
}

export const auditQueries = {
  all: () => ['audit'] as const,
  list: (filters: AuditFilters) =>
    queryOptions({
      queryKey: [...auditQueries.all(), 'list', filters] as const,
      queryFn: ({ signal }) => callApi(routes.audit, { query: toQuery(filters), signal }),
      placeholderData: keepPreviousData,
    }),
};

/** The CSV export of the same filters, without paging. */
export function auditCsvUrl(filters: AuditFilters): string {
  const { limit: _l, offset: _o, ...rest } = toQuery(filters);
  return buildUrl(pathOf(routes.auditCsv), rest);
}
