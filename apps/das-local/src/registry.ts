// Registered DAS db users, in SQLite; passwords encrypted at rest with AES-256-GCM (key from scrypt).
import { createCipheriv, createDecipheriv, randomBytes, randomUUID, scryptSync } from 'node:crypto';
import Database from 'better-sqlite3';

export interface DbUser {
  dbUserId: string;
  instanceId: string;
  dbUsername: string;
}

const KEY_CHECK = 'quell-das-local-registry';

export class RegistryKeyError extends Error {
  override readonly name = 'RegistryKeyError';
}

export class DbUserRegistry {
  readonly #db: Database.Database;
  readonly #key: Buffer;

  constructor(path: string, secret: string) {
    if (secret.length === 0) throw new RegistryKeyError('registryKey must not be empty');
    this.#db = new Database(path);
    if (path !== ':memory:') this.#db.pragma('journal_mode = WAL');
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS db_users (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        db_user_id TEXT NOT NULL UNIQUE,
        instance_id TEXT NOT NULL,
        db_username TEXT NOT NULL,
        password_enc TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS db_users_instance ON db_users (instance_id, db_username);
    `);
    const getMeta = this.#db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE name = ?');
    let salt = getMeta.get('salt')?.value;
    if (!salt) {
      salt = randomBytes(16).toString('base64');
      this.#db.prepare('INSERT INTO meta (name, value) VALUES (?, ?)').run('salt', salt);
    }
    this.#key = scryptSync(secret, Buffer.from(salt, 'base64'), 32);
    const check = getMeta.get('key_check')?.value;
    if (!check) {
      this.#db.prepare('INSERT INTO meta (name, value) VALUES (?, ?)').run('key_check', this.#encrypt(KEY_CHECK));
    } else if (this.#decryptOrUndefined(check) !== KEY_CHECK) {
      this.#db.close();
      throw new RegistryKeyError('registryKey does not match the key this registry was created with');
    }
  }

  #encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const enc = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), enc]).toString('base64');
  }

  #decryptOrUndefined(stored: string): string | undefined {
    try {
      const raw = Buffer.from(stored, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }

  add(instanceId: string, dbUsername: string, password: string): DbUser {
    const dbUserId = randomUUID();
    this.#db
      .prepare('INSERT INTO db_users (db_user_id, instance_id, db_username, password_enc, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(dbUserId, instanceId, dbUsername, this.#encrypt(password), new Date().toISOString());
    return { dbUserId, instanceId, dbUsername };
  }

  get(instanceId: string, dbUserId: string): DbUser | undefined {
    const row = this.#db
      .prepare<[string, string], { db_user_id: string; instance_id: string; db_username: string }>(
        'SELECT db_user_id, instance_id, db_username FROM db_users WHERE instance_id = ? AND db_user_id = ?',
      )
      .get(instanceId, dbUserId);
    return row && { dbUserId: row.db_user_id, instanceId: row.instance_id, dbUsername: row.db_username };
  }

  findByUsername(instanceId: string, dbUsername: string): DbUser | undefined {
    return this.list(instanceId).find((u) => u.dbUsername === dbUsername);
  }

  /** Every db user of an instance, in registration order. */
  list(instanceId: string): DbUser[] {
    return this.#db
      .prepare<[string], { db_user_id: string; instance_id: string; db_username: string }>(
        'SELECT db_user_id, instance_id, db_username FROM db_users WHERE instance_id = ? ORDER BY seq',
      )
      .all(instanceId)
      .map((row) => ({ dbUserId: row.db_user_id, instanceId: row.instance_id, dbUsername: row.db_username }));
  }

  /** The decrypted password; throws if the stored value cannot be decrypted. */
  password(dbUserId: string): string {
    const row = this.#db.prepare<[string], { password_enc: string }>('SELECT password_enc FROM db_users WHERE db_user_id = ?').get(dbUserId);
    if (!row) throw new Error('unknown db user');
    const plain = this.#decryptOrUndefined(row.password_enc);
    if (plain === undefined) throw new RegistryKeyError('a stored password could not be decrypted');
    return plain;
  }

  update(dbUserId: string, dbUsername: string, password: string): void {
    this.#db.prepare('UPDATE db_users SET db_username = ?, password_enc = ? WHERE db_user_id = ?').run(dbUsername, this.#encrypt(password), dbUserId);
  }

  remove(dbUserId: string): boolean {
    return this.#db.prepare('DELETE FROM db_users WHERE db_user_id = ?').run(dbUserId).changes > 0;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
