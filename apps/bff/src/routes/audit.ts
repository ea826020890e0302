// GET /api/audit and GET /api/audit.csv: read-only; the trail is append-only through the API.
import { Router, type Request } from 'express';
import { AuditQuery, type AuditEntry, type AuditListResponse } from '@quell/contracts/audit';
import { parseOr400, ValidationError } from '../errors.ts';
import { requireRole } from '../middleware/guards.ts';
import type { AuditStore } from '../stores/types.ts';

/** CSV export allows larger pages than the JSON listing. */
export const AuditCsvQuery = AuditQuery.extend({ limit: AuditQuery.shape.limit.unwrap().max(10_000).default(10_000) });

const ALLOWED = Object.keys(AuditQuery.shape);
/** An export is a download, not a screen: a larger byte budget than a JSON page, still bounded. */
const CSV_MAX_BYTES = 16_000_000;

function query(req: Request): Record<string, unknown> {
  const q = req.query as Record<string, unknown>;
  const unknown = Object.keys(q).filter((k) => !ALLOWED.includes(k));
  if (unknown.length > 0) throw new ValidationError(unknown.map((k) => ({ field: `query.${k}`, message: 'is not a known parameter' })));
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== ''));
}

/** One CSV cell: formula-looking values get a leading quote (spreadsheet injection), then RFC 4180 quoting. */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

const COLUMNS = ['id', 'at', 'finishedAt', 'actor', 'role', 'instanceId', 'mode', 'status', 'reason', 'user', 'database', 'sessionIds', 'outcomes', 'excluded', 'dasRequestIds', 'idempotencyKey', 'error'] as const;

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
    ];
    lines.push(row.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function auditRouter(audit: AuditStore): Router {
  const r = Router();
  r.get('/api/audit', requireRole('viewer'), async (req, res) => {
    const q = parseOr400(AuditQuery, query(req), 'query');
    const body: AuditListResponse = await audit.list(q);
    res.json(body);
  });
  r.get('/api/audit.csv', requireRole('viewer'), async (req, res) => {
    const q = parseOr400(AuditCsvQuery, query(req), 'query');
    const { entries } = await audit.list(q, CSV_MAX_BYTES);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="quell-audit.csv"');
    res.send(auditToCsv(entries));
  });
  return r;
}
