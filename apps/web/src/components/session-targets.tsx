// The target list of a kill preview, shared by the kill dialog and the review of an approval request
// (which must show exactly what the requester saw; a stored preview has no statements).
import { memo, useState } from 'react';
import type { Session } from '@quell/contracts/sessions';
import { formatDuration } from '@/lib/format';

const SQL_PREVIEW_CHARS = 300;
const none = (
  <span className="text-slate-500 dark:text-slate-400" aria-label="none">
    —
  </span>
);
const TARGET_COLUMNS = 8;

/** The sessions a kill targets, as a preview froze them: facts on one line, the statement under them (first 200, then all on request). */
export const SessionTargets = memo(function SessionTargets({ sessions, label, testId }: { sessions: readonly Session[]; label: string; testId?: string }) {
  const [all, setAll] = useState(false);
  const shown = all ? sessions : sessions.slice(0, 200);
  return (
    <div tabIndex={0} className="max-h-96 overflow-auto rounded border border-slate-200 dark:border-slate-700">
      <table className="w-full table-fixed text-xs" aria-label={label} data-testid={testId}>
        <thead className="sticky top-0 bg-slate-100 text-left dark:bg-slate-800">
          <tr>
            <th className="w-16 px-2 py-1">ID</th>
            <th className="w-24 px-2 py-1">User</th>
            <th className="hidden sm:table-cell w-32 px-2 py-1">Host</th>
            <th className="hidden sm:table-cell w-24 px-2 py-1">DB</th>
            <th className="hidden sm:table-cell w-20 px-2 py-1">Command</th>
            <th className="hidden sm:table-cell px-2 py-1">State</th>
            <th className="w-16 px-2 py-1 text-right">Time</th>
            <th className="w-16 px-2 py-1 text-right" title="How long the session's open transaction has run">
              Trx age
            </th>
          </tr>
        </thead>
        {shown.map((s) => (
          <TargetRows key={s.id} session={s} />
        ))}
      </table>
      {sessions.length > shown.length && (
        <button type="button" className="w-full p-1 text-xs underline" onClick={() => setAll(true)}>
          Show all {sessions.length.toLocaleString('en-US')}
        </button>
      )}
    </div>
  );
});

/** One target: its facts on one line, its statement wrapped on the next. */
function TargetRows({ session: s }: { session: Session }) {
  const [open, setOpen] = useState(false);
  const long = s.sql.length > SQL_PREVIEW_CHARS;
  return (
    <tbody className="border-t border-slate-200 dark:border-slate-700">
      <tr>
        <td className="px-2 pt-1 font-mono">{s.id}</td>
        <td className="truncate px-2 pt-1" title={s.user}>
          {s.user}
        </td>
        <td className="hidden sm:table-cell truncate px-2 pt-1 font-mono" title={s.host}>
          {s.host}
        </td>
        <td className="hidden sm:table-cell truncate px-2 pt-1" title={s.database}>
          {s.database || none}
        </td>
        <td className="hidden sm:table-cell truncate px-2 pt-1">{s.command}</td>
        <td className="hidden sm:table-cell truncate px-2 pt-1" title={s.state}>
          {s.state || none}
        </td>
        <td className="px-2 pt-1 text-right whitespace-nowrap tabular-nums">{formatDuration(s.time)}</td>
        <td className="px-2 pt-1 text-right whitespace-nowrap tabular-nums">{s.trxExecutedTime > 0 ? formatDuration(s.trxExecutedTime) : none}</td>
      </tr>
      {/* a phone has no room for these columns: they read on a line of their own */}
      <tr className="sm:hidden">
        <td colSpan={TARGET_COLUMNS} className="truncate px-2 text-slate-600 dark:text-slate-400">
          <span className="font-mono">{s.host}</span> · {s.database || none} · {s.command} · {s.state || none}
        </td>
      </tr>
      {s.sql && (
        <tr>
          <td colSpan={TARGET_COLUMNS} className="pr-2 pb-1 pl-6">
            <pre className="max-h-60 overflow-auto font-mono break-all whitespace-pre-wrap text-slate-700 dark:text-slate-300">
              {long && !open ? `${s.sql.slice(0, SQL_PREVIEW_CHARS)}…` : s.sql}
            </pre>
            {long && (
              <button type="button" className="text-xs underline" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
                {open ? `Shorten the statement of session ${s.id}` : `Show the full statement of session ${s.id} (${s.sql.length.toLocaleString('en-US')} characters)`}
              </button>
            )}
          </td>
        </tr>
      )}
    </tbody>
  );
}
