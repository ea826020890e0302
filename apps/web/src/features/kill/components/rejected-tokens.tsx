import { plural } from '@/lib/format';
import type { RejectedToken } from '../utils/parse-ids';

/** The pasted tokens that are not session ids, each with why (they are left out; the rest still counts). */
export function RejectedTokens({ rejected }: { rejected: readonly RejectedToken[] }) {
  const shown = rejected.slice(0, 50);
  return (
    <div className="mt-2 text-xs">
      <p className="font-medium text-red-700 dark:text-red-400">{plural(rejected.length, 'token')} not read, left out:</p>
      <ul tabIndex={0} aria-label="Tokens not read" className="mt-1 max-h-32 space-y-0.5 overflow-auto">
        {shown.map((r, i) => (
          <li key={`${i}:${r.token}`}>
            <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">{r.token}</code> — {r.why}
          </li>
        ))}
        {rejected.length > shown.length && <li>… and {rejected.length - shown.length} more</li>}
      </ul>
    </div>
  );
}
