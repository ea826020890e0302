import type { KillResult } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';
import { Button } from '@/components/ui/button';

/** After a kill: the killed statements may come back; offer to throttle them (the first killed session with SQL is the sample). */
export function AfterKillThrottle({ result, sessions, onThrottle, onDismiss }: { result: KillResult | null; sessions: readonly Session[]; onThrottle: (sample: Session) => void; onDismiss: () => void }) {
  if (!result) return null;
  const killed = new Set(result.outcomes.filter((o) => o.outcome === 'killed').map((o) => o.sessionId));
  const sample = sessions.find((s) => killed.has(s.id) && s.sql !== '');
  if (!sample) return null;
  return (
    <div role="status" className="mx-4 mt-2 flex flex-wrap items-center gap-2 rounded-md border border-sky-300 bg-sky-50 px-3 py-2 text-sm dark:border-sky-800 dark:bg-sky-950/40">
      <span>Killed statements often come back.</span>
      <Button size="sm" onClick={() => onThrottle(sample)}>
        Throttle similar…
      </Button>
      <Button size="sm" variant="ghost" onClick={onDismiss}>
        Dismiss
      </Button>
    </div>
  );
}
