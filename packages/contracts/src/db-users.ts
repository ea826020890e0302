import { z } from 'zod';

export const DbUser = z.object({ dbUserId: z.string(), dbUsername: z.string() });
export type DbUser = z.infer<typeof DbUser>;
export const DbUserListResponse = z.object({ dbUsers: z.array(DbUser), total: z.number().int() });
export type DbUserListResponse = z.infer<typeof DbUserListResponse>;
export const RegisterDbUserRequest = z
  .object({
    dbUsername: z.string().trim().min(1, 'is required').max(80),
    dbUserPassword: z.string().min(1, 'is required').max(256),
  })
  .strict();
export type RegisterDbUserRequest = z.infer<typeof RegisterDbUserRequest>;
export const DbUserIdParam = z.string().uuid('must be a UUID');
