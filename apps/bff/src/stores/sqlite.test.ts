import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { KillResult } from '@quell/contracts/kill';
import { openSqliteStores } from './sqlite.ts';
import type { AuditIntent } from '../kill/types.ts';

const intent = (id: string, over: Partial<AuditIntent> = {}): AuditIntent => ({
  id,
  at: new Date().toISOString(),
  actor: 'alice',
  role: 'operator',
  instanceId: 'main',
  mode: 'preview',
  target: { user: 'app' },
  reason: 'testing',
  excluded: [],
  idempotencyKey: null,
  ...over,
});

describe('SQLite stores', () => {
  it('uses WAL on disk; the audit trail is append-only and a row leaves pending once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'quell-store-'));
    const s = openSqliteStores(dir);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(statSync(path.join(dir, 'quell.sqlite')).mode & 0o077).toBe(0);
    await s.audit.appendIntent(intent('a'));
    await s.audit.recordOutcome('a', { status: 'completed', finishedAt: new Date().toISOString(), outcomes: [{ sessionId: 1, outcome: 'killed' }], dasRequestIds: ['r'] });
    await expect(s.audit.recordOutcome('a', { status: 'failed', finishedAt: new Date().toISOString(), outcomes: [], dasRequestIds: [] })).rejects.toThrow();
    expect(() => s.db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect(() => s.db.prepare("UPDATE audit SET reason = 'x'").run()).toThrow();
    expect((await s.audit.get('a'))?.outcomes).toEqual([{ sessionId: 1, outcome: 'killed' }]);
    expect(() => s.db.prepare("UPDATE audit SET outcomes = '[]' WHERE id = 'a'").run()).toThrow(/cannot change/);
    // A row still rolling back may change its outcomes, and nothing else.
    await s.audit.appendIntent(intent('b'));
    await s.audit.recordOutcome('b', { status: 'completed', finishedAt: new Date().toISOString(), outcomes: [{ sessionId: 1, outcome: 'rolling-back' }], dasRequestIds: [] });
    expect(() => s.db.prepare("UPDATE audit SET status = 'failed' WHERE id = 'b'").run()).toThrow(/cannot change/);
    s.db.prepare(`UPDATE audit SET outcomes = '[{"sessionId":1,"outcome":"killed"}]' WHERE id = 'b'`).run();
    expect(() => s.db.prepare("UPDATE audit SET outcomes = '[]' WHERE id = 'b'").run()).toThrow(/cannot change/);
    await s.checkWritable();
    await s.close();
  });

  it('a database with the first release\'s audit_final trigger gets the rolling-back one at open', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'quell-store-'));
    const first = openSqliteStores(dir);
    first.db.exec(`DROP TRIGGER audit_final_rollback;
      CREATE TRIGGER audit_final BEFORE UPDATE ON audit WHEN OLD.status <> 'pending' BEGIN SELECT RAISE(ABORT, 'a finished audit row cannot change'); END;`);
    await first.audit.appendIntent(intent('r'));
    await first.audit.recordOutcome('r', { status: 'completed', finishedAt: new Date().toISOString(), outcomes: [{ sessionId: 1, outcome: 'rolling-back' }], dasRequestIds: [] });
    await expect(first.audit.updateOutcomes('r', [{ sessionId: 1, outcome: 'killed' }])).rejects.toThrow(/cannot change/);
    await first.close();
    const s = openSqliteStores(dir);
    const triggers = (s.db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'audit_final%'").all() as Array<{ name: string }>).map((t) => t.name);
    expect(triggers).toEqual(['audit_final_rollback']);
    expect(await s.audit.updateOutcomes('r', [{ sessionId: 1, outcome: 'killed' }])).toEqual([{ sessionId: 1, outcome: 'killed' }]);
    expect(() => s.db.prepare("UPDATE audit SET outcomes = '[]' WHERE id = 'r'").run()).toThrow(/cannot change/);
    await s.close();
  });

  it('a database made before an audit column existed gains it at open, and its rows stay readable', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'quell-store-'));
    const old = new Database(path.join(dir, 'quell.sqlite'));
    old.exec(`CREATE TABLE audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, at TEXT NOT NULL, finished_at TEXT, actor TEXT NOT NULL,
      role TEXT NOT NULL, instance_id TEXT NOT NULL, mode TEXT NOT NULL, target TEXT NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL,
      excluded TEXT NOT NULL, outcomes TEXT NOT NULL DEFAULT '[]', das_request_ids TEXT NOT NULL DEFAULT '[]', idempotency_key TEXT, preview_id TEXT, error TEXT)`);
    old.prepare(`INSERT INTO audit (id, at, actor, role, instance_id, mode, target, reason, status, excluded) VALUES ('old', '2026-01-01T00:00:00.000Z', 'alice', 'operator', 'main', 'preview', '{}', 'r', 'completed', '[]')`).run();
    old.close();
    const s = openSqliteStores(dir);
    expect((await s.audit.get('old'))?.previewCreatedBy).toBeNull();
    await s.audit.appendIntent(intent('new', { previewId: 'p', previewCreatedBy: 'bob' }));
    expect((await s.audit.get('new'))?.previewCreatedBy).toBe('bob');
    await s.close();
  });

  it('marks rows left pending as unknown (crash between intent and outcome)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'quell-store-'));
    const first = openSqliteStores(dir);
    await first.audit.appendIntent(intent('crashed'));
    await first.close();
    const second = openSqliteStores(dir);
    expect(await second.audit.markPendingUnknown(new Date().toISOString())).toBe(1);
    expect((await second.audit.get('crashed'))?.status).toBe('unknown');
    await second.close();
  });

  it('filters and pages the audit list', async () => {
    const s = openSqliteStores(':memory:');
    for (let i = 0; i < 5; i++) await s.audit.appendIntent(intent(`x${i}`, { actor: i % 2 ? 'bob' : 'alice', instanceId: i < 3 ? 'one' : 'two' }));
    await s.audit.recordOutcome('x1', { status: 'completed', finishedAt: new Date().toISOString(), outcomes: [{ sessionId: 9, outcome: 'still-present' }], dasRequestIds: [] });
    const base = { limit: 50, offset: 0 };
    expect((await s.audit.list({ ...base, actor: 'bob' })).total).toBe(2);
    expect((await s.audit.list({ ...base, instanceId: 'two' })).entries.map((e) => e.id)).toEqual(['x4', 'x3']);
    expect((await s.audit.list({ ...base, outcome: 'still-present' })).entries.map((e) => e.id)).toEqual(['x1']);
    expect((await s.audit.list({ ...base, status: 'pending' })).total).toBe(4);
    const page = await s.audit.list({ limit: 2, offset: 2 });
    expect(page.total).toBe(5);
    expect(page.entries.map((e) => e.id)).toEqual(['x2', 'x1']);
    expect((await s.audit.list({ ...base, from: new Date(Date.now() + 60_000).toISOString() })).total).toBe(0);
    await s.close();
  });

  it('idempotency claims are exclusive; previews are claimed once', async () => {
    const s = openSqliteStores(':memory:');
    const at = new Date().toISOString();
    expect(await s.idempotency.claim('alice', 'k1', 'h1', at)).toEqual({ state: 'claimed' });
    expect(await s.idempotency.claim('alice', 'k1', 'h1', at)).toEqual({ state: 'in-progress', requestHash: 'h1' });
    expect(await s.idempotency.claim('bob', 'k1', 'h1', at)).toEqual({ state: 'claimed' });
    const result = { auditId: 'a' } as KillResult;
    await s.idempotency.complete('alice', 'k1', result);
    expect(await s.idempotency.claim('alice', 'k1', 'h1', at)).toEqual({ state: 'done', requestHash: 'h1', result });
    expect(await s.idempotency.purgeFinished('2000-01-01T00:00:00.000Z')).toBe(0);
    await s.idempotency.release('bob', 'k1');
    expect(await s.idempotency.claim('bob', 'k1', 'h2', at)).toEqual({ state: 'claimed' });
    expect(await s.idempotency.purgeFinished(new Date(Date.now() + 1000).toISOString())).toBe(1);
    expect(await s.idempotency.claim('alice', 'k1', 'h1', at)).toEqual({ state: 'claimed' });
    await s.previews.save({ id: 'p', instanceId: 'main', createdBy: 'alice', createdAt: at, expiresAt: at, filter: { user: 'u' }, targets: [], excluded: [], requiresTypedConfirmation: false });
    expect(await s.previews.claim('p', 'a1', at)).toBe(true);
    expect(await s.previews.claim('p', 'a2', at)).toBe(false);
    await s.close();
  });
});
