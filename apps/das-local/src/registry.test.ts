import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DbUserRegistry, RegistryKeyError } from './registry.ts';

describe('DbUserRegistry', () => {
  const dirs: string[] = [];
  const tempFile = () => {
    const dir = mkdtempSync(join(tmpdir(), 'das-local-registry-'));
    dirs.push(dir);
    return join(dir, 'registry.sqlite');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('survives a restart and keeps passwords encrypted at rest', () => {
    const file = tempFile();
    const password = 'Pa55word-that-must-not-leak-7f3a';
    const r1 = new DbUserRegistry(file, 'registry secret');
    const user = r1.add('inst1', 'dba', password);
    r1.close();

    const bytes = readdirSync(join(file, '..'))
      .map((f) => readFileSync(join(file, '..', f)))
      .reduce((a, b) => Buffer.concat([a, b]), Buffer.alloc(0));
    expect(bytes.includes(Buffer.from('dba'))).toBe(true);
    expect(bytes.includes(Buffer.from(password))).toBe(false);
    expect(bytes.includes(Buffer.from('registry secret'))).toBe(false);

    const r2 = new DbUserRegistry(file, 'registry secret');
    expect(r2.get('inst1', user.dbUserId)).toEqual(user);
    expect(r2.get('other-instance', user.dbUserId)).toBeUndefined();
    expect(r2.password(user.dbUserId)).toBe(password);
    r2.update(user.dbUserId, 'dba2', 'new-password');
    expect(r2.list('inst1')).toEqual([{ ...user, dbUsername: 'dba2' }]);
    expect(r2.password(user.dbUserId)).toBe('new-password');
    expect(r2.remove(user.dbUserId)).toBe(true);
    expect(r2.remove(user.dbUserId)).toBe(false);
    r2.close();
  });

  it('refuses to open with a different key', () => {
    const file = tempFile();
    new DbUserRegistry(file, 'right key').close();
    expect(() => new DbUserRegistry(file, 'wrong key')).toThrow(RegistryKeyError);
    expect(() => new DbUserRegistry(':memory:', '')).toThrow(RegistryKeyError);
  });

  it('encrypts the same password differently each time', () => {
    const r = new DbUserRegistry(':memory:', 'k');
    const a = r.add('i', 'u1', 'same');
    const b = r.add('i', 'u2', 'same');
    expect(r.password(a.dbUserId)).toBe('same');
    expect(r.password(b.dbUserId)).toBe('same');
    expect(r.list('i').map((u) => u.dbUsername)).toEqual(['u1', 'u2']);
    r.close();
  });
});
