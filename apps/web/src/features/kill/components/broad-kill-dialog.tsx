import { memo, useState } from 'react';
import type { InstanceSummary } from '@quell/contracts/instances';
import type { KillResult } from '@quell/contracts/kill';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { EnvBadge } from '@/components/ui/env-badge';
import { ApprovalRequested } from '@/components/ui/approval-requested';
import { ErrorPanel } from '@/components/ui/error-panel';
import { approvalPendingOf } from '@/lib/approval-pending';
import { useBroadKill } from '../api/kill-queries';
import { useIdempotencyKey } from '../hooks/use-idempotency-key';
import { canCommit, describeFilter } from '../utils/kill-rules';
import { KillResultPanel, type Relisted } from './kill-result-view';
import { ReasonField, TypedConfirmField } from './reason-field';

interface Props {
  open: boolean;
  instance: InstanceSummary;
  filter: { user?: string | undefined; database?: string | undefined };
  onClose: () => void;
  onCommitted: (result: KillResult) => void;
  /** The filter listed again after the kill (Quell cannot verify a broad kill one by one). */
  relisted?: Relisted | undefined;
}

/** Admin only: the DAS filter kill as-is, which nobody can preview. */
// memo: closed, it is drawn again only when its props change (not on each filter keystroke of the view behind it)
export const BroadKillDialog = memo(function BroadKillDialog({ open, instance, filter, onClose, onCommitted, relisted }: Props) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={
        <span className="flex items-center gap-2">
          Broad kill on {instance.name} <EnvBadge environment={instance.environment} />
        </span>
      }
    >
      {open && <BroadBody instance={instance} filter={filter} onClose={onClose} onCommitted={onCommitted} relisted={relisted} />}
    </Dialog>
  );
});

function BroadBody({ instance, filter, onClose, onCommitted, relisted }: Omit<Props, 'open'>) {
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const [result, setResult] = useState<KillResult | null>(null);
  const broad = useBroadKill();
  const { key, afterError } = useIdempotencyKey(`broad:${filter.user ?? ''}:${filter.database ?? ''}`);
  const filterText = describeFilter(filter);
  const enabled = Boolean(filter.user || filter.database) && canCommit({ targets: 1, reason, requiresTypedConfirmation: true, typed, instanceName: instance.name, pending: broad.isPending });
  if (result) return <KillResultPanel result={result} onClose={onClose} relisted={relisted} filterText={filterText} />;
  const asked = approvalPendingOf(broad.error);
  if (asked) return <ApprovalRequested pending={asked} onClose={onClose} />;
  return (
    <form className="flex min-h-0 flex-col" aria-label="Broad kill" onSubmit={(e) => e.preventDefault()}>
      <div className="min-h-0 flex-1 space-y-3 overflow-auto px-5 py-4">
        <p className="rounded-md border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/40 dark:text-amber-100">
          <strong>This cannot be previewed or verified.</strong> Quell sends the filter <strong>{filterText || '(none)'}</strong> to the database service as-is: every
          session matching it at that moment is killed, including sessions that start after you look at this screen. Quell cannot tell you beforehand which sessions
          those are, nor check afterwards that they died. Prefer “Select all matching” and a preview when you can.
        </p>
        <ReasonField value={reason} onChange={setReason} disabled={broad.isPending} />
        <TypedConfirmField instanceName={instance.name} value={typed} onChange={setTyped} disabled={broad.isPending} why="Broad mode always asks for the instance name." />
        {instance.requireApproval && (
          <p className="text-sm">
            <strong>Two-person rule:</strong> on {instance.name} a broad kill is not carried out at once. The sessions matching now are frozen and a second engineer
            approves or denies killing exactly those.
          </p>
        )}
        {broad.isError && <ErrorPanel title="The broad kill was not carried out" error={broad.error} />}
      </div>
      <div className="flex justify-end gap-2 border-t border-slate-200 px-5 py-3 dark:border-slate-700">
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="danger"
          disabled={!enabled}
          onClick={() => {
            if (!enabled) return;
            broad.mutate(
              {
                instanceId: instance.id,
                body: { ...(filter.user ? { user: filter.user } : {}), ...(filter.database ? { database: filter.database } : {}), reason: reason.trim(), confirmInstanceName: typed.trim() },
                idempotencyKey: key,
              },
              {
                onSuccess: (r) => {
                  setResult(r);
                  onCommitted(r);
                },
                onError: afterError,
              },
            );
          }}
        >
          {broad.isPending ? 'Killing…' : 'Kill every matching session, unverified'}
        </Button>
      </div>
    </form>
  );
}
