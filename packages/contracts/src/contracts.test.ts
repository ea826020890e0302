import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuditQuery } from './audit.ts';
import { ERROR_STATUS, ErrorCode } from './errors.ts';
import { BlindKillRequest, CommitRequest, IdempotencyKey, KillPreviewRequest } from './kill.ts';
import { SessionFilter } from './sessions.ts';
import { routes } from './routes.ts';

const fields = (r: { success: boolean; error?: z.ZodError }) => (r.error?.issues ?? []).map((i) => i.path.join('.'));

describe('contracts', () => {
  it('every error code has an HTTP status', () => {
    for (const code of ErrorCode.options) expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
  });

  it('a preview needs a user or a database, and numeric session ids in range', () => {
    expect(KillPreviewRequest.safeParse({ user: 'app', sessionIds: ['12', 13] }).data?.sessionIds).toEqual([12, 13]);
    expect(fields(KillPreviewRequest.safeParse({ sessionIds: [1] }))).toEqual(['user']);
    expect(fields(KillPreviewRequest.safeParse({ user: 'a', sessionIds: ['x'] }))).toEqual(['sessionIds.0']);
    expect(fields(KillPreviewRequest.safeParse({ user: 'a', sessionIds: [2 ** 31] }))).toEqual(['sessionIds.0']);
    expect(fields(BlindKillRequest.safeParse({ sessionIds: [], reason: 'abc' }))).toEqual(['sessionIds']);
    for (const stray of ['', ' ', null, true, false, [], [5], '1e3', '0x10', '-1', 1.5, -1, '12abc']) {
      expect(fields(BlindKillRequest.safeParse({ sessionIds: [stray], reason: 'abc' })), JSON.stringify(stray)).toEqual(['sessionIds.0']);
    }
    expect(BlindKillRequest.parse({ sessionIds: [' 42 ', 7, '2147483647'], reason: 'abc' }).sessionIds).toEqual([42, 7, 2147483647]);
  });

  it('filters, commit bodies, keys and audit queries', () => {
    expect(SessionFilter.safeParse({}).success).toBe(false);
    expect(SessionFilter.safeParse({ database: 'shop' }).success).toBe(true);
    expect(fields(CommitRequest.safeParse({ reason: 'x' }))).toEqual(['reason']);
    expect(IdempotencyKey.safeParse('short').success).toBe(false);
    expect(IdempotencyKey.safeParse('a-valid-key-123').success).toBe(true);
    expect(AuditQuery.parse({})).toEqual({ limit: 50, offset: 0 });
    expect(fields(AuditQuery.safeParse({ nope: 1 }))).toEqual(['']);
  });

  it('route helpers encode their parameters', () => {
    expect(routes.sessions('a/b')).toBe('/api/instances/a%2Fb/sessions');
    expect(routes.commitPreview('p')).toBe('/api/kill-previews/p/commit');
  });
});
