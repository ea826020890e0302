import { z } from 'zod';
import { Role } from './common.ts';

export const LoginRequest = z.object({
  username: z.string().trim().min(1, 'is required').max(64, 'must be at most 64 characters'),
  password: z.string().min(1, 'is required').max(256, 'must be at most 256 characters'),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const MeResponse = z.object({
  username: z.string(),
  role: Role,
  csrfToken: z.string(),
  /** Set when signed in through the identity provider: its display name of the user. */
  displayName: z.string().optional(),
});
export type MeResponse = z.infer<typeof MeResponse>;

/** How one may sign in: the identity provider (when configured) first, local accounts second. */
export const AuthProvidersResponse = z.object({
  /** Absent when Quell has no identity provider configured. */
  oidc: z.object({ displayName: z.string(), loginPath: z.string() }).nullable(),
  /** Local accounts: `on`, `admin-only` (break-glass) or `off` (the sign-in form is hidden). */
  local: z.enum(['on', 'admin-only', 'off']),
});
export type AuthProvidersResponse = z.infer<typeof AuthProvidersResponse>;

/** Unknown query parameters are a 400 elsewhere: these are the ones identity providers send back. */
export const OidcCallbackQuery = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(1024).optional(),
  iss: z.string().max(2048).optional(),
  session_state: z.string().max(1024).optional(),
  scope: z.string().max(2048).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
  error_uri: z.string().max(2048).optional(),
  authuser: z.string().max(64).optional(),
  prompt: z.string().max(256).optional(),
  hd: z.string().max(256).optional(),
});

/** After logging out: where the browser goes to end its identity-provider session too (null: nowhere). */
export const SignOutResponse = z.object({ logoutUrl: z.string().nullable() });
export type SignOutResponse = z.infer<typeof SignOutResponse>;
