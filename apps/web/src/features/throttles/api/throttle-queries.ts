import { useCallback } from 'react';
import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateThrottleRequest, KillAndThrottleRequest, ThrottlePreviewRequest } from '@quell/contracts/throttles';
import { IDEMPOTENCY_HEADER, routes } from '@quell/contracts/routes';
import { callApi } from '@/lib/api-client';

export const throttleQueries = {
  all: () => ['throttles'] as const,
  list: (instanceId: string) =>
    queryOptions({
      queryKey: [...throttleQueries.all(), instanceId, 'list'] as const,
      queryFn: ({ signal }) => callApi(routes.throttles, { params: { instanceId }, signal }),
      refetchInterval: 15_000,
    }),
  /** DAS's suggested pattern for the sample statement: asked once per statement. */
  pattern: (instanceId: string, sql: string) =>
    queryOptions({
      queryKey: [...throttleQueries.all(), instanceId, 'pattern', sql] as const,
      queryFn: ({ signal }) => callApi(routes.throttlePatterns, { params: { instanceId }, body: { sql }, signal }),
      staleTime: Infinity,
      retry: false,
    }),
  /** The sessions the pattern matches now: refreshed while the dialog is open. */
  preview: (instanceId: string, request: ThrottlePreviewRequest) =>
    queryOptions({
      queryKey: [...throttleQueries.all(), instanceId, 'preview', request] as const,
      queryFn: ({ signal }) => callApi(routes.throttlePreviews, { params: { instanceId }, body: request, signal }),
      placeholderData: keepPreviousData,
      refetchInterval: 5_000,
      retry: false,
    }),
};

export function useCreateThrottle(instanceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateThrottleRequest) => callApi(routes.createThrottle, { params: { instanceId }, body }),
    onSettled: () => client.invalidateQueries({ queryKey: [...throttleQueries.all(), instanceId] }),
  });
}

export function useRemoveThrottle(instanceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (throttleId: string) => callApi(routes.throttle, { params: { instanceId, throttleId } }),
    onSettled: () => client.invalidateQueries({ queryKey: [...throttleQueries.all(), instanceId] }),
  });
}

/** Commits a frozen kill preview and creates the throttle, in one request (the kill preview's own commit, with the throttle beside it). */
export function useCommitAndThrottle(instanceId: string) {
  const client = useQueryClient();
  return useCallback(
    async ({ previewId, body, idempotencyKey }: { previewId: string; body: KillAndThrottleRequest; idempotencyKey: string }) => {
      try {
        return await callApi(routes.commitAndThrottle, { params: { previewId }, body, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } });
      } finally {
        void client.invalidateQueries({ queryKey: [...throttleQueries.all(), instanceId] });
      }
    },
    [client, instanceId],
  );
}
