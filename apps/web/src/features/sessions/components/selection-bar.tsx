import { Button } from '@/components/ui/button';
import { formatCount } from '@/lib/format';

interface Props {
  /** Selected sessions still listed (shown or hidden by client filters). */
  liveCount: number;
  hiddenCount: number;
  goneCount: number;
  onClear: () => void;
  onKill: () => void;
  canKill: boolean;
  /** Set to the limit when more ids are selected than one request may carry. */
  tooMany?: number | null;
}

export function killButtonLabel(n: number, ellipsis: boolean): string {
  return `Kill ${formatCount(n)} ${n === 1 ? 'session' : 'sessions'}${ellipsis ? '…' : ''}`;
}

/** Sticky at the bottom; its kill button is the only red thing on the screen. */
export function SelectionBar({ liveCount, hiddenCount, goneCount, onClear, onKill, canKill, tooMany = null }: Props) {
  if (liveCount + goneCount === 0) return null;
  return (
    <div
      role="region"
      aria-label="Selection"
      className="sticky bottom-0 z-20 flex flex-wrap items-center gap-3 border-t border-slate-300 bg-white/95 px-4 py-2 shadow-[0_-2px_6px_rgba(0,0,0,0.06)] backdrop-blur dark:border-slate-700 dark:bg-slate-950/95"
    >
      <p className="text-sm">
        <strong>{formatCount(liveCount)} selected</strong>
        {hiddenCount > 0 && <span className="text-slate-600 dark:text-slate-400"> · {formatCount(hiddenCount)} hidden by the filters</span>}
        {goneCount > 0 && <span className="text-amber-800 dark:text-amber-300"> · {formatCount(goneCount)} gone since selected</span>}
        {tooMany !== null && <span className="text-amber-800 dark:text-amber-300"> · at most {formatCount(tooMany)} can be killed at once: narrow the filters</span>}
      </p>
      <Button size="sm" variant="ghost" onClick={onClear}>
        Clear selection
      </Button>
      <div className="ml-auto">
        {canKill ? (
          <Button variant="danger" onClick={onKill} disabled={liveCount === 0 || tooMany !== null} aria-keyshortcuts="k">
            {killButtonLabel(liveCount, true)}
          </Button>
        ) : (
          <Button variant="secondary" onClick={onKill} disabled={liveCount === 0 || tooMany !== null} title="Your role can preview a kill but not carry it out">
            Preview what a kill would do…
          </Button>
        )}
      </div>
    </div>
  );
}
