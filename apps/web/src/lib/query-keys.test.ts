import { describe, expect, it } from 'vitest';
import { authQueries } from '@/features/auth/api/auth-queries';
import { instanceQueries } from '@/features/instances/api/instance-queries';
import { killQueries } from '@/features/kill/api/kill-queries';
import { dbUserQueries } from '@/features/admin/api/db-user-queries';
import { auditQueries } from '@/features/audit/api/audit-queries';
import { sessionQueries } from '@/features/sessions/api/session-queries';

describe('query-key factories', () => {
  it('every entity has its own root, so invalidating one never touches another', () => {
    const roots = [authQueries.all(), instanceQueries.all(), sessionQueries.all(), killQueries.all(), auditQueries.all(), dbUserQueries.all()].map((k) => k[0]);
    expect(new Set(roots).size).toBe(roots.length);
  });

  it('builds each key from general to specific', () => {
    expect(authQueries.me().queryKey).toEqual(['auth', 'me']);
    expect(instanceQueries.list().queryKey).toEqual(['instances', 'list']);
    expect(dbUserQueries.list('i').queryKey.slice(0, 2)).toEqual([...dbUserQueries.byInstance('i')]);
    const preview = killQueries.preview('i', { user: 'u', sessionIds: [1] }, 0).queryKey;
    expect(preview.slice(0, 3)).toEqual([...killQueries.previews('i')]);
    expect(preview[3]).toEqual({ user: 'u', sessionIds: [1], attempt: 0 });
  });

  it('gives a retried preview a new key, so it is asked for again', () => {
    const a = killQueries.preview('i', { user: 'u' }, 0).queryKey;
    const b = killQueries.preview('i', { user: 'u' }, 1).queryKey;
    expect(a).not.toEqual(b);
  });

  it('reads the name suggestions once per instance, under the instance, so a kill that refreshes the listing refreshes them too', () => {
    const o = sessionQueries.suggestions('i');
    expect(o.queryKey.slice(0, 2)).toEqual([...sessionQueries.byInstance('i')]);
    expect(o.queryKey).not.toEqual(sessionQueries.list('i', { user: 'u' }).queryKey);
    expect(o.staleTime).toBeGreaterThanOrEqual(60_000);
    expect(o.refetchOnWindowFocus).toBe(false);
  });

  it('never lets a kill preview refetch or linger on its own', () => {
    const o = killQueries.preview('i', { database: 'd' }, 0);
    expect(o.staleTime).toBe(Infinity);
    expect(o.gcTime).toBe(0);
    expect(o.refetchOnWindowFocus).toBe(false);
  });
});
