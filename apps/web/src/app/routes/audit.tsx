import { AuditView } from '@/features/audit/components/audit-view';
import { useInstances } from '@/features/instances/api/instance-queries';
import { useDocumentTitle } from '@/hooks/use-document-title';

export function AuditRoute() {
  const instances = useInstances();
  useDocumentTitle('Audit');
  return <AuditView instances={instances.data?.instances ?? []} />;
}
