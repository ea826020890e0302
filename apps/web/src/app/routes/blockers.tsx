import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import type { InstanceSummary } from '@quell/contracts/instances';
import type { KillPreviewRequest } from '@quell/contracts/kill';
import { ErrorPanel } from '@/components/ui/error-panel';
import { SkeletonRows } from '@/components/ui/skeleton';
import { hasRole, useMe } from '@/features/auth/hooks/use-me';
import { useInstance } from '@/features/instances/api/instance-queries';
import { KillDialog } from '@/features/kill/components/kill-dialog';
import { lockQueries } from '@/features/locks/api/lock-queries';
import { BlockersView } from '@/features/locks/components/blockers-view';
import { useDocumentTitle } from '@/hooks/use-document-title';

/** `/instances/:instanceId/blockers?session=`: the lock chains of one instance, and "Kill root…" through the usual preview. */
export function BlockersRoute() {
  const { instanceId = '' } = useParams();
  const instance = useInstance(instanceId);
  if (instance.isPending) return <SkeletonRows rows={8} label="Loading the instance" />;
  if (instance.isError) return <div className="p-6"><ErrorPanel title="Could not load the instances" error={instance.error} /></div>;
  if (!instance.data) {
    return (
      <div className="mx-auto max-w-xl p-10 text-center">
        <h1 className="text-xl font-semibold">Unknown instance “{instanceId}”</h1>
        <Link to="/" className="mt-4 inline-block underline">
          Pick an instance
        </Link>
      </div>
    );
  }
  return <Blockers key={instanceId} instance={instance.data} />;
}

function Blockers({ instance }: { instance: InstanceSummary }) {
  const queryClient = useQueryClient();
  const me = useMe();
  const [search] = useSearchParams();
  const highlight = /^\d+$/.test(search.get('session') ?? '') ? Number(search.get('session')) : undefined;
  const [request, setRequest] = useState<KillPreviewRequest | null>(null);
  useDocumentTitle(instance.environment === 'prod' ? `PROD ${instance.name} blockers` : `${instance.name} blockers`);
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <nav className="px-4 pt-2 text-xs">
        <Link to={`/instances/${encodeURIComponent(instance.id)}/sessions`} className="underline">
          ← Sessions
        </Link>
      </nav>
      <BlockersView
        instance={instance}
        paused={request !== null}
        highlight={highlight}
        onKillRoot={(root) => root.user !== undefined && setRequest({ user: root.user, sessionIds: [root.id] })}
        onKillByFilter={(filter) => setRequest(filter as KillPreviewRequest)}
      />
      <KillDialog
        instance={instance}
        canCommit={hasRole(me.data?.role, 'operator')}
        request={request}
        onClose={() => setRequest(null)}
        onCommitted={() => void queryClient.invalidateQueries({ queryKey: lockQueries.byInstance(instance.id) })}
      />
    </div>
  );
}
