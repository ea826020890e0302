import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { KillOutcome, KillResult, SessionOutcome } from '@quell/contracts/kill';
import { Button } from '@/components/ui/button';
import { CopyButton } from '@/components/ui/copy-button';
import { formatDateTime } from '@/lib/format';
import { killQueries } from '../api/kill-queries';
import { outcomeLabel, OUTCOME_TEXT, summaryLine } from '../utils/kill-rules';
import { ExcludedList } from './kill-preview-panel';

const OUTCOME_STYLE: Record<KillOutcome, string> = {
  killed: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/50 dark:text-emerald-100',
  'gone-before-kill': 'bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100',
  'changed-skipped': 'bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-100',
  'still-present': 'bg-amber-200 text-amber-950 dark:bg-amber-800 dark:text-amber-50',
  'rolling-back': 'bg-violet-100 text-violet-900 ring-1 ring-violet-400 dark:bg-violet-950 dark:text-violet-100',
  failed: 'bg-red-100 text-red-900 ring-1 ring-red-400 dark:bg-red-950 dark:text-red-100',
  'sent-unverified': 'bg-sky-100 text-sky-900 dark:bg-sky-900/50 dark:text-sky-100',
  unknown: 'bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-100',
};

/** What a listing after an unverifiable kill shows: what is still there. */
export type Relisted = { state: 'listing' } | { state: 'listed'; stillThere: readonly number[] } | { state: 'failed' };

function RelistSummary({ relisted, filterText }: { relisted: Relisted; filterText: string }) {
  const ids = relisted.state === 'listed' ? relisted.stillThere : [];
  return (
    <p role="status" className="rounded-md border border-slate-300 bg-slate-50 p-2 text-sm font-medium dark:border-slate-600 dark:bg-slate-800">
      {relisted.state === 'listing'
        ? `Listing ${filterText} again to see what is still there…`
        : relisted.state === 'failed'
          ? `Could not list ${filterText} again: check the session list.`
          : ids.length === 0
            ? `Listed again after the kill: no session matches ${filterText} any more.`
            : `Listed again after the kill: ${ids.length === 1 ? '1 session still matches' : `${ids.length} sessions still match`} ${filterText} (${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ' …' : ''}). They survived the kill or started after it.`}
    </p>
  );
}

/** The outcomes of a kill, kept current while some of its sessions roll back (the recheck polls until none does). */
function useWatchedOutcomes(result: KillResult): { outcomes: SessionOutcome[]; watching: boolean; failed: boolean } {
  const rolling = result.outcomes.some((o) => o.outcome === 'rolling-back');
  const recheck = useQuery({ ...killQueries.recheck(result.auditId), enabled: rolling });
  const outcomes = recheck.data?.outcomes ?? result.outcomes;
  return { outcomes, watching: rolling && (recheck.data?.rollingBack ?? 1) > 0, failed: recheck.isError };
}

function RollbackWatch({ outcomes, failed }: { outcomes: SessionOutcome[]; failed: boolean }) {
  const n = outcomes.filter((o) => o.outcome === 'rolling-back').length;
  return (
    <p role="status" className="rounded-md border border-violet-300 bg-violet-50 p-2 text-sm font-medium dark:border-violet-700 dark:bg-violet-950/40">
      {n === 1 ? '1 session is' : `${n} sessions are`} rolling back a transaction: killed, but listed until the server has undone its changes. Watching until{' '}
      {n === 1 ? 'it is' : 'they are'} gone{failed ? ' (the last check failed: trying again)' : '…'}
    </p>
  );
}

