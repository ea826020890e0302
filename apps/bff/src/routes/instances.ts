// The inventory (without secrets) and the live sessions of an instance.
import { Router } from 'express';
import type { InstanceListResponse } from '@quell/contracts/instances';
import type { SessionListResponse } from '@quell/contracts/sessions';
import { routes } from '@quell/contracts/routes';
import { requiresApproval, type InstanceConfig } from '../config.ts';
import { SerializedJson, type Mount } from '../http/mount.ts';
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

  // Each DAS page is serialised as it arrives and its rows dropped: at 100 000 sessions the BFF holds
  // the answer's bytes once, not the rows as objects, then as one string, then as one buffer.
  mount(r, routes.sessions, async ({ params, query }) => {
    const instance = d.kill.instance(params.instanceId);
    const parts = [Buffer.from(`{"instanceId":${JSON.stringify(instance.id)},"sessions":[`)];
    let count = 0;
    // The next page is asked for before this one is serialised, so serialising overlaps the wait for DAS.
    const pages = d.kill.sessionPages(instance, query)[Symbol.asyncIterator]();
    for (let next = pages.next(); ; ) {
      const got = await next;
      if (got.done) break;
      next = pages.next();
      // The DAS client reaches the next request's write only after a few promise jobs and ticks, which
      // would otherwise all wait for this page's serialisation: let them run first.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const page = got.value.sessions;
      if (page.length === 0) continue;
      // the page's array without its brackets, encoded once (no sliced or joined copy of the text)
      if (count > 0) parts.push(COMMA);
      parts.push(Buffer.from(JSON.stringify(page)).subarray(1, -1));
      count += page.length;
    }
    parts.push(Buffer.from(`],"count":${count},"fetchedAt":${JSON.stringify(d.kill.now().toISOString())}}`));
    return new SerializedJson<SessionListResponse>(parts);
  });
  return r;
}
