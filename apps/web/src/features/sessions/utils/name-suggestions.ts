import type { FilterSuggestionsResponse, NameSuggestion } from '@quell/contracts/sessions';
import type { GroupCount } from './filter-sessions';

/** One name offered in the user or database field, with where it comes from in words. */
export interface NameOption {
  value: string;
  /** "2 open transactions · from recent kills": what the browser shows beside the name. */
  label: string;
}

/** Per field: enough to pick from, few enough to read. */
export const MAX_OPTIONS = 50;

const openTransactions = (n: number) => (n === 1 ? 'has an open transaction' : `${n} open transactions`);

/** What the BFF says of a name, in the order an operator weighs it: live transactions, then past kills. */
function serverReasons(s: NameSuggestion): string[] {
  const out: string[] = [];
  if (s.openTransactions > 0) out.push(openTransactions(s.openTransactions));
  if (s.sources.includes('recent-kill')) out.push('from recent kills');
  return out;
}

/**
 * The options of one field. Names with an open transaction come first (something is holding work now),
 * then this browser's recent filters, recent kills, and what the current listing shows.
 */
export function nameOptions(input: { server: readonly NameSuggestion[]; recent: readonly (string | undefined)[]; listed: readonly GroupCount[] }): NameOption[] {
  const reasons = new Map<string, string[]>();
  const add = (name: string | undefined, ...why: string[]) => {
    if (!name) return;
    const have = reasons.get(name);
    if (have) have.push(...why.filter((w) => !have.includes(w)));
    else reasons.set(name, [...why]);
  };
  for (const s of input.server) if (s.openTransactions > 0) add(s.name, ...serverReasons(s));
  for (const name of input.recent) add(name, 'listed recently here');
  for (const s of input.server) add(s.name, ...serverReasons(s));
  for (const g of input.listed) add(g.value, g.count === 1 ? 'in this listing' : `${g.count} sessions in this listing`);
  return [...reasons].slice(0, MAX_OPTIONS).map(([value, why]) => ({ value, label: why.join(' · ') }));
}

/** Both fields' options. `server` is absent while the suggestions load or when they failed. */
export function filterOptions(server: FilterSuggestionsResponse | undefined, recent: readonly { user?: string; database?: string }[], listed: { user: readonly GroupCount[]; database: readonly GroupCount[] }) {
  return {
    users: nameOptions({ server: server?.users ?? [], recent: recent.map((f) => f.user), listed: listed.user }),
    databases: nameOptions({ server: server?.databases ?? [], recent: recent.map((f) => f.database), listed: listed.database }),
  };
}
