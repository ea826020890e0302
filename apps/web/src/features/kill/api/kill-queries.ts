import { queryOptions, useMutation } from '@tanstack/react-query';
import type { BlindKillRequest, BroadKillRequest, CommitRequest, KillPreviewRequest, KillResult } from '@quell/contracts/kill';
import { IDEMPOTENCY_HEADER, routes } from '@quell/contracts/routes';
import { callApi } from '@/lib/api-client';

export const killQueries = {
  all: () => ['kill'] as const,
  previews: (instanceId: string) => [...killQueries.all(), instanceId, 'preview'] as const,
  /**
   * A preview freezes the targets on the server: it is created once per opened dialog, never
   * refetched behind the operator's back, and forgotten when the dialog closes.
   */
  preview: (instanceId: string, request: KillPreviewRequest, attempt: number) =>
    queryOptions({
      queryKey: [...killQueries.previews(instanceId), { ...request, attempt }] as const,
      queryFn: ({ signal }) => callApi(routes.killPreviews, { params: { instanceId }, body: request, signal }),
      staleTime: Infinity,
      gcTime: 0,
      retry: false,
      refetchOnMount: false,
      refetchOnReconnect: false,
      refetchOnWindowFocus: false,
    }),
  /** A kill with sessions rolling back: listed again every few seconds until none is (the server records what they became). */
  recheck: (auditId: string) =>
    queryOptions({
      queryKey: [...killQueries.all(), 'recheck', auditId] as const,
      queryFn: ({ signal }) => callApi(routes.recheckKill, { params: { auditId }, signal }),
      refetchInterval: (query) => (query.state.data?.rollingBack === 0 ? false : RECHECK_INTERVAL_MS),
      gcTime: 0,
      retry: false,
      refetchOnWindowFocus: false,
    }),
};

export const RECHECK_INTERVAL_MS = 3_000;

export interface CommitInput {
  previewId: string;
  body: CommitRequest;
  idempotencyKey: string;
}

const commitPreview = ({ previewId, body, idempotencyKey }: CommitInput): Promise<KillResult> =>
  callApi(routes.commitPreview, { params: { previewId }, body, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } });

/** Commits a preview; `commit` replaces the plain commit with one that does more in the same request (e.g. kill and throttle). */
export function useCommitPreview(commit: (input: CommitInput) => Promise<KillResult> = commitPreview) {
  return useMutation({ mutationFn: commit });
}

export function useBroadKill() {
  return useMutation({
    mutationFn: ({ instanceId, body, idempotencyKey }: { instanceId: string; body: BroadKillRequest; idempotencyKey: string }) =>
      callApi(routes.broadKills, { params: { instanceId }, body, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } }),
  });
}

export function useBlindKill() {
  return useMutation({
    mutationFn: ({ instanceId, body, idempotencyKey }: { instanceId: string; body: BlindKillRequest; idempotencyKey: string }) =>
      callApi(routes.blindKills, { params: { instanceId }, body, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } }),
  });
}
