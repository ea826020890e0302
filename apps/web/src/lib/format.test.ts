import { describe, expect, it } from 'vitest';
import { formatClock, formatDuration, formatLocalTimestamp, formatWait, parseDuration, plural } from './format';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [59.9, '59s'],
    [60, '1m 00s'],
    [723, '12m 03s'],
    [3_600, '1h 00m'],
    [3_600 + 4 * 60 + 59, '1h 04m'],
    [86_400 * 2 + 5 * 3_600, '2d 05h'],
  ])('%s seconds → %s', (input, expected) => {
    expect(formatDuration(input)).toBe(expected);
  });

  it('shows a dash for impossible values', () => {
    expect(formatDuration(-1)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});

describe('parseDuration', () => {
  it.each([
    ['30', 30],
    ['30s', 30],
    ['5m', 300],
    ['1h', 3600],
    ['1m30s', 90],
    [' 2m 5s ', 125],
  ])('%s → %s', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it('returns null for text it cannot read', () => {
    expect(parseDuration('')).toBeNull();
    expect(parseDuration('soon')).toBeNull();
    expect(parseDuration('5x')).toBeNull();
    expect(parseDuration('5m later')).toBeNull();
  });
});

describe('plural', () => {
  it('uses the singular for one', () => {
    expect(plural(1, 'session')).toBe('1 session');
    expect(plural(1284, 'session')).toBe('1,284 sessions');
  });
});

describe('formatWait', () => {
  it.each([
    [0, '0 s'],
    [45, '45 s'],
    [60, '1 min'],
    [890, '14 min 50 s'],
    [900, '15 min'],
    [3_900, '1 h 05 min'],
  ])('%s s reads %s', (input, expected) => {
    expect(formatWait(input)).toBe(expected);
  });
});

describe('formatClock', () => {
  it('says the local time, 24-hour, as en-GB does', () => {
    for (const d of [new Date(2026, 0, 1, 0, 0, 0), new Date(2026, 5, 30, 9, 5, 7), new Date(2026, 11, 31, 23, 59, 59), new Date(2026, 2, 4, 12, 30, 0)]) {
      expect(formatClock(d)).toBe(d.toLocaleTimeString('en-GB', { hour12: false }));
      expect(formatClock(d.getTime())).toBe(d.toLocaleTimeString('en-GB', { hour12: false }));
    }
    expect(formatClock(new Date(2026, 5, 30, 9, 5, 7))).toBe('09:05:07');
  });
});

describe('formatLocalTimestamp', () => {
  it('says the local date and time, 24-hour', () => {
    expect(formatLocalTimestamp(new Date(2026, 0, 2, 13, 4, 5))).toBe('2026-01-02 13:04:05');
    expect(formatLocalTimestamp(new Date(2026, 11, 31, 0, 0, 59).getTime())).toBe('2026-12-31 00:00:59');
    expect(formatLocalTimestamp(Number.NaN)).toBe('Invalid Date');
  });
});
