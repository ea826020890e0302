import { describe, expect, it } from 'vitest';
import type { NameSuggestion } from '@quell/contracts/sessions';
import { MAX_OPTIONS, nameOptions } from './name-suggestions';

const s = (name: string, over: Partial<NameSuggestion> = {}): NameSuggestion => ({ name, sources: [], lastKilledAt: null, openTransactions: 0, ...over });

describe('nameOptions', () => {
  it('puts open transactions first, then recent filters, recent kills and the listing, and says where each name comes from', () => {
    const options = nameOptions({
      server: [s('etl', { sources: ['open-transaction', 'recent-kill'], openTransactions: 2, lastKilledAt: '2026-12-01T03:00:00Z' }), s('report', { sources: ['open-transaction'], openTransactions: 1 }), s('app_rw', { sources: ['recent-kill'], lastKilledAt: '2026-12-01T02:00:00Z' })],
      recent: ['billing_ro', undefined, 'app_rw'],
      listed: [
        { value: 'app_rw', count: 3 },
        { value: 'ux', count: 1 },
        { value: '', count: 4 },
      ],
    });
    expect(options).toEqual([
      { value: 'etl', label: '2 open transactions · from recent kills' },
      { value: 'report', label: 'has an open transaction' },
      { value: 'billing_ro', label: 'listed recently here' },
      { value: 'app_rw', label: 'listed recently here · from recent kills · 3 sessions in this listing' },
      { value: 'ux', label: 'in this listing' },
    ]);
  });

  it(`offers at most ${MAX_OPTIONS} names`, () => {
    const listed = Array.from({ length: MAX_OPTIONS + 10 }, (_, i) => ({ value: `u${i}`, count: 1 }));
    expect(nameOptions({ server: [], recent: [], listed })).toHaveLength(MAX_OPTIONS);
  });
});
