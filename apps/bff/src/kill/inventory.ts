// The instances Quell may act on, their DAS db user, and the one cache of the MySQL account behind it.
// Everything that changes DAS db users goes through here, so the cache is forgotten where it goes stale.
import { PROCESSES_PAGE_SIZE, type DbUserRecord, type ListingOptions } from '@quell/das-client/types';
import type { Session } from '@quell/contracts/sessions';
import type { InstanceConfig } from '../config.ts';
import type { DasPort } from '../das/port.ts';
import { ConflictError, NotFoundError } from '../errors.ts';

export interface InventoryOptions {
  instances: InstanceConfig[];
  das: (instance: InstanceConfig) => DasPort;
  now: () => Date;
  dasUserCacheMs: number;
}

export type SessionListFilter = { user?: string; database?: string };

export interface SessionListing {
  sessions: Session[];
  listedAtMs: number;
  /**
   * The listing took more than one DAS page. DAS pages by offset, so a session that was there throughout
   * is in none of the pages when sessions listed before it ended between two page requests: its
   * absence proves nothing until a second listing agrees.
   */
  mayMissSessions: boolean;
}

/** One DAS page of a listing: its offset, the `count` DAS told with it, and when it came. */
export interface SessionPage {
  offset: number;
  sessions: Session[];
  count: number | undefined;
  listedAtMs: number;
}

export class Inventory {
  readonly #o: InventoryOptions;
  readonly #instances: Map<string, InstanceConfig>;
  readonly #dasUsers = new Map<string, { username: string; at: number }>();

  constructor(options: InventoryOptions) {
    this.#o = options;
    this.#instances = new Map(options.instances.map((i) => [i.id, i]));
  }

  instance(id: string): InstanceConfig {
    const i = this.#instances.get(id);
    if (!i) throw new NotFoundError(`no instance "${id}" in the inventory`);
    return i;
  }

  das(instance: InstanceConfig): DasPort {
    return this.#o.das(instance);
  }

  dbUserId(instance: InstanceConfig): string {
    if (!instance.dbUserId) throw new ConflictError(`instance "${instance.id}" has no dbUserId: an admin registers a DAS db user and sets it in the inventory`);
    return instance.dbUserId;
  }

  /** The MySQL account behind the instance's DAS db user (never killed). Cached. */
  async dasUsername(instance: InstanceConfig): Promise<string> {
    this.dbUserId(instance); // a 409 when the inventory names no db user
    const cached = this.#dasUsers.get(instance.id);
    const now = this.#o.now().getTime();
    if (cached && now - cached.at < this.#o.dasUserCacheMs) return cached.username;
    const users = await this.das(instance).listDbUsers(instance.instanceId);
    const me = users.find((u) => this.usesDbUser(instance, u.dbUserId));
    if (!me) throw new ConflictError(`the dbUserId of instance "${instance.id}" is not registered with DAS`);
    this.#dasUsers.set(instance.id, { username: me.dbUsername, at: now });
    return me.dbUsername;
  }

  forgetDasUser(instanceId: string): void {
    this.#dasUsers.delete(instanceId);
  }

  /** Every session matching the filter, all pages (`options` as for DasClient.listProcesses). */
  async listSessions(instance: InstanceConfig, filter: SessionListFilter, options?: ListingOptions): Promise<SessionListing> {
    const dbUserId = this.dbUserId(instance);
    const sessions = await this.das(instance).listProcesses({ instanceId: instance.instanceId, dbUserId, ...filter }, options);
    return { sessions, listedAtMs: this.#o.now().getTime(), mayMissSessions: sessions.length >= PROCESSES_PAGE_SIZE };
  }

  /**
   * The same listing page by page (the sessions route serialises each page as it comes; a commit re-checks
   * and kills page by page), each page with its offset and when it came (`options` as for listProcesses).
   */
  async *sessionPages(instance: InstanceConfig, filter: SessionListFilter, options?: ListingOptions): AsyncGenerator<SessionPage> {
    const dbUserId = this.dbUserId(instance);
    for await (const page of this.das(instance).listProcessPages({ instanceId: instance.instanceId, dbUserId, ...filter }, options)) {
      yield { offset: page.offset, sessions: page.processes, count: page.count, listedAtMs: this.#o.now().getTime() };
    }
  }

  /** Whether `dbUserId` is the db user the inventory names for the instance (DAS ids compare case-insensitively). */
  usesDbUser(instance: InstanceConfig, dbUserId: string): boolean {
    return !!instance.dbUserId && instance.dbUserId.toLowerCase() === dbUserId.toLowerCase();
  }

  /** The instance's DAS db users, the one the inventory uses marked `inUse`. */
  async listDbUsers(instance: InstanceConfig): Promise<(DbUserRecord & { inUse: boolean })[]> {
    const users = await this.das(instance).listDbUsers(instance.instanceId);
    return users.map((u) => ({ ...u, inUse: this.usesDbUser(instance, u.dbUserId) }));
  }

  async registerDbUser(instance: InstanceConfig, dbUsername: string, dbUserPassword: string): Promise<string> {
    const dbUserId = await this.das(instance).registerDbUser(instance.instanceId, dbUsername, dbUserPassword);
    this.forgetDasUser(instance.id);
    return dbUserId;
  }

  /** Removes a DAS db user; never the one the inventory names for the instance. */
  async deleteDbUser(instance: InstanceConfig, dbUserId: string): Promise<void> {
    if (this.usesDbUser(instance, dbUserId)) {
      throw new ConflictError('this db user is the one Quell uses for the instance (dbUserId in the inventory): change the inventory first');
    }
    await this.das(instance).deleteDbUser(instance.instanceId, dbUserId);
    this.forgetDasUser(instance.id);
  }
}
