// The inventory (without secrets) and the live sessions of an instance.
import { Router } from 'express';
import type { InstanceListResponse } from '@quell/contracts/instances';
import { routes } from '@quell/contracts/routes';
import { requiresApproval, type InstanceConfig } from '../config.ts';
import type { Mount } from '../http/mount.ts';
import type { KillService } from '../kill/service.ts';

export interface InstancesRouterDeps {
  instances: InstanceConfig[];
  kill: KillService;
}

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
    const { sessions, listedAtMs } = await d.kill.listSessions(instance, query);
    return { instanceId: instance.id, sessions, count: sessions.length, fetchedAt: new Date(listedAtMs).toISOString() };
  });
  return r;
}
