import { memo } from 'react';
import { Button } from '@/components/ui/button';
import { formatClock } from '@/lib/format';

export const REFRESH_CHOICES = [0, 2, 5, 10, 30, 60] as const;

interface Props {
  intervalSeconds: number;
  onIntervalChange: (s: number) => void;
  paused: boolean;
  pausedReason: string | null;
  onTogglePause: () => void;
  onRefresh: () => void;
  fetching: boolean;
  updatedAt: number;
  disabled: boolean;
}

// memo: the view re-renders on every filter keystroke, and this has nothing to do with it
export const RefreshControl = memo(function RefreshControl({ intervalSeconds, onIntervalChange, paused, pausedReason, onTogglePause, onRefresh, fetching, updatedAt, disabled }: Props) {
  const running = intervalSeconds > 0 && !paused && !pausedReason && !disabled;
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <label htmlFor="refresh-interval" className="text-xs font-medium text-slate-700 dark:text-slate-300">
        Auto-refresh
      </label>
      <select
        id="refresh-interval"
        className="h-8 rounded-md border border-slate-300 bg-white px-1 text-sm dark:border-slate-600 dark:bg-slate-900"
        value={intervalSeconds}
        onChange={(e) => onIntervalChange(Number(e.target.value))}
      >
        {REFRESH_CHOICES.map((s) => (
          <option key={s} value={s}>
            {s === 0 ? 'off' : `every ${s} s`}
          </option>
        ))}
      </select>
      {intervalSeconds > 0 && (
        <Button size="sm" onClick={onTogglePause} aria-pressed={paused}>
          {paused ? '▶ Resume' : '❚❚ Pause'}
        </Button>
      )}
      <Button size="sm" onClick={onRefresh} disabled={disabled || fetching} aria-keyshortcuts="r">
        ⟳ Refresh
      </Button>
      <span className="text-xs text-slate-600 tabular-nums dark:text-slate-400" aria-live="polite">
        {fetching ? 'Refreshing…' : updatedAt > 0 ? `Updated ${formatClock(updatedAt)}` : ''}
        {pausedReason ? ` · paused: ${pausedReason}` : paused ? ' · paused' : running ? '' : ''}
      </span>
    </div>
  );
});
