import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateThrottleRequest, KillAndThrottleRequest, ThrottlePreviewRequest } from '@quell/contracts/throttles';
import type { KillPreviewRequest } from '@quell/contracts/kill';
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

/** One confirmed step: freeze the session(s) in a kill preview, then kill them and create the throttle. */
export function useKillAndThrottle(instanceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ target, body, idempotencyKey }: { target: KillPreviewRequest; body: KillAndThrottleRequest; idempotencyKey: string }) => {
      const preview = await callApi(routes.killPreviews, { params: { instanceId }, body: target });
      return callApi(routes.commitAndThrottle, { params: { previewId: preview.previewId }, body, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } });
    },
    onSettled: () => client.invalidateQueries({ queryKey: [...throttleQueries.all(), instanceId] }),
  });
}
