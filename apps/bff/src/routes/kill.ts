// Every kill route: previews, committing a preview, broad kills and blind kills.
import { Router } from 'express';
import { routes } from '@quell/contracts/routes';
import type { Mount } from '../http/mount.ts';
import type { KillService } from '../kill/service.ts';

export function killRouter(mount: Mount, kill: KillService): Router {
  const r = Router();

  mount(r, routes.killPreviews, ({ params, body, auth }) => kill.preview(auth, kill.instance(params.instanceId), body));

  mount(r, routes.commitPreview, async ({ params, body, headers, auth, res }) => {
    const { result, replayed } = await kill.commit(auth, params.previewId, body, headers['idempotency-key']);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    return result;
  });

  mount(r, routes.broadKills, ({ params, body, headers, auth }) => kill.broad(auth, kill.instance(params.instanceId), body, headers['idempotency-key']));

  mount(r, routes.blindKills, ({ params, body, headers, auth }) => kill.blind(auth, kill.instance(params.instanceId), body, headers['idempotency-key']));
  return r;
}
