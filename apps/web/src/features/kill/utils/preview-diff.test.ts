import { describe, expect, it } from 'vitest';
import { preview, session } from '@/testing/fixtures';
import { diffPreviews, formatCountdown, isUnchanged, previewDeadline } from './preview-diff';

describe('diffPreviews', () => {
  it('names the new targets, the ones no longer targeted, and those running something else', () => {
    const before = preview({ targets: [session(1), session(2), session(3)] });
    const after = preview({ targets: [session(1), session(3, { sql: 'UPDATE t SET a = 1' }), session(4)] });
    const d = diffPreviews(before, after);
    expect(d).toEqual({ added: [4], dropped: [2], changed: [3] });
    expect(isUnchanged(d)).toBe(false);
  });

  it('reports no change for the same targets', () => {
    expect(isUnchanged(diffPreviews(preview(), preview()))).toBe(true);
  });
});

describe('preview validity', () => {
  it('counts the server-given lifetime from when the preview arrived', () => {
    expect(previewDeadline({ createdAt: '2026-11-28T20:00:00.000Z', expiresAt: '2026-11-28T20:05:00.000Z' }, 1_000)).toBe(301_000);
    expect(previewDeadline({ createdAt: 'garbage', expiresAt: '2026-11-28T20:05:00.000Z' }, 1_000)).toBe(1_000);
  });

  it('formats the time left as m:ss, never below zero', () => {
    expect(formatCountdown(300_000)).toBe('5:00');
    expect(formatCountdown(59_001)).toBe('1:00');
    expect(formatCountdown(9_000)).toBe('0:09');
    expect(formatCountdown(-5)).toBe('0:00');
  });
});
