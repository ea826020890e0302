import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApproveRequest, DenyRequest } from '@quell/contracts/approvals';
import { IDEMPOTENCY_HEADER, routes } from '@quell/contracts/routes';
import { callApi } from '@/lib/api-client';

/** The header badge polls this often: a request waits 10 minutes by default, so a second engineer sees it well in time. */
export const PENDING_POLL_MS = 15_000;
const REQUEST_POLL_MS = 5_000;

export const approvalQueries = {
  all: () => ['approvals'] as const,
  pending: () =>
    queryOptions({
      queryKey: [...approvalQueries.all(), 'pending'] as const,
      queryFn: ({ signal }) => callApi(routes.approvals, { signal }),
      refetchInterval: PENDING_POLL_MS,
    }),
  one: (approvalId: string) =>
    queryOptions({
      queryKey: [...approvalQueries.all(), 'one', approvalId] as const,
      queryFn: ({ signal }) => callApi(routes.approval, { params: { approvalId }, signal }),
      // While it waits, someone else may decide it (or it expires): the screen follows.
      refetchInterval: (query) => (query.state.data?.status === 'pending' ? REQUEST_POLL_MS : false),
      retry: false,
    }),
};

export function useApprove() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ approvalId, body, idempotencyKey }: { approvalId: string; body: ApproveRequest; idempotencyKey: string }) =>
      callApi(routes.approve, { params: { approvalId }, body, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } }),
    onSettled: () => client.invalidateQueries({ queryKey: approvalQueries.all() }),
  });
}

export function useDeny() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ approvalId, body }: { approvalId: string; body: DenyRequest }) => callApi(routes.deny, { params: { approvalId }, body }),
    onSettled: () => client.invalidateQueries({ queryKey: approvalQueries.all() }),
  });
}
