import { describe, expect, it } from 'vitest';
import { countdown } from './countdown';

describe('countdown', () => {
  const now = Date.parse('2030-01-01T00:00:00.000Z');
  it('shows minutes and seconds, hours when there are any, and "due" once past', () => {
    expect(countdown('2030-01-01T00:15:00.000Z', now)).toBe('15:00');
    expect(countdown('2030-01-01T00:00:01.400Z', now)).toBe('0:02');
    expect(countdown('2030-01-01T02:01:05.000Z', now)).toBe('2:01:05');
    expect(countdown('2030-01-01T00:00:00.000Z', now)).toBe('due');
    expect(countdown('2029-12-31T23:00:00.000Z', now)).toBe('due');
  });
});
