// The audit trail as JSON pages and as CSV: read-only; the trail is append-only through the API.
import { Router } from 'express';
import type { AuditEntry } from '@quell/contracts/audit';
import { routes } from '@quell/contracts/routes';
import type { Mount } from '../http/mount.ts';
import type { AuditStore } from '../stores/types.ts';

/** An export is a download, not a screen: a larger byte budget than a JSON page, still bounded. */
const CSV_MAX_BYTES = 16_000_000;

/** One CSV cell: formula-looking values get a leading quote (spreadsheet injection), then RFC 4180 quoting. */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

const COLUMNS = ['id', 'at', 'finishedAt', 'actor', 'role', 'instanceId', 'mode', 'status', 'reason', 'user', 'database', 'sessionIds', 'outcomes', 'excluded', 'dasRequestIds', 'idempotencyKey', 'error', 'actorName', 'approvalRequestId', 'requestedBy', 'approvedBy', 'approvalDecision', 'breakGlass'] as const;

export function auditToCsv(entries: AuditEntry[]): string {
  const lines = [COLUMNS.join(',')];
  for (const e of entries) {
    const row = [
      e.id,
      e.at,
      e.finishedAt,
      e.actor,
      e.role,
      e.instanceId,
      e.mode,
      e.status,
      e.reason,
      e.target.user,
      e.target.database,
      (e.target.sessionIds ?? []).join(' '),
      e.outcomes.map((o) => `${o.sessionId}:${o.outcome}${o.error?.errorCode ? `(${o.error.errorCode})` : ''}`).join(' '),
      e.excluded.map((x) => `${x.sessionId}:${x.reason}`).join(' '),
      e.dasRequestIds.join(' '),
      e.idempotencyKey,
      e.error ? `${e.error.code}: ${e.error.message}` : '',
      // Last, so that existing column positions stay: the IdP display name of an `oidc:` actor.
      e.actorName,
      // The two-person rule: who asked, who approved (or denied), and whether it was break-glass.
      e.approval?.requestId,
      e.approval?.requestedBy,
      e.approval?.approvedBy ?? e.approval?.deniedBy,
      e.approval?.decision,
      e.approval ? e.approval.breakGlass : undefined,
    ];
    lines.push(row.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function auditRouter(mount: Mount, audit: AuditStore): Router {
  const r = Router();
  mount(r, routes.audit, ({ query }) => audit.list(query));
  mount(r, routes.auditCsv, async ({ query, res }) => {
    const { entries } = await audit.list(query, CSV_MAX_BYTES);
    res.setHeader('Content-Disposition', 'attachment; filename="quell-audit.csv"');
    return auditToCsv(entries);
  });
  return r;
}
