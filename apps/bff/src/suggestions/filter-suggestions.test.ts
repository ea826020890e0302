// Which names the user and database fields are offered, and why, from audit rows and open transactions.
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@quell/contracts/audit';
import type { OpenTransaction } from '@quell/contracts/locks';
import { MAX_NAMES, suggestNames } from './filter-suggestions.ts';

const entry = (at: string, mode: AuditEntry['mode'], target: AuditEntry['target']): AuditEntry => ({
  id: at,
  at,
  finishedAt: null,
  actor: 'alice',
  role: 'operator',
  instanceId: 'main',
  mode,
  target,
  reason: 'INC-1',
  status: 'completed',
  excluded: [],
  outcomes: [],
  dasRequestIds: [],
  idempotencyKey: null,
});

const trx = (sessionId: number, owner: Pick<OpenTransaction, 'user' | 'database'>): OpenTransaction => ({
  sessionId,
  trxId: null,
  state: null,
  ageSeconds: 10,
  rowsLocked: null,
  rowsModified: null,
  tablesLocked: null,
  sql: '',
  ...owner,
});

describe('suggestNames', () => {
  it('names what kill attempts targeted (newest time kept) and whose sessions have open transactions, each with its sources', () => {
    const s = suggestNames(
      [
        entry('2026-12-01T03:10:00.000Z', 'preview', { user: 'app_rw', database: 'orders', sessionIds: [1] }),
        entry('2026-12-01T02:00:00.000Z', 'blind', { user: 'etl', sessionIds: [2] }),
        entry('2026-11-30T01:00:00.000Z', 'broad', { user: 'app_rw' }),
      ],
      [trx(7, { user: 'etl', database: 'ledger' }), trx(8, { user: 'etl', database: 'ledger' }), trx(9, { user: 'report' })],
    );
    expect(s.users).toEqual([
      { name: 'etl', sources: ['recent-kill', 'open-transaction'], lastKilledAt: '2026-12-01T02:00:00.000Z', openTransactions: 2 },
      { name: 'report', sources: ['open-transaction'], lastKilledAt: null, openTransactions: 1 },
      { name: 'app_rw', sources: ['recent-kill'], lastKilledAt: '2026-12-01T03:10:00.000Z', openTransactions: 0 },
    ]);
    expect(s.databases).toEqual([
      { name: 'ledger', sources: ['open-transaction'], lastKilledAt: null, openTransactions: 2 },
      { name: 'orders', sources: ['recent-kill'], lastKilledAt: '2026-12-01T03:10:00.000Z', openTransactions: 0 },
    ]);
  });

  it('skips throttle rows, empty names and transactions whose owner is unknown', () => {
    const s = suggestNames(
      [entry('2026-12-01T03:00:00.000Z', 'throttle-create', { user: 'not-a-kill' }), entry('2026-12-01T03:01:00.000Z', 'preview', { user: '', database: '' })],
      [trx(1, {}), trx(2, { user: 'app', database: '' })],
    );
    expect(s.users.map((u) => u.name)).toEqual(['app']);
    expect(s.databases).toEqual([]);
  });

  it('keeps at most MAX_NAMES per field, the most recently killed first', () => {
    const entries = Array.from({ length: MAX_NAMES + 5 }, (_, i) => entry(new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(), 'preview', { user: `u${i}` }));
    const s = suggestNames(entries, []);
    expect(s.users).toHaveLength(MAX_NAMES);
    expect(s.users[0]?.name).toBe(`u${MAX_NAMES + 4}`);
  });
});
