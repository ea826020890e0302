import { Fragment, useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { InstanceSummary } from '@quell/contracts/instances';
import { Button } from '@/components/ui/button';
import { EnvBadge } from '@/components/ui/env-badge';
import { ErrorPanel } from '@/components/ui/error-panel';
import { TextField } from '@/components/ui/field';
import { SkeletonRows } from '@/components/ui/skeleton';
import { isApiError } from '@/lib/api-client';
import { dbUserQueries, useRegisterDbUser, useRemoveDbUser } from '../api/db-user-queries';

/** The DAS db users of one instance: the accounts DAS uses to list and kill. */
export function DbUsersPanel({ instance }: { instance: InstanceSummary }) {
  const list = useQuery(dbUserQueries.list(instance.id));
  const register = useRegisterDbUser(instance.id);
  const remove = useRemoveDbUser(instance.id);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirming, setConfirming] = useState<string | null>(null);
  const [typedName, setTypedName] = useState('');
  const startConfirm = (id: string | null) => {
    setConfirming(id);
    setTypedName('');
  };
  const nameTyped = typedName.trim() === instance.name;
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
              <Fragment key={u.dbUserId}>
                <tr className="border-t border-slate-200 dark:border-slate-800">
                  <td className="py-1 font-medium">{u.dbUsername}</td>
                  <td className="py-1 font-mono text-xs">{u.dbUserId}</td>
                  <td className="py-1 text-right">
                    {u.inUse ? (
                      // DAS refuses nothing here, Quell does (409): the inventory lists and kills through this account
                      <span className="rounded bg-blue-100 px-2 py-0.5 text-xs font-medium text-blue-950 dark:bg-blue-900/50 dark:text-blue-100">In use by this instance</span>
                    ) : confirming === u.dbUserId ? (
                      <Button size="sm" onClick={() => startConfirm(null)}>
                        Keep {u.dbUsername}
                      </Button>
                    ) : (
                      <Button size="sm" onClick={() => startConfirm(u.dbUserId)}>
                        Remove {u.dbUsername}
                      </Button>
                    )}
                  </td>
                </tr>
                {confirming === u.dbUserId && (
                  <tr>
                    <td colSpan={3} className="pb-3">
                      <div className="space-y-2 rounded-md border border-red-300 bg-red-50 p-3 dark:border-red-800 dark:bg-red-950/30">
                        <p className="text-sm">
                          DAS forgets <strong>{u.dbUsername}</strong> for {instance.name}: whatever lists or kills sessions on this instance through DAS with this account
                          stops working until it is registered again (with its password).
                        </p>
                        <TextField
                          label={`Type the instance name to remove ${u.dbUsername}`}
                          className="w-72"
                          value={typedName}
                          autoComplete="off"
                          spellCheck={false}
                          hint={
                            <>
                              Type <code className="font-bold">{instance.name}</code> exactly.
                            </>
                          }
                          onPaste={(e) => e.preventDefault()}
                          onChange={(e) => setTypedName(e.target.value)}
                        />
                        <Button
                          size="sm"
                          variant="danger"
                          disabled={remove.isPending || !nameTyped}
                          onClick={() => nameTyped && remove.mutate(u.dbUserId, { onSuccess: () => startConfirm(null) })}
                        >
                          Confirm removing {u.dbUsername}
                        </Button>
                      </div>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      {remove.isError && (
        <ErrorPanel
          title="Could not remove the database user"
          error={
            isApiError(remove.error) && remove.error.code === 'CONFLICT'
              ? new Error(`It is the account Quell's inventory uses for ${instance.name}, so it stays: change the inventory first.`)
              : remove.error
          }
        />
      )}
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
