import { z } from 'zod';

export const Environment = z.enum(['prod', 'staging', 'dev', 'test']);
export type Environment = z.infer<typeof Environment>;

/** What the browser may know about an instance: no credentials, no db_user_id. */
export const InstanceSummary = z.object({
  id: z.string(),
  name: z.string(),
  environment: Environment,
  region: z.string().optional(),
  blastRadiusCap: z.number().int(),
  protectedUsers: z.array(z.string()),
  protectedHosts: z.array(z.string()),
  /** Two-person rule: a broad kill, or a commit above the cap, waits for a second engineer. */
  requireApproval: z.boolean().optional(),
});
export type InstanceSummary = z.infer<typeof InstanceSummary>;

export const InstanceListResponse = z.object({ instances: z.array(InstanceSummary) });
export type InstanceListResponse = z.infer<typeof InstanceListResponse>;
