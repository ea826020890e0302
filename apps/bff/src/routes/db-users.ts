// The DAS db users of an instance: list, register, remove (admin only).
import { Router } from 'express';
import type { Logger } from 'pino';
import { routes } from '@quell/contracts/routes';
import { DasApiError } from '@quell/das-client/errors';
import type { InstanceConfig } from '../config.ts';
import type { DasPort } from '../das/port.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import type { Mount } from '../http/mount.ts';
import type { KillService } from '../kill/service.ts';

export interface DbUsersRouterDeps {
  kill: KillService;
  das: (instance: InstanceConfig) => DasPort;
  logger: Logger;
}

export function dbUsersRouter(mount: Mount, d: DbUsersRouterDeps): Router {
  const r = Router();

  mount(r, routes.dbUsers, async ({ params }) => {
    const instance = d.kill.instance(params.instanceId);
    const users = await d.das(instance).listDbUsers(instance.instanceId);
    return { dbUsers: users, total: users.length };
  });

  mount(r, routes.registerDbUser, async ({ params, body, auth, res }) => {
    const instance = d.kill.instance(params.instanceId);
    const dbUserId = await d
      .das(instance)
      .registerDbUser(instance.instanceId, body.dbUsername, body.dbUserPassword)
      .catch((err: unknown) => {
        throw registrationRefusal(err) ?? err;
      });
    d.logger.info({ requestId: res.locals.requestId, actor: auth.username, instance: instance.id, dbUsername: body.dbUsername, dbUserId }, 'DAS db user registered');
    return { dbUserId, dbUsername: body.dbUsername };
  });

  mount(r, routes.dbUser, async ({ params, auth, res }) => {
    const instance = d.kill.instance(params.instanceId);
    if (instance.dbUserId && instance.dbUserId.toLowerCase() === params.dbUserId.toLowerCase()) {
      throw new ConflictError('this db user is the one Quell uses for the instance (dbUserId in the inventory): change the inventory first');
    }
    await d.das(instance).deleteDbUser(instance.instanceId, params.dbUserId);
    d.kill.forgetDasUser(instance.id);
    d.logger.info({ requestId: res.locals.requestId, actor: auth.username, instance: instance.id, dbUserId: params.dbUserId }, 'DAS db user removed');
  });
  return r;
}

/**
 * DAS refusing what the admin typed is the admin's to fix, not an upstream fault: a login DAS could not
 * make (DAS.200051) names the password, any other DAS 400 on registration names the username.
 */
function registrationRefusal(err: unknown): ValidationError | undefined {
  if (!(err instanceof DasApiError) || err.kind !== 'das' || err.httpStatus !== 400) return undefined;
  const field = err.errorCode === 'DAS.200051' ? 'dbUserPassword' : 'dbUsername';
  const message = err.errorCode === 'DAS.200051' ? 'DAS could not sign in to the instance with this username and password' : `DAS refused the registration (${err.errorCode ?? 'HTTP 400'})`;
  return new ValidationError([{ field, message }], message);
}
