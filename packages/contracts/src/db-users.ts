import { z } from 'zod';

export const DbUser = z.object({ dbUserId: z.string(), dbUsername: z.string() });
export type DbUser = z.infer<typeof DbUser>;
/** A listed db user; `inUse` marks the one the instance's inventory uses (its id stays server-side otherwise). */
export const DbUserListEntry = DbUser.extend({ inUse: z.boolean() });
export type DbUserListEntry = z.infer<typeof DbUserListEntry>;
export const DbUserListResponse = z.object({ dbUsers: z.array(DbUserListEntry), total: z.number().int() });
export type DbUserListResponse = z.infer<typeof DbUserListResponse>;
export const RegisterDbUserRequest = z
  .object({
    dbUsername: z.string().trim().min(1, 'is required').max(80),
    dbUserPassword: z.string().min(1, 'is required').max(256),
  })
  .strict();
export type RegisterDbUserRequest = z.infer<typeof RegisterDbUserRequest>;
export const DbUserIdParam = z.string().uuid('must be a UUID');
