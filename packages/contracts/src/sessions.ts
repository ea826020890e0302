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

/** Where a suggested user or database name comes from. */
export const NameSource = z.enum(['recent-kill', 'open-transaction']);
export type NameSource = z.infer<typeof NameSource>;

/** A name worth listing by, and why: kills on this instance named it, or a session of it has an open transaction now. */
export const NameSuggestion = z.object({
  name: z.string(),
  sources: z.array(NameSource),
  /** When the newest kill attempt on this instance named it; null when none did. */
  lastKilledAt: z.string().nullable(),
  /** Its sessions with an open transaction in the lock views now. */
  openTransactions: z.number().int(),
});
export type NameSuggestion = z.infer<typeof NameSuggestion>;

/** Names for the user and database fields: the audit trail's recent kills and the lock views' open transactions. */
export const FilterSuggestionsResponse = z.object({
  instanceId: z.string(),
  users: z.array(NameSuggestion),
  databases: z.array(NameSuggestion),
  /** Why the open transactions could not be read (the kills still count); null when they were. */
  transactionsError: z.object({ code: z.string(), message: z.string() }).nullable(),
  fetchedAt: z.string(),
});
export type FilterSuggestionsResponse = z.infer<typeof FilterSuggestionsResponse>;
