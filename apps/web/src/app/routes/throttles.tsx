import { Link, useLocation, useParams } from 'react-router';
import { ErrorPanel } from '@/components/ui/error-panel';
import { SkeletonRows } from '@/components/ui/skeleton';
import { hasRole, useMe } from '@/features/auth/hooks/use-me';
import { useInstance } from '@/features/instances/api/instance-queries';
import { ThrottlesPanel } from '@/features/throttles/components/throttles-panel';
import { useDocumentTitle } from '@/hooks/use-document-title';

export function ThrottlesRoute() {
  const { instanceId = '' } = useParams();
  const { hash } = useLocation();
  const instance = useInstance(instanceId);
  const me = useMe();
  useDocumentTitle(instance.data ? `Throttles ${instance.data.name}` : 'Throttles');
  if (instance.isPending) return <SkeletonRows rows={4} label="Loading the instance" />;
  if (instance.isError) return <div className="p-6"><ErrorPanel title="Could not load the instances" error={instance.error} /></div>;
  if (!instance.data) return <p className="p-6">Unknown instance “{instanceId}”.</p>;
  return (
    <div className="space-y-3 p-4">
      <Link className="text-sm underline" to={`/instances/${encodeURIComponent(instanceId)}/sessions`}>
        ← Sessions
      </Link>
      <ThrottlesPanel instance={instance.data} canRemove={hasRole(me.data?.role, 'operator')} highlight={hash.startsWith('#throttle-') ? hash.slice('#throttle-'.length) : undefined} />
    </div>
  );
}
