// SQL throttle routes: list, preview, pattern suggestion, create, remove early, and kill-and-throttle.
import { Router } from 'express';
import { routes } from '@quell/contracts/routes';
import type { Mount } from '../http/mount.ts';
import type { KillService } from '../kill/service.ts';
import { killAndThrottle } from '../throttle/kill-and-throttle.ts';
import type { ThrottleService } from '../throttle/service.ts';

export function throttlesRouter(mount: Mount, d: { kill: KillService; throttles: ThrottleService }): Router {
  const r = Router();
  const instance = (id: string) => d.kill.instance(id);

  mount(r, routes.throttles, async ({ params }) => ({ instanceId: params.instanceId, throttles: await d.throttles.list(instance(params.instanceId)) }));
  mount(r, routes.throttlePreviews, ({ params, body }) => d.throttles.preview(instance(params.instanceId), body));
  mount(r, routes.throttlePatterns, ({ params, body }) => d.throttles.parse(instance(params.instanceId), body.sql));
  mount(r, routes.createThrottle, ({ params, body, auth }) => d.throttles.create(auth, instance(params.instanceId), body));
  mount(r, routes.throttle, async ({ params, auth }) => {
    await d.throttles.remove(auth, instance(params.instanceId), params.throttleId);
  });
  mount(r, routes.commitAndThrottle, async ({ params, body, headers, auth, res }) => {
    const { answer, replayed } = await killAndThrottle(d.kill, d.throttles, auth, params.previewId, body, headers['idempotency-key']);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    return answer;
  });
  return r;
}
