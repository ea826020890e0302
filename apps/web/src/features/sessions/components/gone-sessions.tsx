import type { Session } from '@quell/contracts/sessions';
import { Button } from '@/components/ui/button';

/** Selected sessions that the latest refresh no longer lists: shown as gone, never silently dropped. */
export function GoneSessions({ ids, lastKnown, onForget }: { ids: readonly number[]; lastKnown: (id: number) => Session | undefined; onForget: () => void }) {
  if (ids.length === 0) return null;
  return (
    <section aria-label="Selected sessions that are gone" className="border-b border-amber-300 bg-amber-50 px-4 py-2 text-sm dark:border-amber-800 dark:bg-amber-950/40">
      <div className="flex items-center gap-3">
        <p>
          <strong>{ids.length === 1 ? '1 selected session is gone' : `${ids.length} selected sessions are gone`}</strong>: no longer listed (it ended, or its user or
          database changed).
        </p>
        <Button size="sm" variant="ghost" onClick={onForget}>
          Deselect gone
        </Button>
      </div>
      <ul className="mt-1 flex flex-wrap gap-x-4 gap-y-0.5 font-mono text-xs">
        {ids.slice(0, 50).map((id) => {
          const s = lastKnown(id);
          return (
            <li key={id} className="line-through decoration-amber-700" data-gone-session-id={id}>
              {id}
              {s ? ` ${s.user}@${s.host}` : ''} <span className="no-underline">(gone)</span>
            </li>
          );
        })}
        {ids.length > 50 && <li>…and {ids.length - 50} more</li>}
      </ul>
    </section>
  );
}
