import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { InstanceSummary } from '@quell/contracts/instances';
import type { LockSession, LockWait, OpenTransaction } from '@quell/contracts/locks';
import { Button } from '@/components/ui/button';
import { EnvBadge } from '@/components/ui/env-badge';
import { ErrorPanel } from '@/components/ui/error-panel';
import { SkeletonRows } from '@/components/ui/skeleton';
import { formatClock, formatCount, formatDuration } from '@/lib/format';
import { lockQueries } from '../api/lock-queries';
import { lockChains, type LockNode } from '../utils/lock-tree';
import { KillByFilterForm } from './kill-by-filter-form';

export const BLOCKERS_REFRESH_SECONDS = 5;

interface Props {
  instance: InstanceSummary;
  /** A dialog is open: the tree stands still under it. */
  paused: boolean;
  /** A session to point out (deep link ?session=). */
  highlight?: number | undefined;
  onKillRoot: (root: LockSession) => void;
  onKillByFilter: (filter: { user?: string; database?: string }) => void;
}

/** Each lock chain as a tree, live: who holds everyone up, and a way to kill them through the usual preview. */
export function BlockersView({ instance, paused, highlight, onKillRoot, onKillByFilter }: Props) {
  const query = useQuery({ ...lockQueries.graph(instance.id), refetchInterval: paused ? false : BLOCKERS_REFRESH_SECONDS * 1000, refetchIntervalInBackground: false });
  const chains = useMemo(() => (query.data ? lockChains(query.data) : []), [query.data]);
  // A root that was not one in the previous answer (the next waiter got the lock): pointed out.
  const previousRoots = useRef<ReadonlySet<number> | null>(null);
  const [newRoots, setNewRoots] = useState<ReadonlySet<number>>(() => new Set());
  useEffect(() => {
    if (!query.data) return;
    const roots = new Set(query.data.roots);
    const before = previousRoots.current;
    setNewRoots(before ? new Set([...roots].filter((id) => !before.has(id))) : new Set());
    previousRoots.current = roots;
  }, [query.data]);

  return (
    <div className="flex min-h-0 flex-1 flex-col overflow-auto px-4 py-3">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 pb-2 dark:border-slate-800">
        <h1 className="flex items-center gap-2 text-lg font-semibold">
          Blockers on {instance.name} <EnvBadge environment={instance.environment} />
        </h1>
        <p className="flex items-center gap-2 text-xs text-slate-600 dark:text-slate-400" aria-live="polite">
          <span>{paused ? 'refresh paused: a dialog is open' : `⟳ every ${BLOCKERS_REFRESH_SECONDS} s`}</span>
          {query.dataUpdatedAt > 0 && <span>updated {formatClock(query.dataUpdatedAt)}</span>}
          <Button size="sm" onClick={() => void query.refetch()} disabled={query.isFetching}>
            Refresh
          </Button>
        </p>
      </div>
      {query.isPending ? (
        <SkeletonRows rows={6} label="Loading the lock chains" />
      ) : query.isError && !query.data ? (
        <Unavailable error={query.error} onKillByFilter={onKillByFilter} />
      ) : (
        <>
          {query.isError && <ErrorPanel title="The last refresh failed; showing the previous lock data" error={query.error} />}
          {chains.length === 0 ? (
            <p className="py-6 text-sm" role="status">
              Nobody waits for a lock right now.
            </p>
          ) : (
            <ul className="mt-3 space-y-3" aria-label="Lock chains">
              {chains.map((c) => (
                <li key={c.root.session.id} className="rounded-md border border-slate-200 p-2 dark:border-slate-700">
                  {c.cycle && <p className="mb-1 text-xs font-semibold text-red-800 dark:text-red-300">Wait cycle (a deadlock the server has not resolved yet)</p>}
                  <div role="tree" aria-label={`Chain of session ${c.root.session.id}`}>
                    <ChainTree node={c.root} depth={0} highlight={highlight} newRoots={newRoots} onKillRoot={c.cycle ? undefined : onKillRoot} />
                  </div>
                </li>
              ))}
            </ul>
          )}
          {query.data && query.data.transactions.length > 0 && <Transactions data={query.data.transactions} />}
        </>
      )}
    </div>
  );
}

function Unavailable({ error, onKillByFilter }: { error: unknown; onKillByFilter: Props['onKillByFilter'] }) {
  return (
    <div className="mt-3 space-y-3">
      <ErrorPanel title="Lock data unavailable" error={error} />
      <section aria-label="Kill by filter instead" className="space-y-1">
        <p className="text-sm">Without lock data you can still kill the sessions of a user or a database, through the usual preview.</p>
        <KillByFilterForm onPreview={onKillByFilter} />
      </section>
    </div>
  );
}

const lockLabel = (w: LockWait) => (w.kind === 'row' ? 'row lock' : 'metadata lock');

