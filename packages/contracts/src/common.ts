import { z } from 'zod';

/** Quell's own inventory key for an instance (URL-safe slug), not the DAS instance_id. */
export const InstanceKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 lowercase letters, digits or hyphens');

/**
 * A MySQL thread id: DAS accepts [0, 2^31-1]. Accepts a number or a string of decimal digits — nothing else
 * (no coercion of "", null, true or [] to 0/1: a stray value must never become a thread id).
 */
export const SessionId = z
  .union([z.number(), z.string().trim().regex(/^\d{1,10}$/, 'must be a session id: digits only')], { error: 'must be a number' })
  .transform((v) => Number(v))
  .pipe(z.number().int('must be a whole number').min(0, 'must be ≥ 0').max(2 ** 31 - 1, 'must be ≤ 2147483647'));

/** MySQL account names are ≤ 80 chars (MariaDB), schema names ≤ 64; no control characters. */
const noControl = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);
/** MySQL identifiers are utf8mb3: no characters outside the Basic Multilingual Plane (and no lone surrogates). */
const bmpOnly = (s: string) => !/[\ud800-\udfff]/.test(s);
export const MysqlUser = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(80, 'must be at most 80 characters')
  .refine(noControl, 'must not contain control characters')
  .refine(bmpOnly, 'must not contain characters MySQL names cannot hold (e.g. emoji)');
export const MysqlDatabase = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .refine(noControl, 'must not contain control characters')
  .refine(bmpOnly, 'must not contain characters MySQL names cannot hold (e.g. emoji)');

export const Role = z.enum(['viewer', 'operator', 'admin']);
export type Role = z.infer<typeof Role>;

export const Reason = z.string().trim().min(3, 'must be at least 3 characters').max(500, 'must be at most 500 characters');
