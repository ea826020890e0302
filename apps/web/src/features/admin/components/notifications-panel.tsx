import { useQuery } from '@tanstack/react-query';
import { ErrorPanel } from '@/components/ui/error-panel';
import { SkeletonRows } from '@/components/ui/skeleton';
import { formatDateTime, plural } from '@/lib/format';
import { notificationQueries } from '../api/notification-queries';

/** Where incident events go, and what has not arrived there yet (with the last error, never a URL). */
export function NotificationsPanel() {
  const status = useQuery(notificationQueries.status());
  return (
    <section aria-labelledby="notifications-heading" className="space-y-4">
      <h2 id="notifications-heading" className="text-lg font-semibold">
        Notifications
      </h2>
      {status.isPending ? (
        <SkeletonRows rows={2} label="Loading notification destinations" />
      ) : status.isError ? (
        <ErrorPanel title="Could not load the notification status" error={status.error} />
      ) : status.data.destinations.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No destination is configured (QUELL_NOTIFY_DESTINATIONS): kills and throttles are not announced anywhere.</p>
      ) : (
        <>
          <div className="overflow-x-auto">
            <table className="w-full max-w-4xl text-sm" aria-label="Notification destinations">
              <thead className="text-left text-xs">
                <tr>
                  <th className="py-1 pr-3">Destination</th>
                  <th className="py-1 pr-3">Environments</th>
                  <th className="py-1 pr-3 text-right">Pending</th>
                  <th className="py-1 pr-3 text-right">Failed</th>
                  <th className="py-1 pr-3 text-right">Delivered</th>
                  <th className="py-1">Last error</th>
                </tr>
              </thead>
              <tbody>
                {status.data.destinations.map((d) => (
                  <tr key={d.name} className="border-t border-slate-200 align-top dark:border-slate-800">
                    <td className="py-1 pr-3">
                      <span className="font-medium">{d.name}</span> <span className="text-xs text-slate-600 dark:text-slate-400">{d.type === 'slack' ? 'Slack' : 'signed webhook'}</span>
                    </td>
                    <td className="py-1 pr-3">{d.environments ? d.environments.join(', ') : 'all'}</td>
                    <td className={`py-1 pr-3 text-right tabular-nums ${d.pending > 0 ? 'font-semibold text-amber-800 dark:text-amber-300' : ''}`}>{d.pending}</td>
                    <td className={`py-1 pr-3 text-right tabular-nums ${d.failed > 0 ? 'font-semibold text-red-800 dark:text-red-300' : ''}`}>{d.failed}</td>
                    <td className="py-1 pr-3 text-right tabular-nums">{d.delivered}</td>
                    <td className="py-1">{d.lastError ? `${d.lastError} (${formatDateTime(d.lastErrorAt!)})` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {status.data.undelivered.length > 0 && (
            <div className="overflow-x-auto">
              <h3 className="mb-1 text-sm font-semibold">Not delivered yet ({plural(status.data.undelivered.length, 'event')})</h3>
              <table className="w-full max-w-4xl text-sm" aria-label="Undelivered events">
                <thead className="text-left text-xs">
                  <tr>
                    <th className="py-1 pr-3">Event</th>
                    <th className="py-1 pr-3">Destination</th>
                    <th className="py-1 pr-3">Status</th>
                    <th className="py-1 pr-3 text-right">Attempts</th>
                    <th className="py-1 pr-3">Next attempt</th>
                    <th className="py-1">Last error</th>
                  </tr>
                </thead>
                <tbody>
                  {status.data.undelivered.map((u) => (
                    <tr key={`${u.eventId}/${u.destination}`} className="border-t border-slate-200 align-top dark:border-slate-800">
                      <td className="py-1 pr-3">
                        {u.type} <span className="text-xs text-slate-600 dark:text-slate-400">{formatDateTime(u.createdAt)}</span>
                      </td>
                      <td className="py-1 pr-3">{u.destination}</td>
                      <td className="py-1 pr-3">{u.status === 'failed' ? 'given up' : 'retrying'}</td>
                      <td className="py-1 pr-3 text-right tabular-nums">{u.attempts}</td>
                      <td className="py-1 pr-3">{u.status === 'failed' ? '—' : formatDateTime(u.nextAttemptAt)}</td>
                      <td className="py-1">{u.lastError ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
