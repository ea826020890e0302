// Reads an instance's lock graph: both DAS lock views at once (they need no user/database filter), plus a
// session listing when the caller names a user or database, merged by buildLockGraph.
import type { LocksQuery, LocksResponse } from '@quell/contracts/locks';
import type { Session } from '@quell/contracts/sessions';
import type { InstanceConfig } from '../config.ts';
import type { Inventory } from '../kill/inventory.ts';
import { buildLockGraph, chainOf } from './graph.ts';

export async function readLocks(inventory: Inventory, instance: InstanceConfig, query: LocksQuery, now: () => Date): Promise<LocksResponse> {
  const dbUserId = inventory.dbUserId(instance);
  const das = inventory.das(instance);
  const params = { instanceId: instance.instanceId, dbUserId };
  const filter = { ...(query.user !== undefined ? { user: query.user } : {}), ...(query.database !== undefined ? { database: query.database } : {}) };
  const listing: Promise<readonly Session[]> = filter.user !== undefined || filter.database !== undefined ? inventory.listSessions(instance, filter).then((l) => l.sessions) : Promise.resolve([]);
  const [innodb, metadata, sessions] = await Promise.all([das.listInnodbLocks(params), das.listMetadataLocks(params), listing]);
  const full = buildLockGraph({ innodb, metadata, sessions });
  const graph = query.threadId !== undefined ? chainOf(full, query.threadId) : full;
  return { instanceId: instance.id, ...graph, fetchedAt: now().toISOString() };
}
