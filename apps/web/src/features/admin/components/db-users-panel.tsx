import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { InstanceSummary } from '@quell/contracts/instances';
import { Button } from '@/components/ui/button';
import { EnvBadge } from '@/components/ui/env-badge';
import { ErrorPanel } from '@/components/ui/error-panel';
import { TextField } from '@/components/ui/field';
import { SkeletonRows } from '@/components/ui/skeleton';
import { dbUserQueries, useRegisterDbUser, useRemoveDbUser } from '../api/db-user-queries';

/** The DAS db users of one instance: the accounts DAS uses to list and kill. */
export function DbUsersPanel({ instance }: { instance: InstanceSummary }) {
  const list = useQuery(dbUserQueries.list(instance.id));
  const register = useRegisterDbUser(instance.id);
  const remove = useRemoveDbUser(instance.id);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirming, setConfirming] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim() || !password) return;
    register.mutate(
      { dbUsername: name.trim(), dbUserPassword: password },
      {
        onSuccess: () => {
          setName('');
          setPassword('');
        },
      },
    );
  };
  return (
    <section aria-labelledby="db-users-heading" className="space-y-4">
      <h2 id="db-users-heading" className="flex items-center gap-2 text-lg font-semibold">
        DAS database users of {instance.name} <EnvBadge environment={instance.environment} />
      </h2>
      {list.isPending ? (
        <SkeletonRows rows={3} label="Loading database users" />
      ) : list.isError ? (
        <ErrorPanel title="Could not list the database users" error={list.error} />
      ) : list.data.dbUsers.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No database user is registered with DAS for this instance yet.</p>
      ) : (
        <table className="w-full max-w-2xl text-sm" aria-label="Database users">
          <thead className="text-left text-xs">
            <tr>
              <th className="py-1">Username</th>
              <th className="py-1">DAS id</th>
              <th className="py-1">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.dbUsers.map((u) => (
              <tr key={u.dbUserId} className="border-t border-slate-200 dark:border-slate-800">
                <td className="py-1 font-medium">{u.dbUsername}</td>
                <td className="py-1 font-mono text-xs">{u.dbUserId}</td>
                <td className="py-1 text-right">
                  {confirming === u.dbUserId ? (
                    <span className="inline-flex gap-1">
                      <Button size="sm" onClick={() => setConfirming(null)}>
                        Keep
                      </Button>
                      <Button
                        size="sm"
                        variant="primary"
                        disabled={remove.isPending}
                        onClick={() => remove.mutate(u.dbUserId, { onSettled: () => setConfirming(null) })}
                      >
                        Confirm removing {u.dbUsername}
                      </Button>
                    </span>
                  ) : (
                    <Button size="sm" onClick={() => setConfirming(u.dbUserId)}>
                      Remove {u.dbUsername}
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {remove.isError && <ErrorPanel title="Could not remove the database user" error={remove.error} />}
      <form onSubmit={submit} className="max-w-2xl space-y-3 rounded-md border border-slate-200 p-4 dark:border-slate-800" aria-label="Register a database user">
        <h3 className="font-medium">Register a database user</h3>
        <div className="flex flex-wrap items-end gap-3">
          <TextField label="Database username" className="w-56" value={name} autoComplete="off" onChange={(e) => setName(e.target.value)} />
          <TextField label="Database password" className="w-56" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          <Button type="submit" variant="primary" disabled={register.isPending || !name.trim() || !password}>
            {register.isPending ? 'Registering…' : 'Register'}
          </Button>
        </div>
        <p className="text-xs text-slate-600 dark:text-slate-400">The password goes to DAS once and is never stored by Quell or shown again.</p>
        {register.isError && <ErrorPanel title="Could not register the database user" error={register.error} />}
      </form>
    </section>
  );
}
