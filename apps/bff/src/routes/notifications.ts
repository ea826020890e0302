// The admin view of incident notifications: destinations, counts and the deliveries not made yet.
import { Router } from 'express';
import { routes } from '@quell/contracts/routes';
import type { Mount } from '../http/mount.ts';
import type { Notifications } from '../notify/notifications.ts';

export function notificationsRouter(mount: Mount, notifications: Notifications): Router {
  const r = Router();
  mount(r, routes.notifications, () => notifications.status());
  return r;
}
