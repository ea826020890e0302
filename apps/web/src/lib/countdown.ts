/** "14:59", "1:02:03", or "due" once the expiry has passed. */
export function countdown(expiresAt: string, nowMs: number): string {
  const left = Math.ceil((Date.parse(expiresAt) - nowMs) / 1000);
  if (!(left > 0)) return 'due';
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}
