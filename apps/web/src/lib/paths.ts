// Deep links more than one feature points at.

/** One audit entry on the audit page (e.g. the kill a throttle came from). */
export function auditEntryPath(id: string): string {
  return `/audit?id=${encodeURIComponent(id)}`;
}
