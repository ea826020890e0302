import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import type { InstanceSummary } from '@quell/contracts/instances';
import type { Throttle } from '@quell/contracts/throttles';
import { Button } from '@/components/ui/button';
import { ErrorPanel } from '@/components/ui/error-panel';
import { SkeletonRows } from '@/components/ui/skeleton';
import { throttleQueries, useRemoveThrottle } from '../api/throttle-queries';
import { auditEntryPath } from '@/lib/paths';
import { countdown } from '@/lib/countdown';

/** The deep link to an instance's throttles, optionally to one of them. */
export function throttlesPath(instanceId: string, throttleId?: string): string {
  return `/instances/${encodeURIComponent(instanceId)}/throttles${throttleId ? `#throttle-${throttleId}` : ''}`;
}

function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

/** The active throttles of one instance, each with its countdown, the kill that led to it, and "Remove now". */
export function ThrottlesPanel({ instance, canRemove, highlight }: { instance: InstanceSummary; canRemove: boolean; highlight?: string | undefined }) {
  const list = useQuery(throttleQueries.list(instance.id));
  const remove = useRemoveThrottle(instance.id);
  const now = useNow();
  if (list.isPending) return <SkeletonRows rows={3} label="Loading the throttles" />;
  if (list.isError) return <ErrorPanel title="Could not list the throttles" error={list.error} />;
  const throttles = list.data.throttles;
  return (
    <section aria-labelledby="throttles-heading" className="space-y-2">
      <h2 id="throttles-heading" className="text-base font-semibold">
        Throttles on {instance.name}
      </h2>
      {remove.error && <ErrorPanel title="The throttle could not be removed" error={remove.error} />}
      {throttles.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No SQL is throttled on this instance. Use “Throttle similar…” on a session.</p>
      ) : (
        <table className="w-full text-sm">
          <thead>
            <tr className="text-left text-xs text-slate-600 dark:text-slate-400">
              <th className="px-2 py-1">Pattern</th>
              <th className="px-2 py-1">At most</th>
              <th className="px-2 py-1">Expires in</th>
              <th className="px-2 py-1">Reason</th>
              <th className="px-2 py-1">Kill</th>
              <th className="px-2 py-1" />
            </tr>
          </thead>
          <tbody>
            {throttles.map((t: Throttle) => (
              <tr key={t.id} id={`throttle-${t.id}`} className={highlight === t.id ? 'bg-sky-50 dark:bg-sky-950/50' : ''}>
                <td className="px-2 py-1">
                  <code className="font-mono text-xs">{t.pattern}</code>
                </td>
                <td className="px-2 py-1 tabular-nums">{t.maxConcurrency === 0 ? 'none (all refused)' : t.maxConcurrency}</td>
                <td className="px-2 py-1 tabular-nums" title={new Date(t.expiresAt).toLocaleString()} aria-label={`expires in ${countdown(t.expiresAt, now)}`}>
                  {countdown(t.expiresAt, now)}
                </td>
                <td className="px-2 py-1">
                  {t.reason} <span className="text-xs text-slate-500">({t.createdBy})</span>
                </td>
                <td className="px-2 py-1">
                  {t.killAuditId ? (
                    <Link className="underline" to={auditEntryPath(t.killAuditId)} title={t.killAuditId}>
                      kill {t.killAuditId.slice(0, 8)}
                    </Link>
                  ) : (
                    '—'
                  )}
                </td>
                <td className="px-2 py-1 text-right">
                  {canRemove && (
                    <Button size="sm" disabled={remove.isPending && remove.variables === t.id} onClick={() => remove.mutate(t.id)} aria-label={`Remove throttle ${t.pattern} now`}>
                      Remove now
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
