// Names to suggest in the sessions page's user and database fields (viewer).
import { Router } from 'express';
import { routes } from '@quell/contracts/routes';
import type { Mount } from '../http/mount.ts';
import type { KillService } from '../kill/service.ts';
import type { AuditStore } from '../stores/types.ts';
import { filterSuggestions } from '../suggestions/filter-suggestions.ts';

export function filterSuggestionsRouter(mount: Mount, d: { kill: KillService; audit: AuditStore; now: () => Date }): Router {
  const r = Router();
  mount(r, routes.filterSuggestions, ({ params }) => filterSuggestions({ inventory: d.kill.inventory, audit: d.audit, now: d.now }, d.kill.instance(params.instanceId)));
  return r;
}
