/** The longest throttle a role may ask for (the BFF enforces the same limits). */
export function maxMinutes(role: string | undefined): number {
  return role === 'admin' ? 24 * 60 : 120;
}
