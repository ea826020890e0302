// Inventory, sessions, previews, broad and blind kills, DAS db users: everything under /api/instances/:instanceId
import { Router, type Request } from 'express';
import type { Logger } from 'pino';
import { InstanceKey } from '@quell/contracts/common';
import { DbUserIdParam, RegisterDbUserRequest, type DbUserListResponse } from '@quell/contracts/db-users';
import type { InstanceListResponse } from '@quell/contracts/instances';
import { BlindKillRequest, BroadKillRequest, KillPreviewRequest } from '@quell/contracts/kill';
import { SessionFilter, type SessionListResponse } from '@quell/contracts/sessions';
import { z } from 'zod';
import type { InstanceConfig } from '../config.ts';
import type { DasPort } from '../das/port.ts';
import { DasApiError } from '@quell/das-client/errors';
import { ConflictError, parseOr400, ValidationError } from '../errors.ts';
import type { KillService } from '../kill/service.ts';
import { authOf, requireRole } from '../middleware/guards.ts';

export interface InstancesRouterDeps {
  instances: InstanceConfig[];
  kill: KillService;
  das: (instance: InstanceConfig) => DasPort;
  logger: Logger;
  now: () => Date;
}

const InstanceParam = z.object({ instanceId: InstanceKey });

/** Drops empty query values (an empty text box means "no filter"); repeated keys stay arrays and fail validation. */
function queryOf(req: Request, allowed: string[]): Record<string, unknown> {
  const q = req.query as Record<string, unknown>;
  const unknown = Object.keys(q).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new ValidationError(unknown.map((k) => ({ field: `query.${k}`, message: 'is not a known parameter' })));
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== ''));
}

export function instancesRouter(d: InstancesRouterDeps): Router {
  const r = Router();
  const instanceOf = (req: Request): InstanceConfig => d.kill.instance(parseOr400(InstanceParam, req.params).instanceId);
  const withInstance = (req: Request) => instanceOf(req);

  r.get('/api/instances', requireRole('viewer'), (_req, res) => {
    const body: InstanceListResponse = {
      instances: d.instances.map((i) => ({
        id: i.id,
        name: i.name,
        environment: i.environment,
        ...(i.region ? { region: i.region } : {}),
        blastRadiusCap: i.blastRadiusCap,
        protectedUsers: i.protectedUsers,
        protectedHosts: i.protectedHosts,
      })),
    };
    res.json(body);
  });

  r.get('/api/instances/:instanceId/sessions', requireRole('viewer'), async (req, res) => {
    const params = parseOr400(InstanceParam, req.params);
    const filter = parseOr400(SessionFilter, queryOf(req, ['user', 'database']), 'query');
    const instance = d.kill.instance(params.instanceId);
    const { sessions, listedAtMs } = await d.kill.listSessions(instance, filter);
    const body: SessionListResponse = { instanceId: instance.id, sessions, count: sessions.length, fetchedAt: new Date(listedAtMs).toISOString() };
    res.json(body);
  });

  r.post('/api/instances/:instanceId/kill-previews', requireRole('viewer'), async (req, res) => {
    const params = parseOr400(InstanceParam, req.params);
    const body = parseOr400(KillPreviewRequest, req.body ?? {});
    const instance = d.kill.instance(params.instanceId);
    res.status(201).json(await d.kill.preview(authOf(res), instance, body));
  });

  r.post('/api/instances/:instanceId/broad-kills', requireRole('admin'), async (req, res) => {
    const params = parseOr400(InstanceParam, req.params);
    const body = parseOr400(BroadKillRequest, req.body ?? {});
    const instance = d.kill.instance(params.instanceId);
    res.json(await d.kill.broad(authOf(res), instance, body));
  });

  r.post('/api/instances/:instanceId/blind-kills', requireRole('admin'), async (req, res) => {
    const params = parseOr400(InstanceParam, req.params);
    const body = parseOr400(BlindKillRequest, req.body ?? {});
    const instance = d.kill.instance(params.instanceId);
    res.json(await d.kill.blind(authOf(res), instance, body));
  });

  r.get('/api/instances/:instanceId/db-users', requireRole('admin'), async (req, res) => {
    const instance = withInstance(req);
    const users = await d.das(instance).listDbUsers(instance.instanceId);
    const body: DbUserListResponse = { dbUsers: users, total: users.length };
    res.json(body);
  });

  r.post('/api/instances/:instanceId/db-users', requireRole('admin'), async (req, res) => {
    const params = parseOr400(InstanceParam, req.params);
    const body = parseOr400(RegisterDbUserRequest, req.body ?? {});
    const instance = d.kill.instance(params.instanceId);
    const dbUserId = await d
      .das(instance)
      .registerDbUser(instance.instanceId, body.dbUsername, body.dbUserPassword)
      .catch((err: unknown) => {
        throw registrationRefusal(err) ?? err;
      });
    d.logger.info({ requestId: res.locals.requestId, actor: authOf(res).username, instance: instance.id, dbUsername: body.dbUsername, dbUserId }, 'DAS db user registered');
    res.status(201).json({ dbUserId, dbUsername: body.dbUsername });
  });

  r.delete('/api/instances/:instanceId/db-users/:dbUserId', requireRole('admin'), async (req, res) => {
    const params = parseOr400(InstanceParam.extend({ dbUserId: DbUserIdParam }), req.params);
    const instance = d.kill.instance(params.instanceId);
    if (instance.dbUserId && instance.dbUserId.toLowerCase() === params.dbUserId.toLowerCase()) {
      throw new ConflictError('this db user is the one Quell uses for the instance (dbUserId in the inventory): change the inventory first');
    }
    await d.das(instance).deleteDbUser(instance.instanceId, params.dbUserId);
    d.kill.forgetDasUser(instance.id);
    d.logger.info({ requestId: res.locals.requestId, actor: authOf(res).username, instance: instance.id, dbUserId: params.dbUserId }, 'DAS db user removed');
    res.status(204).end();
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
