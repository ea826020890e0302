// The DAS db users of an instance: list, register, remove (admin only).
import { Router } from 'express';
import type { Logger } from 'pino';
import { routes } from '@quell/contracts/routes';
import type { Mount } from '../http/mount.ts';
import type { KillService } from '../kill/service.ts';

export interface DbUsersRouterDeps {
  kill: KillService;
  logger: Logger;
}

export function dbUsersRouter(mount: Mount, d: DbUsersRouterDeps): Router {
  const r = Router();

  mount(r, routes.dbUsers, async ({ params }) => {
    const users = await d.kill.listDbUsers(d.kill.instance(params.instanceId));
    return { dbUsers: users, total: users.length };
  });

  mount(r, routes.registerDbUser, async ({ params, body, auth, res }) => {
    const instance = d.kill.instance(params.instanceId);
    const dbUserId = await d.kill.registerDbUser(instance, body.dbUsername, body.dbUserPassword);
    d.logger.info({ requestId: res.locals.requestId, actor: auth.username, instance: instance.id, dbUsername: body.dbUsername, dbUserId }, 'DAS db user registered');
    return { dbUserId, dbUsername: body.dbUsername };
  });

  mount(r, routes.dbUser, async ({ params, auth, res }) => {
    const instance = d.kill.instance(params.instanceId);
    await d.kill.deleteDbUser(instance, params.dbUserId);
    d.logger.info({ requestId: res.locals.requestId, actor: auth.username, instance: instance.id, dbUserId: params.dbUserId }, 'DAS db user removed');
  });
  return r;
}
