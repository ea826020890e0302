import type { RollbackRisk } from '@quell/contracts/locks';
import { formatCount } from '@/lib/format';

/** "6 min" from a minute on, "40 s" below: the operator weighs how long a rollback may take. */
export function openFor(seconds: number): string {
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min` : `${Math.max(0, Math.round(seconds))} s`;
}

export function rollbackText(r: RollbackRisk): string {
  return `${formatCount(r.rowsModified)} ${r.rowsModified === 1 ? 'row' : 'rows'} modified, transaction open ${openFor(r.trxAgeSeconds)}: the kill rolls it back, which can take a while`;
}

/**
 * Shown in the kill preview: targets whose open transaction modified rows. `risks` undefined means the
 * server could not check (the InnoDB view failed): said plainly, since a kill may still roll work back.
 */
export function RollbackWarning({ risks }: { risks: readonly RollbackRisk[] | undefined }) {
  if (risks === undefined) {
    return (
      <p role="note" className="rounded-md bg-slate-100 p-2 text-sm dark:bg-slate-800">
        Quell could not check the targets for open transactions: a kill may roll back work.
      </p>
    );
  }
  if (risks.length === 0) return null;
  return (
    <section role="alert" aria-label="Rollback warning" className="rounded-md border border-amber-400 bg-amber-50 p-2 text-sm text-amber-950 dark:border-amber-600 dark:bg-amber-950 dark:text-amber-100">
      <h3 className="font-semibold">Rollback warning</h3>
      <ul className="mt-1 space-y-0.5">
        {risks.map((r) => (
          <li key={r.sessionId}>
            Session <span className="font-mono">{r.sessionId}</span>: {rollbackText(r)}.
          </li>
        ))}
      </ul>
    </section>
  );
}
