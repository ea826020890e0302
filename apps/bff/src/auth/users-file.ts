// The local accounts file (JSON): usernames, roles and scrypt hashes. Managed by the users CLI.
import { existsSync, readFileSync, renameSync, statSync, watch, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Role } from '@quell/contracts/common';
import { hashPassword } from './password.ts';

export const USERNAME_RE = /^[A-Za-z0-9._@-]{1,64}$/;
export const MIN_PASSWORD_LENGTH = 8;

const StoredUser = z.object({
  username: z.string().regex(USERNAME_RE),
  role: Role,
  passwordHash: z.string(),
  disabled: z.boolean().default(false),
  /** Login sessions opened before this time are ended (set by a password change, role change or disable). */
  sessionsValidFrom: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type StoredUser = z.infer<typeof StoredUser>;
const UsersFile = z.object({ version: z.literal(1), users: z.array(StoredUser) });
type UsersFile = z.infer<typeof UsersFile>;

export class UsersFileError extends Error {
  override readonly name = 'UsersFileError';
}

export function readUsersFile(file: string): UsersFile {
  if (!existsSync(file)) return { version: 1, users: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new UsersFileError(`${file}: is not valid JSON`);
  }
  const parsed = UsersFile.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new UsersFileError(`${file}: ${i ? `${i.path.map(String).join('.')}: ${i.message}` : 'invalid'}`);
  }
  return parsed.data;
}

function writeUsersFile(file: string, data: UsersFile): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

function checkUsername(username: string): void {
  if (!USERNAME_RE.test(username)) throw new UsersFileError('username: must be 1-64 letters, digits, ".", "_", "@" or "-"');
}
function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new UsersFileError(`password: must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > 256) throw new UsersFileError('password: must be at most 256 characters');
}
function checkRole(role: string): Role {
  const r = Role.safeParse(role);
  if (!r.success) throw new UsersFileError('role: must be viewer, operator or admin');
  return r.data;
}

function update(file: string, username: string, change: (u: StoredUser) => void): void {
  const data = readUsersFile(file);
  const user = data.users.find((u) => u.username === username);
  if (!user) throw new UsersFileError(`no user named ${username}`);
  change(user);
  user.updatedAt = new Date().toISOString();
  writeUsersFile(file, data);
}

/** The same change, and every login session the user has open ends (checked by SessionManager on each request). */
function updateAndEndSessions(file: string, username: string, change: (u: StoredUser) => void): void {
  update(file, username, (u) => {
    change(u);
    u.sessionsValidFrom = new Date().toISOString();
  });
}

/** Whether a login session opened at `createdAtMs` was ended by a later change to the account. */
export function sessionEndedByAccountChange(user: Pick<StoredUser, 'sessionsValidFrom'>, createdAtMs: number): boolean {
  return user.sessionsValidFrom !== undefined && createdAtMs < Date.parse(user.sessionsValidFrom);
}

/** Adds an account; fails if the username exists. */
export async function addUser(file: string, username: string, password: string, role: string): Promise<void> {
  checkUsername(username);
  checkPassword(password);
  const r = checkRole(role);
  const passwordHash = await hashPassword(password);
  const data = readUsersFile(file);
  if (data.users.some((u) => u.username === username)) throw new UsersFileError(`a user named ${username} already exists`);
  const now = new Date().toISOString();
  data.users.push({ username, role: r, passwordHash, disabled: false, createdAt: now, updatedAt: now });
  writeUsersFile(file, data);
}

/** Adds the account, or resets its password and role (and enables it) if it exists. For start scripts and tests. */
export async function upsertUser(file: string, username: string, password: string, role: string): Promise<void> {
  checkUsername(username);
  checkPassword(password);
  const r = checkRole(role);
  const passwordHash = await hashPassword(password);
  const data = readUsersFile(file);
  const now = new Date().toISOString();
  const existing = data.users.find((u) => u.username === username);
  if (existing) Object.assign(existing, { role: r, passwordHash, disabled: false, updatedAt: now, sessionsValidFrom: now });
  else data.users.push({ username, role: r, passwordHash, disabled: false, createdAt: now, updatedAt: now });
  writeUsersFile(file, data);
}

export async function setPassword(file: string, username: string, password: string): Promise<void> {
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  updateAndEndSessions(file, username, (u) => {
    u.passwordHash = passwordHash;
  });
}

export function setRole(file: string, username: string, role: string): void {
  const r = checkRole(role);
  updateAndEndSessions(file, username, (u) => {
    u.role = r;
  });
}

export function disableUser(file: string, username: string): void {
  updateAndEndSessions(file, username, (u) => {
    u.disabled = true;
  });
}

export function enableUser(file: string, username: string): void {
  update(file, username, (u) => {
    u.disabled = false;
  });
}

export function listUsers(file: string): Array<Omit<StoredUser, 'passwordHash'>> {
  return readUsersFile(file).users.map(({ passwordHash: _h, ...rest }) => rest);
}

/** What the app needs from an account directory; a file today, something else later. */
export interface UserDirectory {
  find(username: string): Promise<StoredUser | undefined>;
}

/** How often, at most, the accounts file is checked for edits when no change event arrived. */
const RECHECK_MS = 1_000;

/**
 * Reads the users file on demand (cached until its mtime/size/inode changes), so CLI edits apply without
 * a restart. The file is not stat'ed on every request: a watch on its directory marks the cache stale as
 * soon as the file is replaced, and without an event (a file system that sends none) it is stat'ed at
 * most once a second, so an edit applies within that second at worst.
 */
export function createFileUserDirectory(file: string, options: { now?: () => number } = {}): UserDirectory {
  const now = options.now ?? Date.now;
  let cache: { key: string; users: Map<string, StoredUser>; checkedAt: number } | undefined;
  let watching = false;
  const watchDirectory = () => {
    if (watching) return;
    try {
      // Not persistent: the watch never keeps the process alive.
      watch(path.dirname(file), { persistent: false }, (_event, name) => {
        if (name === null || name === path.basename(file)) cache = undefined;
      }).on('error', () => {
        watching = false;
      });
      watching = true;
    } catch {
      /* no directory yet, or no watch support: the once-a-second check still sees edits */
    }
  };
  return {
    async find(username) {
      const t = now();
      if (!cache || t - cache.checkedAt >= RECHECK_MS || t < cache.checkedAt) {
        watchDirectory();
        let key = 'missing';
        try {
          const st = statSync(file);
          key = `${st.mtimeMs}:${st.size}:${st.ino}`;
        } catch {
          /* no file yet: no users */
        }
        if (!cache || cache.key !== key) {
          const users = key === 'missing' ? [] : readUsersFile(file).users;
          cache = { key, users: new Map(users.map((u) => [u.username, u])), checkedAt: t };
        } else cache.checkedAt = t;
      }
      return cache.users.get(username);
    },
  };
}
