import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Session } from '@quell/contracts/sessions';
import { commandStartMs, hostPart, protectedUserReason, protectionCheck, protectionOf, sameIdentity } from './policy.ts';

const session = (over: Partial<Session> = {}): Session => ({ id: 7, user: 'app', host: '10.0.0.5:51234', database: 'shop', command: 'Query', time: 12, state: '', sql: 'select 1', trxExecutedTime: 0, ...over });
const inst = { protectedUsers: ['backup_agent'], protectedHosts: ['10.0.0.9', 'monitor.internal:3306'] };

describe('protectionOf', () => {
  it('protects system and replication threads, the DAS user, protected users and hosts', () => {
    expect(protectionOf(session({ user: 'system user', command: 'Connect' }), inst, 'dasuser')?.reason).toBe('system-thread');
    expect(protectionOf(session({ user: 'event_scheduler', command: 'Daemon' }), inst, 'dasuser')?.reason).toBe('system-thread');
    expect(protectionOf(session({ user: 'app', command: 'Daemon' }), inst, 'dasuser')?.reason).toBe('system-thread');
    expect(protectionOf(session({ user: 'repl', command: 'Binlog Dump' }), inst, 'dasuser')?.reason).toBe('replication');
    expect(protectionOf(session({ user: 'repl', command: 'Binlog Dump GTID' }), inst, 'dasuser')?.reason).toBe('replication');
    expect(protectionOf(session({ user: 'dasuser' }), inst, 'dasuser')?.reason).toBe('das-user');
    expect(protectionOf(session({ user: 'backup_agent' }), inst, 'dasuser')?.reason).toBe('protected-user');
    expect(protectionOf(session({ host: '10.0.0.9:4000' }), inst, 'dasuser')?.reason).toBe('protected-host');
    expect(protectionOf(session({ host: '10.0.0.9' }), inst, 'dasuser')?.reason).toBe('protected-host');
    expect(protectionOf(session({ host: 'monitor.internal:3306' }), inst, 'dasuser')?.reason).toBe('protected-host');
    expect(protectionOf(session({ host: '10.0.0.90:4000' }), inst, 'dasuser')).toBeUndefined();
    expect(protectionOf(session(), inst, 'dasuser')).toBeUndefined();
    expect(protectionOf(session({ user: 'backup_agent2' }), inst, 'dasuser')).toBeUndefined();
  });

  it('names protected users for broad mode', () => {
    expect(protectedUserReason('System User', inst, 'x')?.reason).toBe('system-thread');
    expect(protectedUserReason('x', inst, 'x')?.reason).toBe('das-user');
    expect(protectedUserReason('backup_agent', inst, 'x')?.reason).toBe('protected-user');
    expect(protectedUserReason('app', inst, 'x')).toBeUndefined();
  });

  it('folds names the way MariaDB matches them: case, accents and trailing spaces do not escape protection', () => {
    const das = 'quell_das';
    for (const u of ['QUELL_DAS', 'Quell_Das', 'quéll_das', 'QUÉLL_DAS', 'quell_das ', 'qu\u0065\u0301ll_das', 'ｑｕｅｌｌ_das']) {
      expect(protectedUserReason(u, inst, das)?.reason, u).toBe('das-user');
    }
    for (const u of ['BACKUP_AGENT', 'Bäckup_Agent', 'backup_agént']) expect(protectedUserReason(u, inst, das)?.reason, u).toBe('protected-user');
    for (const u of ['SYSTEM USER', 'Évent_Scheduler', 'event_scheduler  ']) expect(protectedUserReason(u, inst, das)?.reason, u).toBe('system-thread');
    // Expansions of the Unicode collation (ß = ss) and the general one (ß = s) both count.
    expect(protectedUserReason('strasse', { protectedUsers: ['straße'] }, das)?.reason).toBe('protected-user');
    expect(protectedUserReason('strase', { protectedUsers: ['straße'] }, das)?.reason).toBe('protected-user');
    for (const u of ['quell_das2', 'quell-das', 'quelldas', ' quell_das', 'backup_agent2']) expect(protectedUserReason(u, inst, das), u).toBeUndefined();
    expect(protectionOf(session({ user: 'QUELL_DAS' }), inst, das)?.reason).toBe('das-user');
    expect(protectionOf(session({ host: 'MONITOR.Internal:3306' }), inst, das)?.reason).toBe('protected-host');
    expect(protectionOf(session({ host: 'mönitor.internal:3306' }), inst, das)?.reason).toBe('protected-host');
  });

  it('one check for a whole listing answers for each session as protectionOf does, the same name seen many times included', () => {
    const users = ['app', 'QUELL_DAS', 'backup_agent', 'system user', 'app', 'Bäckup_Agent', 'quell_das2', 'app'];
    const hosts = ['10.0.0.5:51234', '10.0.0.9:4000', 'MONITOR.internal:3306', '10.0.0.90:4000', '10.0.0.5:51235'];
    const commands = ['Query', 'Sleep', 'Binlog Dump', 'Daemon'];
    const check = protectionCheck(inst, 'quell_das');
    fc.assert(
      fc.property(fc.constantFrom(...users), fc.constantFrom(...hosts), fc.constantFrom(...commands), (user, host, command) => {
        const s = session({ user, host, command });
        expect(check(s)).toEqual(protectionOf(s, inst, 'quell_das'));
      }),
    );
  });

  it('hostPart strips only a trailing port', () => {
    expect(hostPart('localhost:39704')).toBe('localhost');
    expect(hostPart('localhost')).toBe('localhost');
    expect(hostPart('::1:5000')).toBe('::1');
  });
});

describe('sameIdentity', () => {
  it('matches the same session listed later, within the tolerance', () => {
    const t0 = 1_000_000_000;
    const frozen = { session: session({ time: 12 }), commandStartMs: commandStartMs({ time: 12 }, t0) };
    expect(sameIdentity(frozen, session({ time: 42 }), t0 + 30_000)).toBe(true);
    // A newer statement on the same connection (a busy session looping short queries) is the same session.
    expect(sameIdentity(frozen, session({ time: 0 }), t0 + 30_000)).toBe(true);
    expect(sameIdentity(frozen, session({ time: 0, command: 'Sleep' }), t0 + 3_600_000)).toBe(true);
    // A command that started before the one the preview saw cannot be on the connection the preview saw.
    expect(sameIdentity(frozen, session({ time: 100 }), t0 + 30_000)).toBe(false);
    expect(sameIdentity(frozen, session({ time: 42, database: 'other' }), t0 + 30_000)).toBe(false);
    expect(sameIdentity(frozen, session({ time: 42, host: '10.0.0.5:9' }), t0 + 30_000)).toBe(false);
    // The port is part of the identity: a reused thread id on a newer connection from the same host.
    expect(sameIdentity(frozen, session({ time: 0, host: '10.0.0.5:51235' }), t0 + 30_000)).toBe(false);
    expect(sameIdentity(frozen, session({ time: 42, user: 'x' }), t0 + 30_000)).toBe(false);
    expect(sameIdentity(frozen, session({ time: 42, id: 8 }), t0 + 30_000)).toBe(false);
  });

  it('is tolerant of whole-second resolution and listing delay (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 600_000 }), fc.integer({ min: 0, max: 999 }), (time, laterMs, jitter) => {
        const t0 = 1_700_000_000_000;
        const frozen = { session: session({ time }), commandStartMs: commandStartMs({ time }, t0 + jitter) };
        const elapsed = Math.floor((laterMs + jitter) / 1000);
        return sameIdentity(frozen, session({ time: time + elapsed }), t0 + laterMs + jitter);
      }),
    );
  });
});
