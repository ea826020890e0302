import { z } from 'zod';
import { MysqlDatabase, MysqlUser } from './common.ts';

/** One live session, typed (DAS sends every field as a string). */
export const Session = z.object({
  id: z.number().int(),
  user: z.string(),
  host: z.string(),
  database: z.string(),
  command: z.string(),
  /** Seconds the session has been in its current state. */
  time: z.number(),
  state: z.string(),
  sql: z.string(),
  /** Seconds the current transaction has run; 0 when none. */
  trxExecutedTime: z.number(),
});
export type Session = z.infer<typeof Session>;

/** DAS's list API needs a user or a database: so does Quell. */
export const SessionFilter = z
  .object({ user: MysqlUser.optional(), database: MysqlDatabase.optional() })
  .refine((f) => f.user !== undefined || f.database !== undefined, {
    message: 'give a user or a database (DAS lists sessions only by one of them)',
    path: ['user'],
  });
export type SessionFilter = z.infer<typeof SessionFilter>;

export const SessionListResponse = z.object({
  instanceId: z.string(),
  sessions: z.array(Session),
  count: z.number().int(),
  fetchedAt: z.string(),
});
export type SessionListResponse = z.infer<typeof SessionListResponse>;
