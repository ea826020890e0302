// The two-person rule's routes: the pending requests, one request with its frozen preview, approve, deny.
import { Router } from 'express';
import { routes } from '@quell/contracts/routes';
import type { Mount } from '../http/mount.ts';
import type { KillService } from '../kill/service.ts';

export function approvalsRouter(mount: Mount, kill: KillService): Router {
  const r = Router();
  mount(r, routes.approvals, async () => ({ approvals: await kill.pendingApprovals() }));
  mount(r, routes.approval, ({ params }) => kill.approval(params.approvalId));
  mount(r, routes.approve, async ({ params, body, headers, auth, res }) => {
    const { result, replayed } = await kill.approve(auth, params.approvalId, body, headers['idempotency-key']);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    return result;
  });
  mount(r, routes.deny, ({ params, body, auth }) => kill.deny(auth, params.approvalId, body));
  return r;
}
