import type { FilterSuggestionsResponse } from '@quell/contracts/sessions';
import type { RecentFilter } from '../hooks/use-recent-filters';
import { nameOptions } from '../utils/name-suggestions';

/** A few per field: the full lists are in the fields' suggestions. */
const SHOWN_PER_FIELD = 6;

const chipClass = 'rounded-full border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800';

/** The list needs a user or a database: say so, and offer what was used here before and what the instance suggests. */
export function NeedFilter({ recent, suggested, onPick }: { recent: readonly RecentFilter[]; suggested?: FilterSuggestionsResponse | undefined; onPick: (f: RecentFilter) => void }) {
  return (
    <div className="mx-auto max-w-xl p-8 text-center">
      <h2 className="text-lg font-semibold">Enter a user or a database</h2>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        The database service lists sessions only by user and/or database. Type one above and press <kbd className="rounded border px-1">Enter</kbd> or “List sessions”.
      </p>
      {recent.length > 0 && (
        <div className="mt-4">
          <h3 className="text-sm font-medium">Recent filters on this instance</h3>
          <ul className="mt-2 flex flex-wrap justify-center gap-2">
            {recent.map((f) => {
              const text = [f.user && `user ${f.user}`, f.database && `database ${f.database}`].filter(Boolean).join(' · ');
              return (
                <li key={text}>
                  <button type="button" className={chipClass} onClick={() => onPick(f)}>
                    {text}
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      )}
      {suggested && <Suggested suggested={suggested} onPick={onPick} />}
    </div>
  );
}

/** The names open transactions and recent kills point at, each a button that lists by it. */
function Suggested({ suggested, onPick }: { suggested: FilterSuggestionsResponse; onPick: (f: RecentFilter) => void }) {
  const chips = [
    ...nameOptions({ server: suggested.users, recent: [], listed: [] }).slice(0, SHOWN_PER_FIELD).map((o) => ({ field: 'user' as const, ...o })),
    ...nameOptions({ server: suggested.databases, recent: [], listed: [] }).slice(0, SHOWN_PER_FIELD).map((o) => ({ field: 'database' as const, ...o })),
  ];
  if (chips.length === 0 && !suggested.transactionsError) return null;
  return (
    <div className="mt-4">
      <h3 className="text-sm font-medium">Open transactions and recent kills on this instance</h3>
      {chips.length > 0 && (
        <ul className="mt-2 flex flex-wrap justify-center gap-2">
          {chips.map((c) => (
            <li key={`${c.field}\u0000${c.value}`}>
              <button type="button" className={chipClass} onClick={() => onPick({ [c.field]: c.value })}>
                {c.field} {c.value} <span className="text-slate-600 dark:text-slate-400">— {c.label}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {suggested.transactionsError && <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">The open transactions could not be read: {suggested.transactionsError.message}.</p>}
    </div>
  );
}

interface NoSessionsProps {
  filtered: boolean;
  /** The server filter that listed nothing: named, since it matches names exactly. */
  listedBy: RecentFilter;
  onClearClientFilters: () => void;
}

export function NoSessions({ filtered, listedBy, onClearClientFilters }: NoSessionsProps) {
  return (
    <div className="p-8 text-center">
      <h2 className="text-lg font-semibold">{filtered ? 'No session matches these filters' : <NoSessionsFor filter={listedBy} />}</h2>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        {filtered
          ? 'Sessions were listed, but the host, command, database, time or SQL filters hide them all.'
          : 'Nothing is connected with exactly this name right now. Check the spelling, or the full name (app_rw, not app).'}
      </p>
      {filtered && (
        <button type="button" className="mt-3 text-sm underline" onClick={onClearClientFilters}>
          Clear the host, command, time and SQL filters
        </button>
      )}
    </div>
  );
}

/** `No sessions for user `ux` (exact match)`. */
function NoSessionsFor({ filter }: { filter: RecentFilter }) {
  const parts = [filter.user !== undefined && ['user', filter.user], filter.database !== undefined && ['database', filter.database]].filter((p): p is string[] => Array.isArray(p));
  if (parts.length === 0) return <>No sessions</>;
  return (
    <>
      No sessions for{' '}
      {parts.map(([field, name], i) => (
        <span key={field}>
          {i > 0 && ' and '}
          {field} <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">{name}</code>
        </span>
      ))}{' '}
      (exact match)
    </>
  );
}