/** A summary line, then every session's outcome; failures carry the DAS error and request id. */
export function KillResultView({ result: given, relisted, filterText = '' }: { result: KillResult; relisted?: Relisted | undefined; filterText?: string }) {
  const watched = useWatchedOutcomes(given);
  const result = { ...given, outcomes: watched.outcomes };
  const failures = result.outcomes.filter((o) => o.error);
  // after an unverifiable kill the new listing is the answer; what was sent is detail
  const Outcomes = relisted ? Collapsed : Shown;
  return (
    <section aria-labelledby="kill-result-heading" className="space-y-3">
      <h3 id="kill-result-heading" className="text-base font-semibold">
        Kill result
      </h3>
      <p className="text-lg font-semibold" data-testid="kill-summary">
        {summaryLine(result)}
      </p>
      {result.verification === 'unverifiable' && (
        <p className="rounded-md border border-amber-400 bg-amber-50 p-2 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/40 dark:text-amber-100">
          <strong>Not verified.</strong> {result.mode === 'broad' ? 'Broad mode' : 'Blind IDs'}: Quell could not check which sessions these were or whether they died. Check the
          session list.
        </p>
      )}
      {relisted && <RelistSummary relisted={relisted} filterText={filterText} />}
      {watched.watching && <RollbackWatch outcomes={result.outcomes} failed={watched.failed} />}
      {failures.length > 0 && (
        <p className="text-sm text-red-800 dark:text-red-300">
          {failures.length === 1 ? '1 kill failed' : `${failures.length} kills failed`}: the DAS error is shown on the row. Retry from a new preview, or report the request id.
        </p>
      )}
      <Outcomes count={result.outcomes.length}>
        <div tabIndex={0} className="max-h-80 overflow-auto rounded border border-slate-200 dark:border-slate-700">
          <table className="w-full text-sm" aria-label="Outcome per session">
            <thead className="sticky top-0 bg-slate-100 text-left text-xs dark:bg-slate-800">
              <tr>
                <th className="px-2 py-1">Session</th>
                <th className="px-2 py-1">User / host / db</th>
                <th className="px-2 py-1">Outcome</th>
                <th className="px-2 py-1">Detail</th>
              </tr>
            </thead>
            <tbody>
              {result.outcomes.map((o) => (
                <tr key={o.sessionId} className="border-t border-slate-100 align-top dark:border-slate-800" data-outcome={o.outcome}>
                  <td className="px-2 py-1 font-mono">{o.sessionId}</td>
                  <td className="px-2 py-1 text-xs">{[o.user, o.host, o.database].filter(Boolean).join(' · ') || '—'}</td>
                  <td className="px-2 py-1">
                    <span role="status" aria-label={`Session ${o.sessionId}: ${o.outcome}`} className={`rounded px-1.5 py-0.5 font-mono text-xs ${OUTCOME_STYLE[o.outcome]}`}>
                      {o.outcome}
                    </span>
                    {o.outcome === 'rolling-back' ? <span className="ml-1 text-xs">{outcomeLabel(o)}</span> : <span className="sr-only"> ({OUTCOME_TEXT[o.outcome]})</span>}
                  </td>
                  <td className="px-2 py-1 text-xs">
                    {o.error ? (
                      <span className="block space-y-0.5">
                        <span className="block">
                          DAS <code className="font-bold">{o.error.errorCode ?? `HTTP ${o.error.httpStatus}`}</code>
                          {o.error.errorMsg ? `: ${o.error.errorMsg}` : ''}
                        </span>
                        {o.error.dasRequestId && (
                          <span className="block">
                            request id <code>{o.error.dasRequestId}</code> <CopyButton value={o.error.dasRequestId} label={`Copy request id of session ${o.sessionId}`} />
                          </span>
                        )}
                      </span>
                    ) : (
                      ''
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Outcomes>
      {result.excluded.length > 0 && (
        <details>
          <summary className="text-sm font-medium">{result.excluded.length} excluded (not sent)</summary>
          <ExcludedList excluded={result.excluded} />
        </details>
      )}
      <p className="text-xs text-slate-600 dark:text-slate-400">
        Finished {formatDateTime(result.finishedAt)} · audit entry <code>{result.auditId}</code> <CopyButton value={result.auditId} label="Copy audit id" />
        {' · '}
        <Link className="underline" to={`/audit?instance=${encodeURIComponent(result.instanceId)}`}>
          open the audit log
        </Link>
        {result.dasRequestIds.length > 0 && (
          <>
            {' · '}DAS request {result.dasRequestIds.length === 1 ? 'id' : 'ids'} <code>{result.dasRequestIds.join(', ')}</code>{' '}
            <CopyButton value={result.dasRequestIds.join('\n')} label="Copy DAS request ids" />
          </>
        )}
      </p>
    </section>
  );
}

const Shown = ({ children }: { count: number; children: ReactNode }) => <>{children}</>;
const Collapsed = ({ count, children }: { count: number; children: ReactNode }) => (
  <details>
    <summary className="text-sm font-medium">What was sent: {count === 1 ? '1 session' : `${count} sessions`}, each unverified</summary>
    {children}
  </details>
);

/** The result inside a kill dialog, with the one way out focused. */
export function KillResultPanel({
  result,
  onClose,
  relisted,
  filterText,
  note,
}: {
  result: KillResult;
  onClose: () => void;
  relisted?: Relisted | undefined;
  filterText?: string;
  /** What the dialog knows beyond the result (e.g. blind ids no listing had). */
  note?: ReactNode;
}) {
  return (
    <div className="flex min-h-0 flex-col">
      <div className="min-h-0 flex-1 space-y-3 overflow-auto px-5 py-4">
        {note}
        <KillResultView result={result} relisted={relisted} {...(filterText !== undefined ? { filterText } : {})} />
      </div>
      <div className="flex justify-end border-t border-slate-200 px-5 py-3 dark:border-slate-700">
        <Button variant="primary" onClick={onClose} autoFocus>
          Close
        </Button>
      </div>
    </div>
  );
}
