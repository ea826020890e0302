// Names for the sessions page's user and database fields, from what the BFF already knows of an instance:
// the users and databases recent kill attempts named (audit trail) and those whose sessions have an open
// transaction now (the lock views, which need no filter). One read per request; the web caches it.
import type { AuditEntry } from '@quell/contracts/audit';
import type { OpenTransaction } from '@quell/contracts/locks';
import type { FilterSuggestionsResponse, NameSource, NameSuggestion } from '@quell/contracts/sessions';
import { AppError } from '../errors.ts';
import type { InstanceConfig } from '../config.ts';
import type { Inventory } from '../kill/inventory.ts';
import { readLocks } from '../locks/read.ts';
import type { AuditStore } from '../stores/types.ts';

/** How far back the trail is read: the newest rows of the last month, no more. */
export const AUDIT_ROWS = 200;
const AUDIT_DAYS = 30;
/** Per field: enough to scroll, few enough to read. */
export const MAX_NAMES = 50;

const KILL_MODES: ReadonlySet<AuditEntry['mode']> = new Set(['preview', 'broad', 'blind']);

interface Tally {
  lastKilledAt: string | null;
  openTransactions: number;
}

function tallyOf(map: Map<string, Tally>, name: string): Tally {
  let t = map.get(name);
  if (!t) map.set(name, (t = { lastKilledAt: null, openTransactions: 0 }));
  return t;
}

/** Most open transactions first, then the most recently killed, then by name. */
function ranked(map: Map<string, Tally>): NameSuggestion[] {
  const out = [...map].map(([name, t]): NameSuggestion => {
    const sources: NameSource[] = [];
    if (t.lastKilledAt !== null) sources.push('recent-kill');
    if (t.openTransactions > 0) sources.push('open-transaction');
    return { name, sources, lastKilledAt: t.lastKilledAt, openTransactions: t.openTransactions };
  });
  out.sort((a, b) => b.openTransactions - a.openTransactions || (b.lastKilledAt ?? '').localeCompare(a.lastKilledAt ?? '') || a.name.localeCompare(b.name));
  return out.slice(0, MAX_NAMES);
}

/** Pure: the suggestions from audit rows (newest first) and open transactions. */
export function suggestNames(entries: readonly AuditEntry[], transactions: readonly OpenTransaction[]): Pick<FilterSuggestionsResponse, 'users' | 'databases'> {
  const users = new Map<string, Tally>();
  const databases = new Map<string, Tally>();
  for (const e of entries) {
    if (!KILL_MODES.has(e.mode)) continue;
    for (const [map, name] of [[users, e.target.user], [databases, e.target.database]] as const) {
      if (!name) continue;
      const t = tallyOf(map, name);
      if (t.lastKilledAt === null || e.at > t.lastKilledAt) t.lastKilledAt = e.at;
    }
  }
  for (const trx of transactions) {
    // a session without a database is no name to list by
    if (trx.user) tallyOf(users, trx.user).openTransactions++;
    if (trx.database) tallyOf(databases, trx.database).openTransactions++;
  }
  return { users: ranked(users), databases: ranked(databases) };
}

export async function filterSuggestions(d: { inventory: Inventory; audit: AuditStore; now: () => Date }, instance: InstanceConfig): Promise<FilterSuggestionsResponse> {
  const now = d.now();
  const from = new Date(now.getTime() - AUDIT_DAYS * 86_400_000).toISOString();
  const [trail, locks] = await Promise.all([
    d.audit.list({ instanceId: instance.id, from, limit: AUDIT_ROWS, offset: 0 }),
    // the kills still help when the lock views cannot be read: say why, do not fail the answer
    readLocks(d.inventory, instance, {}, d.now).then(
      (l) => ({ transactions: l.transactions, error: null }),
      (err: unknown) => {
        if (!(err instanceof AppError)) throw err;
        return { transactions: [], error: { code: err.code, message: err.message } };
      },
    ),
  ]);
  return { instanceId: instance.id, ...suggestNames(trail.entries, locks.transactions), transactionsError: locks.error, fetchedAt: now.toISOString() };
}
