import { Link } from 'react-router';
import { formatCount } from '@/lib/format';

/** "3 root blockers": shows only them in the table on click; the Blockers view one link away. */
export function RootBlockersChip({ count, pressed, onToggle, blockersHref }: { count: number; pressed: boolean; onToggle: () => void; blockersHref: string }) {
  if (count === 0 && !pressed) return null;
  return (
    <span className="flex items-center gap-1 text-xs">
      <button
        type="button"
        aria-pressed={pressed}
        onClick={onToggle}
        title={pressed ? 'Show every session again' : 'Show only the sessions that hold everyone up'}
        className={`rounded-full border px-2 py-0.5 ${pressed ? 'border-red-800 bg-red-800 text-white' : 'border-red-400 bg-red-50 text-red-900 hover:bg-red-100 dark:border-red-700 dark:bg-red-950 dark:text-red-100'}`}
      >
        {formatCount(count)} root {count === 1 ? 'blocker' : 'blockers'}
      </button>
      <Link to={blockersHref} className="underline">
        Blockers view
      </Link>
    </span>
  );
}
