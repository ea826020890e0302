import { AuditView } from '@/features/audit/components/audit-view';
import { useInstances } from '@/features/instances/api/instance-queries';

export function AuditRoute() {
  const instances = useInstances();
  return <AuditView instances={instances.data?.instances ?? []} />;
}
