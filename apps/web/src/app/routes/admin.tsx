import { useSearchParams } from 'react-router';
import { inputClass } from '@/components/ui/field';
import { SkeletonRows } from '@/components/ui/skeleton';
import { DbUsersPanel } from '@/features/admin/components/db-users-panel';
import { NotificationsPanel } from '@/features/admin/components/notifications-panel';
import { hasRole, useMe } from '@/features/auth/hooks/use-me';
import { useInstances } from '@/features/instances/api/instance-queries';
import { useDocumentTitle } from '@/hooks/use-document-title';

export function AdminRoute() {
  const me = useMe();
  const instances = useInstances();
  useDocumentTitle('Admin');
  const [params, setParams] = useSearchParams();
  if (!hasRole(me.data?.role, 'admin')) {
    return (
      <div className="mx-auto max-w-xl p-10 text-center">
        <h1 className="text-xl font-semibold">Admins only</h1>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">Managing DAS database users and seeing notification deliveries needs the admin role. You are signed in as {me.data?.role ?? 'nobody'}.</p>
      </div>
    );
  }
  const list = instances.data?.instances ?? [];
  const selectedId = params.get('instance') ?? '';
  const selected = list.find((i) => i.id === selectedId);
  return (
    <div className="space-y-6 p-4">
      <h1 className="text-xl font-semibold">Admin</h1>
      {instances.isPending ? (
        <SkeletonRows rows={3} label="Loading instances" />
      ) : (
        <div className="w-72">
          <label htmlFor="admin-instance" className="mb-1 block text-xs font-medium">
            Instance
          </label>
          <select id="admin-instance" className={inputClass} value={selectedId} onChange={(e) => setParams(e.target.value ? { instance: e.target.value } : {})}>
            <option value="">Choose an instance…</option>
            {list.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name} ({i.environment})
              </option>
            ))}
          </select>
        </div>
      )}
      {selected && <DbUsersPanel key={selected.id} instance={selected} />}
      <NotificationsPanel />
    </div>
  );
}
