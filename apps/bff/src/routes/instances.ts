// The inventory (without secrets) and the live sessions of an instance.
import { Router } from 'express';
import type { InstanceListResponse } from '@quell/contracts/instances';
import { SessionColumnsWriter, type SessionColumnsResponse } from '@quell/contracts/session-columns';
import type { Session, SessionListResponse } from '@quell/contracts/sessions';
import { routes } from '@quell/contracts/routes';
import { requiresApproval, type InstanceConfig } from '../config.ts';
import { SerializedJson, type Mount } from '../http/mount.ts';
import type { SessionPage } from '../kill/inventory.ts';
import type { KillService } from '../kill/service.ts';

export interface InstancesRouterDeps {
  instances: InstanceConfig[];
  kill: KillService;
}

const COMMA = Buffer.from(',');

export function instancesRouter(mount: Mount, d: InstancesRouterDeps): Router {
  const r = Router();

  mount(r, routes.instances, (): InstanceListResponse => ({
    instances: d.instances.map((i) => ({
      id: i.id,
      name: i.name,
      environment: i.environment,
      ...(i.region ? { region: i.region } : {}),
      blastRadiusCap: i.blastRadiusCap,
      protectedUsers: i.protectedUsers,
      protectedHosts: i.protectedHosts,
      requireApproval: requiresApproval(i),
    })),
  }));

  mount(r, routes.sessions, async ({ params, query }) => {
    const instance = d.kill.instance(params.instanceId);
    const parts: Buffer[] = [Buffer.from(`{"instanceId":${JSON.stringify(instance.id)},"sessions":[`)];
    let count = 0;
    await eachPage(d.kill.sessionPages(instance, query), (page) => {
      // the page's array without its brackets, encoded once (no sliced or joined copy of the text)
      if (count > 0) parts.push(COMMA);
      parts.push(Buffer.from(JSON.stringify(page)).subarray(1, -1));
      count += page.length;
    });
    parts.push(Buffer.from(`],"count":${count},"fetchedAt":${JSON.stringify(d.kill.now().toISOString())}}`));
    return new SerializedJson<SessionListResponse>(parts);
  });

  mount(r, routes.sessionColumns, async ({ params, query }) => {
    const instance = d.kill.instance(params.instanceId);
    const writer = new SessionColumnsWriter();
    await eachPage(d.kill.sessionPages(instance, query), (page) => writer.page(page));
    return new SerializedJson<SessionColumnsResponse>(writer.finish(instance.id, d.kill.now().toISOString()).map((piece) => Buffer.from(piece)));
  });
  return r;
}

/**
 * Hands each DAS page of a listing to `serialise` as it arrives, its rows then dropped: at 100 000
 * sessions the BFF holds the answer's bytes once, not the rows as objects, then as one string, then as
 * one buffer.
 */
async function eachPage(pages: AsyncIterable<SessionPage>, serialise: (sessions: Session[]) => void): Promise<void> {
  // The next page is asked for before this one is serialised, so serialising overlaps the wait for DAS.
  const it = pages[Symbol.asyncIterator]();
  for (let next = it.next(); ; ) {
    const got = await next;
    if (got.done) return;
    next = it.next();
    // The DAS client reaches the next request's write only after a few promise jobs and ticks, which
    // would otherwise all wait for this page's serialisation: let them run first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (got.value.sessions.length > 0) serialise(got.value.sessions);
  }
}
