// Every kill route: previews, committing a preview, rechecking its rolling-back sessions, broad kills and blind kills.
import { Router, type Response } from 'express';
import type { KillResult } from '@quell/contracts/kill';
import { routes } from '@quell/contracts/routes';
import type { Mount } from '../http/mount.ts';
import type { KillService } from '../kill/service.ts';

export function killRouter(mount: Mount, kill: KillService): Router {
  const r = Router();

  mount(r, routes.killPreviews, ({ params, body, auth }) => kill.preview(auth, kill.instance(params.instanceId), body));

  const answer = (res: Response, { result, replayed }: { result: KillResult; replayed: boolean }): KillResult => {
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    return result;
  };

  mount(r, routes.commitPreview, async ({ params, body, headers, auth, res }) => answer(res, await kill.commit(auth, params.previewId, body, headers['idempotency-key'])));

  mount(r, routes.broadKills, async ({ params, body, headers, auth, res }) => answer(res, await kill.broad(auth, kill.instance(params.instanceId), body, headers['idempotency-key'])));

  mount(r, routes.blindKills, async ({ params, body, headers, auth, res }) => answer(res, await kill.blind(auth, kill.instance(params.instanceId), body, headers['idempotency-key'])));

  mount(r, routes.recheckKill, ({ params }) => kill.recheck(params.auditId));
  return r;
}
