import { InstancePicker } from '@/features/instances/components/instance-picker';

export function InstancesRoute() {
  return <InstancePicker />;
}
