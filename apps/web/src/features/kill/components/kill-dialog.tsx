import { memo, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { InstanceSummary } from '@quell/contracts/instances';
import type { KillPreview, KillPreviewRequest, KillResult } from '@quell/contracts/kill';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { EnvBadge } from '@/components/ui/env-badge';
import { ApprovalRequested } from '@/components/ui/approval-requested';
import { approvalPendingOf } from '@/lib/approval-pending';
import { ErrorPanel } from '@/components/ui/error-panel';
import { SkeletonRows } from '@/components/ui/skeleton';
import { ApiError } from '@/lib/api-client';
import { plural } from '@/lib/format';
import { killQueries, useCommitPreview, type CommitInput } from '../api/kill-queries';
import { useIdempotencyKey } from '../hooks/use-idempotency-key';
import type { RejectedToken } from '../utils/parse-ids';
import { KillPreviewPanel } from './kill-preview-panel';
import { KillResultPanel } from './kill-result-view';

/** A step confirmed and committed together with the kill (e.g. a throttle of the killed statements). */
export interface KillAlso {
  /** Appended to the kill button: "Kill 3 sessions and throttle". */
  label: string;
  /** What else the confirmation does, shown above the reason. */
  summary: ReactNode;
  /** Commits the preview and the step in one request (the same preview, identity check and idempotency); resolves to the kill's result. */
  commit: (input: CommitInput) => Promise<KillResult>;
  /** How the step went, shown above the kill's result. */
  outcome: ReactNode;
  /** The reason given before the preview: the draft starts with it. */
  reason: string;
}

interface Props {
  instance: InstanceSummary;
  /** Viewers may preview; only operators and admins commit. */
  canCommit: boolean;
  /** What to preview; the dialog is open while this is set. */
  request: KillPreviewRequest | null;
  /** Pasted tokens left out of the request because they are not session ids. */
  rejected?: readonly RejectedToken[];
  /** The ids of the listing behind the dialog: tells a gone session from another user's. */
  listedIds?: ReadonlySet<number> | undefined;
  onClose: () => void;
  /** Called after the server answered a commit (the sessions list should refresh). */
  onCommitted: (result: KillResult) => void;
  /** Also done by the confirmation, in the same commit. */
  also?: KillAlso | undefined;
}

/** What the operator typed, and the preview a "Preview again" replaced: kept across previews of one request. */
interface Draft {
  scope: string;
  reason: string;
  typed: string;
  previous: KillPreview | null;
}
const emptyDraft = (scope: string, reason = ''): Draft => ({ scope, reason, typed: '', previous: null });

// memo: closed, it is drawn again only when its props change (not on each filter keystroke of the view behind it)
export const KillDialog = memo(function KillDialog({ instance, canCommit, request, rejected, listedIds, onClose, onCommitted, also }: Props) {
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<KillResult | null>(null);
  const scope = request ? JSON.stringify(request) : '';
  const [draft, setDraft] = useState(() => emptyDraft(scope, also?.reason));
  let current = draft;
  if (draft.scope !== scope) {
    // another request (or none): a new draft
    current = emptyDraft(scope, also?.reason);
    setDraft(current);
  }
  const open = request !== null;
  const close = () => {
    setResult(null);
    setDraft(emptyDraft(''));
    onClose();
  };
  // the same query the body runs (deduplicated): the title names what the preview will kill
  const previewed = useQuery({ ...killQueries.preview(instance.id, request ?? {}, attempt), enabled: request !== null });
  const count = previewed.data?.targets.length;
  const title = result ? (
    <>Outcome on {instance.name}</>
  ) : (
    <span className="flex flex-wrap items-center gap-2">
      {count === 0 ? `Nothing to kill on ${instance.name}` : count !== undefined ? `Kill ${plural(count, 'session')} on ${instance.name}?` : `Kill sessions on ${instance.name}?`}
      <EnvBadge environment={instance.environment} />
    </span>
  );
  return (
    <Dialog open={open} onClose={close} title={title}>
      {request && (
        <DialogBody
          key={`${JSON.stringify(request)}#${attempt}`}
          instance={instance}
          canCommit={canCommit}
          request={request}
          attempt={attempt}
          result={result}
          rejected={rejected}
          listedIds={listedIds}
          draft={current}
          also={also}
          onDraftChange={(patch) => setDraft((d) => ({ ...d, ...patch }))}
          onResult={(r) => {
            setResult(r);
            onCommitted(r);
          }}
          onRetryPreview={(replaced) => {
            setResult(null);
            if (replaced) setDraft((d) => ({ ...d, previous: replaced }));
            setAttempt((a) => a + 1);
          }}
          onClose={close}
        />
      )}
    </Dialog>
  );
});

function DialogBody({
  instance,
  canCommit,
  request,
  attempt,
  result,
  rejected,
  listedIds,
  draft,
  also,
  onDraftChange,
  onResult,
  onRetryPreview,
  onClose,
}: {
  instance: InstanceSummary;
  canCommit: boolean;
  request: KillPreviewRequest;
  attempt: number;
  result: KillResult | null;
  rejected: readonly RejectedToken[] | undefined;
  listedIds: ReadonlySet<number> | undefined;
  draft: Draft;
  also: KillAlso | undefined;
  onDraftChange: (patch: Partial<Omit<Draft, 'scope'>>) => void;
  onResult: (r: KillResult) => void;
  /** A fresh preview of the same request; `replaced` is the one it replaces, to show what changed. */
  onRetryPreview: (replaced?: KillPreview) => void;
  onClose: () => void;
}) {
  const preview = useQuery(killQueries.preview(instance.id, request, attempt));
  const commit = useCommitPreview(also?.commit);
  const { key, afterError } = useIdempotencyKey(preview.data?.previewId ?? 'none');

  if (result) return <KillResultPanel result={result} onClose={onClose} note={also?.outcome} />;
  if (preview.isPending) {
    return (
      <div className="px-5 py-4">
        <p className="text-sm">Asking the database which sessions match right now…</p>
        <SkeletonRows rows={5} label="Loading the kill preview" />
      </div>
    );
  }
  if (preview.isError) {
    return (
      <div className="space-y-3 px-5 py-4">
        <ErrorPanel title="Could not prepare the kill preview" error={preview.error} />
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Close</Button>
          <Button variant="primary" onClick={() => onRetryPreview()}>
            Try again
          </Button>
        </div>
      </div>
    );
  }
  const asked = approvalPendingOf(commit.error);
  if (asked) return <ApprovalRequested pending={asked} onClose={onClose} />;
  const expired = commit.error instanceof ApiError && commit.error.code === 'PREVIEW_EXPIRED';
  const repreview = () => onRetryPreview(preview.data);
  return (
    <KillPreviewPanel
      preview={preview.data}
      receivedAt={preview.dataUpdatedAt}
      previous={draft.previous}
      listedIds={listedIds}
      {...(rejected ? { rejected } : {})}
      reason={draft.reason}
      onReasonChange={(reason) => onDraftChange({ reason })}
      typed={draft.typed}
      onTypedChange={(typed) => onDraftChange({ typed })}
      onRepreview={repreview}
      readOnly={!canCommit}
      twoPersonRule={instance.requireApproval === true}
      pending={commit.isPending}
      error={commit.error}
      errorAction={
        expired ? (
          <Button size="sm" variant="primary" onClick={repreview}>
            Preview again
          </Button>
        ) : undefined
      }
      onCancel={onClose}
      {...(also ? { also: { label: also.label, summary: also.summary } } : {})}
      onCommit={(body) => {
        if (commit.isPending) return;
        commit.mutate({ previewId: preview.data.previewId, body, idempotencyKey: key }, { onSuccess: onResult, onError: afterError });
      }}
    />
  );
}
