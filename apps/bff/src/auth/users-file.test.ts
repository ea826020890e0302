import { linkSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventually } from '@quell/test-kit/eventually';
import { runUsersCli } from '../cli/users.ts';
import { verifyPassword } from './password.ts';
import { addUser, createFileUserDirectory, disableUser, listUsers, readUsersFile, setPassword, setRole, UsersFileError } from './users-file.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'quell-users-'));

describe('users file', () => {
  it('adds, re-hashes, changes role and disables accounts; stores only scrypt hashes', async () => {
    const file = path.join(dir, 'a.json');
    await addUser(file, 'alice', 'correct horse battery', 'operator');
    await expect(addUser(file, 'alice', 'another password', 'viewer')).rejects.toThrow(UsersFileError);
    await expect(addUser(file, 'bob', 'short', 'viewer')).rejects.toThrow(/password: must be at least 8/);
    await expect(addUser(file, 'b o b', 'long enough pw', 'viewer')).rejects.toThrow(/username/);
    await expect(addUser(file, 'bob', 'long enough pw', 'root')).rejects.toThrow(/role/);
    const raw = readFileSync(file, 'utf8');
    expect(raw).not.toContain('correct horse battery');
    expect(statSync(file).mode & 0o077).toBe(0);
    const alice = readUsersFile(file).users[0]!;
    expect(alice.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', alice.passwordHash)).toBe(true);
    expect(await verifyPassword('wrong', alice.passwordHash)).toBe(false);
    await setPassword(file, 'alice', 'a brand new password');
    expect(await verifyPassword('a brand new password', readUsersFile(file).users[0]!.passwordHash)).toBe(true);
    setRole(file, 'alice', 'admin');
    disableUser(file, 'alice');
    expect(listUsers(file)).toEqual([expect.objectContaining({ username: 'alice', role: 'admin', disabled: true })]);
    expect(JSON.stringify(listUsers(file))).not.toContain('scrypt');
  });

  it('the directory sees edits without a restart, through the watch on its directory', async () => {
    const file = path.join(dir, 'b.json');
    // The clock stands still: only the change event can make the directory read the file again.
    const users = createFileUserDirectory(file, { now: () => 1_000_000 });
    expect(await users.find('carol')).toBeUndefined();
    await addUser(file, 'carol', 'carol password', 'viewer');
    expect((await eventually(() => users.find('carol'), (u) => u !== undefined))?.role).toBe('viewer');
    setRole(file, 'carol', 'admin');
    expect((await eventually(() => users.find('carol'), (u) => u?.role === 'admin'))?.role).toBe('admin');
  });

  it('without a change event it checks the file at most once a second, and sees the edit then', async () => {
    // Written in place through a hard link in another directory: the watch on the file's own directory
    // gets no event for that, so only the once-a-second check can notice.
    const watched = mkdtempSync(path.join(tmpdir(), 'quell-users-watched-'));
    const file = path.join(watched, 'users.json');
    await addUser(file, 'erin', 'erin password', 'viewer');
    const link = path.join(mkdtempSync(path.join(tmpdir(), 'quell-users-link-')), 'users.json');
    linkSync(file, link);
    let now = 5_000_000;
    const users = createFileUserDirectory(file, { now: () => now });
    expect((await users.find('erin'))?.role).toBe('viewer');
    writeFileSync(link, readFileSync(file, 'utf8').replace('"viewer"', '"operator"'));
    now += 900;
    expect((await users.find('erin'))?.role).toBe('viewer');
    now += 100;
    expect((await users.find('erin'))?.role).toBe('operator');
  });

  it('rejects a malformed hash instead of throwing', async () => {
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1$8$1$aa$bb')).toBe(false);
  });
});

describe('users CLI', () => {
  it('add (password file) / passwd / role / disable / list', async () => {
    const file = path.join(dir, 'cli.json');
    const pwFile = path.join(dir, 'pw');
    writeFileSync(pwFile, 'cli password one\n');
    const out: string[] = [];
    const log = (l: string) => out.push(l);
    expect(await runUsersCli(['--file', file, 'add', 'dave', '--role', 'operator', '--password-file', pwFile], log)).toBe(0);
    expect(await verifyPassword('cli password one', readUsersFile(file).users[0]!.passwordHash)).toBe(true);
    writeFileSync(pwFile, 'cli password two\n');
    expect(await runUsersCli(['--file', file, 'passwd', 'dave', '--password-file', pwFile], log)).toBe(0);
    expect(await verifyPassword('cli password two', readUsersFile(file).users[0]!.passwordHash)).toBe(true);
    expect(await runUsersCli(['--file', file, 'role', 'dave', 'admin'], log)).toBe(0);
    expect(await runUsersCli(['--file', file, 'disable', 'dave'], log)).toBe(0);
    out.length = 0;
    expect(await runUsersCli(['--file', file, 'list'], log)).toBe(0);
    expect(out).toEqual(['dave\tadmin\tdisabled']);
    expect(await runUsersCli(['--file', file, 'role', 'nobody', 'admin'], log)).toBe(1);
    expect(await runUsersCli(['list'], log)).toBe(2);
  });

  it('reads the password from stdin (echo pw | users add …)', () => {
    const file = path.join(dir, 'stdin.json');
    const cli = fileURLToPath(new URL('../cli/users.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const r = spawnSync(tsx, [cli, '--file', file, 'add', 'erin', '--role', 'viewer'], { input: 'stdin password\n', encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('added erin (viewer)');
    return verifyPassword('stdin password', readUsersFile(file).users[0]!.passwordHash).then((ok) => expect(ok).toBe(true));
  });
});
