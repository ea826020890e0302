import { useEffect, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { AuditStatus, type AuditEntry } from '@quell/contracts/audit';
import type { InstanceSummary } from '@quell/contracts/instances';
import { KillOutcome } from '@quell/contracts/kill';
import { Button, buttonClass } from '@/components/ui/button';
import { ErrorPanel } from '@/components/ui/error-panel';
import { inputClass } from '@/components/ui/field';
import { SkeletonRows } from '@/components/ui/skeleton';
import { formatCount, formatDateTime } from '@/lib/format';
import { auditEntryPath } from '@/lib/paths';
import { auditCsvUrl, auditQueries } from '../api/audit-queries';
import { PAGE_SIZE, useAuditFilters } from '../hooks/use-audit-filters';

const label = 'mb-1 block text-xs font-medium text-slate-700 dark:text-slate-300';

function outcomeSummary(e: AuditEntry): string {
  const counts = new Map<string, number>();
  for (const o of e.outcomes) counts.set(o.outcome, (counts.get(o.outcome) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(' · ') || (e.error ? 'nothing killed' : '—');
}

/** Who asked and who answered, for a kill held back by the two-person rule. */
export function approvalText(a: NonNullable<AuditEntry['approval']>): string {
  const answer =
    a.decision === 'approved' ? `approved by ${a.approvedBy ?? '?'}${a.breakGlass ? ' — BREAK-GLASS (own request)' : ''}` : a.decision === 'denied' ? `denied by ${a.deniedBy ?? '?'}` : 'expired without approval';
  return `two-person rule: asked by ${a.requestedBy} at ${formatDateTime(a.requestedAt)}, ${answer}${a.comment ? ` (“${a.comment}”)` : ''}`;
}

function targetText(e: AuditEntry): ReactNode {
  const t = e.target.throttle;
  if (t) {
    return (
      <>
        {t.sqlType} <code className="font-mono break-all">{t.pattern}</code> · {t.maxConcurrency === 0 ? 'all refused' : `at most ${t.maxConcurrency}`} · until {formatDateTime(t.expiresAt)}
        {t.killAuditId && (
          <>
            {' · '}
            <Link className="underline" to={auditEntryPath(t.killAuditId)} title={t.killAuditId}>
              after kill {t.killAuditId.slice(0, 8)}
            </Link>
          </>
        )}
      </>
    );
  }
  const parts = [e.target.user && `user ${e.target.user}`, e.target.database && `db ${e.target.database}`, e.target.sessionIds && `${e.target.sessionIds.length} ids`];
  return parts.filter(Boolean).join(' · ') || '—';
}

/** The trail: who killed what, where, why, and what happened. */
export function AuditView({ instances }: { instances: readonly InstanceSummary[] }) {
  const { filters, set } = useAuditFilters();
  const { fromDay, toDay, ...query } = filters;
  const list = useQuery(auditQueries.list(query));
  const [operator, setOperator] = useState(filters.actor ?? '');
  useEffect(() => setOperator(filters.actor ?? ''), [filters.actor]);
  const page = Math.floor(filters.offset / PAGE_SIZE) + 1;
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <div className="space-y-4 p-4">
      <div className="flex items-center justify-between">
        <h1 className="text-xl font-semibold">Audit log</h1>
        <a className={buttonClass('secondary', 'sm')} href={auditCsvUrl(query)} download>
          Export CSV
        </a>
      </div>
      {filters.id && (
        <p role="status" className="rounded-md border border-sky-300 bg-sky-50 p-2 text-sm dark:border-sky-800 dark:bg-sky-950/40">
          Showing the entry <span className="font-mono">{filters.id}</span> only.{' '}
          <button type="button" className="underline" onClick={() => set('id', undefined)}>
            Show every entry
          </button>
        </p>
      )}
      <form
        className="flex flex-wrap items-end gap-3"
        aria-label="Audit filters"
        onSubmit={(e) => {
          e.preventDefault();
          set('operator', operator.trim() || undefined);
        }}
      >
        <div className="w-48">
          <label htmlFor="a-instance" className={label}>
            Instance
          </label>
          <select id="a-instance" className={inputClass} value={filters.instanceId ?? ''} onChange={(e) => set('instance', e.target.value || undefined)}>
            <option value="">All instances</option>
            {instances.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name} ({i.environment})
              </option>
            ))}
          </select>
        </div>
        <div className="w-40">
          <label htmlFor="a-operator" className={label}>
            Operator
          </label>
          <input id="a-operator" className={inputClass} value={operator} onChange={(e) => setOperator(e.target.value)} onBlur={() => set('operator', operator.trim() || undefined)} />
        </div>
        <div className="w-40">
          <label htmlFor="a-from" className={label}>
            From
          </label>
          <input id="a-from" type="date" className={inputClass} value={fromDay ?? ''} onChange={(e) => set('from', e.target.value || undefined)} />
        </div>
        <div className="w-40">
          <label htmlFor="a-to" className={label}>
            To
          </label>
          <input id="a-to" type="date" className={inputClass} value={toDay ?? ''} onChange={(e) => set('to', e.target.value || undefined)} />
        </div>
        <div className="w-40">
          <label htmlFor="a-outcome" className={label}>
            Outcome
          </label>
          <select id="a-outcome" className={inputClass} value={filters.outcome ?? ''} onChange={(e) => set('outcome', e.target.value || undefined)}>
            <option value="">Any outcome</option>
            {KillOutcome.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <div className="w-36">
          <label htmlFor="a-status" className={label}>
            Status
          </label>
          <select id="a-status" className={inputClass} value={filters.status ?? ''} onChange={(e) => set('status', e.target.value || undefined)}>
            <option value="">Any status</option>
            {AuditStatus.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit">Apply</Button>
      </form>
      {list.isPending ? (
        <SkeletonRows rows={8} label="Loading the audit log" />
      ) : list.isError ? (
        <ErrorPanel title="Could not load the audit log" error={list.error} />
      ) : list.data.entries.length === 0 ? (
        <p className="p-6 text-center text-sm text-slate-600 dark:text-slate-400">No audit entry matches these filters.</p>
      ) : (
        <>
          <div tabIndex={0} className="overflow-auto rounded border border-slate-200 dark:border-slate-800">
            <table className="w-full text-sm" aria-label="Audit entries">
              <thead className="bg-slate-100 text-left text-xs dark:bg-slate-900">
                <tr>
                  <th className="px-2 py-2">When</th>
                  <th className="px-2 py-2">Operator</th>
                  <th className="hidden md:table-cell px-2 py-2">Instance</th>
                  <th className="hidden md:table-cell px-2 py-2">Mode</th>
                  <th className="px-2 py-2">Target</th>
                  <th className="px-2 py-2">Reason</th>
                  <th className="px-2 py-2">Status</th>
                  <th className="px-2 py-2">Outcomes</th>
                </tr>
              </thead>
              <tbody>
                {list.data.entries.map((e) => (
                  <tr key={e.id} className="border-t border-slate-100 align-top dark:border-slate-800">
                    <td className="px-2 py-1 whitespace-nowrap">{formatDateTime(e.at)}</td>
                    <td className="px-2 py-1">
                      {e.actorName ? (
                        <>
                          {e.actorName} <span className="text-xs text-slate-600 dark:text-slate-400">{e.actor}</span>{' '}
                        </>
                      ) : (
                        <>{e.actor} </>
                      )}
                      <span className="text-xs text-slate-600 dark:text-slate-400">({e.role})</span>
                      {e.approval && (
                        <span data-testid="audit-approval" className={`block max-w-64 text-xs break-words ${e.approval.breakGlass ? 'font-semibold text-red-800 dark:text-red-300' : 'text-slate-700 dark:text-slate-300'}`}>
                          {approvalText(e.approval)}
                        </span>
                      )}
                    </td>
                    <td className="hidden md:table-cell px-2 py-1">{e.instanceId}</td>
                    <td className="hidden md:table-cell px-2 py-1">{e.mode}</td>
                    <td className="px-2 py-1 text-xs">{targetText(e)}</td>
                    <td className="max-w-64 px-2 py-1 break-words">{e.reason}</td>
                    <td className="px-2 py-1">
                      {e.status}
                      {e.error && (
                        <span className="block max-w-64 text-xs break-words text-red-800 dark:text-red-300">
                          <code>{e.error.code}</code>: {e.error.message}
                        </span>
                      )}
                    </td>
                    <td className="px-2 py-1 text-xs">
                      <details>
                        <summary>
                          {outcomeSummary(e)}
                          {e.excluded.length > 0 && <span className="text-slate-600 dark:text-slate-400"> · {e.excluded.length} excluded</span>}
                        </summary>
                        <ul className="mt-1 space-y-0.5 font-mono">
                          {e.outcomes.map((o) => (
                            <li key={o.sessionId}>
                              {o.sessionId}: {o.outcome}
                              {o.error && ` — DAS ${o.error.errorCode ?? o.error.httpStatus}${o.error.dasRequestId ? ` (${o.error.dasRequestId})` : ''}`}
                            </li>
                          ))}
                          {e.excluded.map((x) => (
                            <li key={`x${x.sessionId}`} className="text-slate-600 dark:text-slate-400">
                              {x.sessionId}: excluded ({x.reason})
                            </li>
                          ))}
                        </ul>
                        {e.dasRequestIds.length > 0 && <p className="mt-1">DAS request ids: {e.dasRequestIds.join(', ')}</p>}
                        <p className="mt-1 text-slate-600 dark:text-slate-400">Audit id {e.id}</p>
                        {e.approval && <p className="text-slate-600 dark:text-slate-400">Approval request {e.approval.requestId}</p>}
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav aria-label="Audit pages" className="flex items-center gap-3 text-sm">
            <Button size="sm" disabled={page <= 1} onClick={() => set('page', page - 1 > 1 ? String(page - 1) : undefined)}>
              Previous page
            </Button>
            <span>
              {formatCount(filters.offset + 1)}–{formatCount(Math.min(filters.offset + PAGE_SIZE, total))} of {formatCount(total)} (page {page} of {pages})
            </span>
            <Button size="sm" disabled={page >= pages} onClick={() => set('page', String(page + 1))}>
              Next page
            </Button>
          </nav>
        </>
      )}
    </div>
  );
}
