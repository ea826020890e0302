import { InstancePicker } from '@/features/instances/components/instance-picker';
import { useDocumentTitle } from '@/hooks/use-document-title';

export function InstancesRoute() {
  useDocumentTitle('Instances');
  return <InstancePicker />;
}