function describeRoot(s: LockSession): string {
  const trx = s.transaction;
  const parts: string[] = [];
  if (trx?.ageSeconds != null) parts.push(`trx ${formatDuration(trx.ageSeconds)}`);
  if (trx?.rowsModified != null && trx.rowsModified > 0) parts.push(`${formatCount(trx.rowsModified)} rows modified`);
  return parts.join(' · ');
}

function ChainTree({ node, depth, highlight, newRoots, onKillRoot }: { node: LockNode; depth: number; highlight: number | undefined; newRoots: ReadonlySet<number>; onKillRoot: ((s: LockSession) => void) | undefined }) {
  const s = node.session;
  const isRoot = depth === 0;
  const idleInTrx = isRoot && s.command === 'Sleep' && s.transaction !== null;
  return (
    <div role="treeitem" aria-level={depth + 1} aria-label={`Session ${s.id}`} aria-expanded={node.children.length > 0 ? true : undefined} data-session-id={s.id}>
      <div
        className={`flex flex-wrap items-baseline gap-x-3 gap-y-0.5 rounded px-1 py-0.5 text-sm ${highlight === s.id ? 'bg-sky-100 dark:bg-sky-900' : ''}`}
        style={{ paddingLeft: `${depth * 1.5}rem` }}
      >
        <span className="font-mono font-semibold">{s.id}</span>
        {s.user !== undefined && <span>{s.user}</span>}
        {s.host !== undefined && <span className="font-mono text-xs">{s.host}</span>}
        {node.wait ? (
          <>
            <code className="max-w-md truncate font-mono text-xs" title={s.sql}>
              {s.sql || s.command || ''}
            </code>
            <span>waits {node.wait.waitSeconds === null ? '(unknown)' : formatDuration(node.wait.waitSeconds)}</span>
            <span className="font-medium">{lockLabel(node.wait)}</span>
            <span>
              {node.wait.table}
              {node.wait.index ? ` (${node.wait.index})` : ''}
            </span>
            {node.wait.queued && <span className="text-xs text-slate-600 dark:text-slate-400">queued behind {node.wait.blockerId}</span>}
          </>
        ) : (
          <>
            {s.command !== undefined && (
              <span>
                {s.command}
                {s.time !== undefined ? ` ${formatDuration(s.time)}` : ''}
              </span>
            )}
            {describeRoot(s) && <span>{describeRoot(s)}</span>}
            <span className="font-semibold">blocks {formatCount(s.blockingTotal)}</span>
            {newRoots.has(s.id) && <span className="rounded bg-amber-200 px-1 text-xs font-semibold text-amber-950">new root</span>}
            {onKillRoot && (
              <Button size="sm" onClick={() => onKillRoot(s)} disabled={s.user === undefined} title={s.user === undefined ? 'Its user is unknown: kill it by filter from the sessions view' : undefined}>
                Kill root…
              </Button>
            )}
          </>
        )}
      </div>
      {idleInTrx && s.time !== undefined && (
        <p className="text-xs font-medium text-red-800 dark:text-red-300" style={{ paddingLeft: '0.25rem' }}>
          Idle for {formatDuration(s.time)} inside a transaction.
        </p>
      )}
      {node.children.length > 0 && (
        <div role="group">
          {node.children.map((c) => (
            <ChainTree key={c.session.id} node={c} depth={depth + 1} highlight={highlight} newRoots={newRoots} onKillRoot={undefined} />
          ))}
        </div>
      )}
    </div>
  );
}

function Transactions({ data }: { data: readonly OpenTransaction[] }) {
  return (
    <section aria-labelledby="open-trx" className="mt-6">
      <h2 id="open-trx" className="mb-1 text-sm font-semibold">
        Open transactions ({formatCount(data.length)})
      </h2>
      <table className="w-full table-fixed text-xs" aria-label="Open transactions">
        <thead className="bg-slate-100 text-left dark:bg-slate-800">
          <tr>
            <th className="w-24 px-2 py-1">Session</th>
            <th className="w-24 px-2 py-1">State</th>
            <th className="w-20 px-2 py-1 text-right">Open</th>
            <th className="w-28 px-2 py-1 text-right">Rows modified</th>
            <th className="w-24 px-2 py-1 text-right">Rows locked</th>
            <th className="px-2 py-1">Running now</th>
          </tr>
        </thead>
        <tbody>
          {data.map((t) => (
            <tr key={t.sessionId} className="border-t border-slate-100 dark:border-slate-800">
              <td className="px-2 py-0.5 font-mono">{t.sessionId}</td>
              <td className="px-2 py-0.5">{t.state ?? '—'}</td>
              <td className="px-2 py-0.5 text-right tabular-nums">{t.ageSeconds === null ? '—' : formatDuration(t.ageSeconds)}</td>
              <td className="px-2 py-0.5 text-right tabular-nums">{t.rowsModified === null ? '—' : formatCount(t.rowsModified)}</td>
              <td className="px-2 py-0.5 text-right tabular-nums">{t.rowsLocked === null ? '—' : formatCount(t.rowsLocked)}</td>
              <td className="truncate px-2 py-0.5 font-mono" title={t.sql}>
                {t.sql || '(idle)'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
