import { describe, expect, it } from 'vitest';
import { canCommit, describeFilter, newIdempotencyKey, outcomeLabel, reasonIsValid, summaryLine, typedNameMatches } from './kill-rules';
import { IdempotencyKey } from '@quell/contracts/kill';

const base = { targets: 3, reason: 'INC-1 runaway', requiresTypedConfirmation: false, typed: '', instanceName: 'prod-orders', pending: false };

describe('kill rules', () => {
  it('needs a reason of at least 3 characters', () => {
    expect(reasonIsValid('  ab ')).toBe(false);
    expect(reasonIsValid('abc')).toBe(true);
    expect(canCommit({ ...base, reason: '' })).toBe(false);
  });
  it('needs the exact instance name when typed confirmation is required', () => {
    expect(typedNameMatches(' prod-orders ', 'prod-orders')).toBe(true);
    expect(typedNameMatches('prod-order', 'prod-orders')).toBe(false);
    expect(typedNameMatches('PROD-ORDERS', 'prod-orders')).toBe(false);
    expect(canCommit({ ...base, requiresTypedConfirmation: true, typed: 'prod' })).toBe(false);
    expect(canCommit({ ...base, requiresTypedConfirmation: true, typed: 'prod-orders' })).toBe(true);
  });
  it('never commits nothing, or twice', () => {
    expect(canCommit({ ...base, targets: 0 })).toBe(false);
    expect(canCommit({ ...base, pending: true })).toBe(false);
    expect(canCommit(base)).toBe(true);
  });
  it('summarises outcomes in a fixed order', () => {
    expect(
      summaryLine({
        outcomes: [
          { sessionId: 1, outcome: 'gone-before-kill' },
          { sessionId: 2, outcome: 'killed' },
          { sessionId: 3, outcome: 'killed' },
        ],
      }),
    ).toBe('2 killed · 1 gone before kill');
    expect(summaryLine({ outcomes: [] })).toMatch(/no session/i);
  });
  it('makes idempotency keys the contract accepts, different each time', () => {
    const a = newIdempotencyKey();
    expect(IdempotencyKey.safeParse(a).success).toBe(true);
    expect(newIdempotencyKey()).not.toBe(a);
  });
});

describe('describeFilter', () => {
  it('names what is given, joined by "and"', () => {
    expect(describeFilter({ user: 'app' })).toBe('user app');
    expect(describeFilter({ database: 'shop' })).toBe('database shop');
    expect(describeFilter({ user: 'app', database: 'shop' })).toBe('user app and database shop');
    expect(describeFilter({})).toBe('');
  });
});

describe('outcomeLabel', () => {
  it('says how long a session has been rolling back, and the plain text otherwise', () => {
    expect(outcomeLabel({ outcome: 'rolling-back', rollingBackSeconds: 12.4 })).toBe('rolling back, 12 s');
    expect(outcomeLabel({ outcome: 'rolling-back' })).toBe('rolling back');
    expect(outcomeLabel({ outcome: 'still-present' })).toBe('still present');
  });
});
