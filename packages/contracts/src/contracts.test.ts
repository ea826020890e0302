import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuditQuery } from './audit.ts';
import { ERROR_STATUS, ErrorCode } from './errors.ts';
import { BlindKillRequest, CommitRequest, IdempotencyKey, KillPreviewRequest } from './kill.ts';
import { SessionFilter } from './sessions.ts';
import { needsCsrf, pathOf, routes } from './routes.ts';

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

  it('pathOf fills and percent-encodes every parameter of a route', () => {
    expect(pathOf(routes.sessions, { instanceId: 'a/b' })).toBe('/api/instances/a%2Fb/sessions');
    expect(pathOf(routes.commitPreview, { previewId: 'p' })).toBe('/api/kill-previews/p/commit');
    expect(pathOf(routes.dbUser, { instanceId: 'main', dbUserId: 'x?y' })).toBe('/api/instances/main/db-users/x%3Fy');
    expect(pathOf(routes.me)).toBe('/api/me');
    expect(() => pathOf(routes.sessions, {} as { instanceId: string })).toThrow(/instanceId/);
  });

  it('the route table: one entry per method and path, params matching the template, idempotency where kills happen', () => {
    const all = Object.values(routes);
    expect(new Set(all.map((r) => `${r.method} ${r.path}`)).size).toBe(all.length);
    for (const r of all) {
      const names = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]).sort();
      const declared = 'params' in r && r.params ? Object.keys(r.params.shape).sort() : [];
      expect(declared, r.path).toEqual(names);
      // An empty answer: 204, or a redirect (the identity-provider sign-in).
      expect(r.status === 204 || (r.status >= 300 && r.status < 400), r.path).toBe(r.response === null);
    }
    const keyed = all.filter((r) => 'headers' in r && r.headers && 'idempotency-key' in r.headers.shape).map((r) => r.path);
    expect(keyed.sort()).toEqual([routes.blindKills.path, routes.broadKills.path, routes.commitPreview.path, routes.commitAndThrottle.path, routes.approve.path].sort());
    expect(needsCsrf(routes.login)).toBe(false);
    expect(needsCsrf(routes.logout)).toBe(true);
    expect(needsCsrf(routes.sessions)).toBe(false);
  });

  it('a missing Idempotency-Key is named as required', () => {
    const r = routes.broadKills.headers.safeParse({});
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['idempotency-key', 'is required']]);
    expect(routes.broadKills.headers.safeParse({ 'idempotency-key': 'a-valid-key-123' }).success).toBe(true);
  });
});
