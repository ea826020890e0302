// The inventory (without secrets) and the live sessions of an instance.
import { Router } from 'express';
import type { InstanceListResponse } from '@quell/contracts/instances';
import { SessionRowsWriter, type SessionRowsResponse } from '@quell/contracts/session-rows';
import type { Session, SessionListResponse } from '@quell/contracts/sessions';
import { routes } from '@quell/contracts/routes';
import { requiresApproval, type InstanceConfig } from '../config.ts';
import { SerializedJson, type Mount } from '../http/mount.ts';
import type { KillService } from '../kill/service.ts';

export interface InstancesRouterDeps {
  instances: InstanceConfig[];
  kill: KillService;
}

const COMMA = Buffer.from(',');

export function instancesRouter(mount: Mount, d: InstancesRouterDeps): Router {
  const r = Router();

  mount(r, routes.instances, (): InstanceListResponse => ({
    instances: d.instances.map((i) => ({
      id: i.id,
      name: i.name,
      environment: i.environment,
      ...(i.region ? { region: i.region } : {}),
      blastRadiusCap: i.blastRadiusCap,
      protectedUsers: i.protectedUsers,
      protectedHosts: i.protectedHosts,
      requireApproval: requiresApproval(i),
    })),
  }));

  mount(r, routes.sessions, async ({ params, query }) => {
    const instance = d.kill.instance(params.instanceId);
    let count = 0;
    const parts = await serialisePages(d.kill.sessionPages(instance, query), `{"instanceId":${JSON.stringify(instance.id)},"sessions":[`, (page) => {
      // the page's array without its brackets, encoded once (no sliced or joined copy of the text)
      const text = Buffer.from(JSON.stringify(page)).subarray(1, -1);
      const first = count === 0;
      count += page.length;
      return first ? [text] : [COMMA, text];
    });
    parts.push(Buffer.from(`],"count":${count},"fetchedAt":${JSON.stringify(d.kill.now().toISOString())}}`));
    return new SerializedJson<SessionListResponse>(parts);
  });

  mount(r, routes.sessionRows, async ({ params, query }) => {
    const instance = d.kill.instance(params.instanceId);
    const writer = new SessionRowsWriter();
    const parts = await serialisePages(d.kill.sessionPages(instance, query), writer.head(instance.id), (page) => [Buffer.from(writer.page(page))]);
    parts.push(Buffer.from(writer.tail(d.kill.now().toISOString())));
    return new SerializedJson<SessionRowsResponse>(parts);
  });
  return r;
}

/**
 * A listing's JSON bytes: `head`, then each DAS page serialised by `serialise` as it arrives and its
 * rows dropped. At 100 000 sessions the BFF holds the answer's bytes once, not the rows as objects,
 * then as one string, then as one buffer.
 */
async function serialisePages(pages: AsyncIterable<Session[]>, head: string, serialise: (page: Session[]) => Buffer[]): Promise<Buffer[]> {
  const parts: Buffer[] = [Buffer.from(head)];
  // The next page is asked for before this one is serialised, so serialising overlaps the wait for DAS.
  const it = pages[Symbol.asyncIterator]();
  for (let next = it.next(); ; ) {
    const got = await next;
    if (got.done) break;
    next = it.next();
    // The DAS client reaches the next request's write only after a few promise jobs and ticks, which
    // would otherwise all wait for this page's serialisation: let them run first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (got.value.length > 0) parts.push(...serialise(got.value));
  }
  return parts;
}
