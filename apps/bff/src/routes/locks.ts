// Who blocks whom on an instance (viewer).
import { Router } from 'express';
import { routes } from '@quell/contracts/routes';
import type { Mount } from '../http/mount.ts';
import type { KillService } from '../kill/service.ts';
import { readLocks } from '../locks/read.ts';

export function locksRouter(mount: Mount, d: { kill: KillService; now: () => Date }): Router {
  const r = Router();
  mount(r, routes.locks, ({ params, query }) => readLocks(d.kill.inventory, d.kill.instance(params.instanceId), query, d.now));
  return r;
}
