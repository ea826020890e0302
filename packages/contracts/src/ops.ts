import { z } from 'zod';

export const HealthResponse = z.object({ status: z.literal('ok') });
export type HealthResponse = z.infer<typeof HealthResponse>;

const Check = z.object({ ok: z.boolean(), error: z.unknown().optional() }).catchall(z.unknown());

/** `/readyz`: 200 with status "ready", or 503 with "not-ready"; one check per store and per DAS instance. */
export const ReadyResponse = z.object({
  status: z.enum(['ready', 'not-ready']),
  /** When the (briefly cached) check ran. */
  checkedAt: z.string(),
  /** `oidc`: the identity provider answers (reported, but it does not make Quell not-ready: break-glass accounts still work). */
  checks: z.object({ store: Check, sessions: Check.optional(), das: z.record(z.string(), Check), oidc: Check.optional() }),
});
export type ReadyResponse = z.infer<typeof ReadyResponse>;
