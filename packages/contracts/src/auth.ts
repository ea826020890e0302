import { z } from 'zod';
import { Role } from './common.ts';

export const LoginRequest = z.object({
  username: z.string().trim().min(1, 'is required').max(64, 'must be at most 64 characters'),
  password: z.string().min(1, 'is required').max(256, 'must be at most 256 characters'),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const MeResponse = z.object({ username: z.string(), role: Role, csrfToken: z.string() });
export type MeResponse = z.infer<typeof MeResponse>;
