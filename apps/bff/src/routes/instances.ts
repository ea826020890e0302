// Inventory, sessions, previews, broad and blind kills, DAS db users: everything under /api/instances/:instanceId
import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { InstanceKey } from '@quell/contracts/common';
import { DbUserIdParam, RegisterDbUserRequest, type DbUserListResponse } from '@quell/contracts/db-users';
import type { InstanceListResponse } from '@quell/contracts/instances';
import { BlindKillRequest, BroadKillRequest, IdempotencyKey, KillPreviewRequest, type KillResult } from '@quell/contracts/kill';
import { IDEMPOTENCY_HEADER } from '@quell/contracts/routes';
import { SessionFilter, type SessionListResponse } from '@quell/contracts/sessions';
import { z } from 'zod';
import type { InstanceConfig } from '../config.ts';
import { parseOr400, ValidationError } from '../errors.ts';
import type { KillService } from '../kill/service.ts';
import { authOf, requireRole } from '../middleware/guards.ts';

export interface InstancesRouterDeps {
  instances: InstanceConfig[];
  kill: KillService;
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
    sendKill(res, await d.kill.broad(authOf(res), instance, body, idempotencyKeyOf(req)));
  });

  r.post('/api/instances/:instanceId/blind-kills', requireRole('admin'), async (req, res) => {
    const params = parseOr400(InstanceParam, req.params);
    const body = parseOr400(BlindKillRequest, req.body ?? {});
    const instance = d.kill.instance(params.instanceId);
    sendKill(res, await d.kill.blind(authOf(res), instance, body, idempotencyKeyOf(req)));
  });

  r.get('/api/instances/:instanceId/db-users', requireRole('admin'), async (req, res) => {
    const instance = instanceOf(req);
    const users = await d.kill.listDbUsers(instance);
    const body: DbUserListResponse = { dbUsers: users, total: users.length };
    res.json(body);
  });

  r.post('/api/instances/:instanceId/db-users', requireRole('admin'), async (req, res) => {
    const params = parseOr400(InstanceParam, req.params);
    const body = parseOr400(RegisterDbUserRequest, req.body ?? {});
    const instance = d.kill.instance(params.instanceId);
    const dbUserId = await d.kill.registerDbUser(instance, body.dbUsername, body.dbUserPassword);
    d.logger.info({ requestId: res.locals.requestId, actor: authOf(res).username, instance: instance.id, dbUsername: body.dbUsername, dbUserId }, 'DAS db user registered');
    res.status(201).json({ dbUserId, dbUsername: body.dbUsername });
  });

  r.delete('/api/instances/:instanceId/db-users/:dbUserId', requireRole('admin'), async (req, res) => {
    const params = parseOr400(InstanceParam.extend({ dbUserId: DbUserIdParam }), req.params);
    const instance = d.kill.instance(params.instanceId);
    await d.kill.deleteDbUser(instance, params.dbUserId);
    d.logger.info({ requestId: res.locals.requestId, actor: authOf(res).username, instance: instance.id, dbUserId: params.dbUserId }, 'DAS db user removed');
    res.status(204).end();
  });
  return r;
}

/** The Idempotency-Key header of a kill request (required). */
function idempotencyKeyOf(req: Request): string {
  const raw = req.get(IDEMPOTENCY_HEADER);
  if (raw === undefined) throw new ValidationError([{ field: 'headers.idempotency-key', message: 'is required' }]);
  return parseOr400(IdempotencyKey, raw, 'headers.idempotency-key');
}

function sendKill(res: Response, answer: { result: KillResult; replayed: boolean }): void {
  if (answer.replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.json(answer.result);
}
