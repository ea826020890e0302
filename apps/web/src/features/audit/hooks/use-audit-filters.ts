import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { AuditStatus } from '@quell/contracts/audit';
import { KillOutcome } from '@quell/contracts/kill';
import type { AuditFilters } from '../api/audit-queries';

export const PAGE_SIZE = 50;

/** `YYYY-MM-DD` (a date input) → ISO instant at the start of that local day, or the end for `to`. */
export function dayToIso(day: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const d = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00.000'}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function parseAuditParams(p: URLSearchParams): AuditFilters & { fromDay?: string; toDay?: string } {
  const f: AuditFilters & { fromDay?: string; toDay?: string } = { limit: PAGE_SIZE, offset: 0 };
  const id = p.get('id')?.trim();
  const instance = p.get('instance');
  const actor = p.get('operator')?.trim();
  const outcome = KillOutcome.safeParse(p.get('outcome'));
  const status = AuditStatus.safeParse(p.get('status'));
  const from = p.get('from') ?? '';
  const to = p.get('to') ?? '';
  const page = Number(p.get('page') ?? '1');
  // A deep link to one entry (from a notification): `/audit?id=<auditId>`.
  if (id) f.id = id;
  if (instance) f.instanceId = instance;
  if (actor) f.actor = actor;
  if (outcome.success) f.outcome = outcome.data;
  if (status.success) f.status = status.data;
  const fromIso = dayToIso(from, false);
  const toIso = dayToIso(to, true);
  if (fromIso) {
    f.from = fromIso;
    f.fromDay = from;
  }
  if (toIso) {
    f.to = toIso;
    f.toDay = to;
  }
  if (Number.isInteger(page) && page > 1) f.offset = (page - 1) * PAGE_SIZE;
  return f;
}

export function useAuditFilters() {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const filters = useMemo(() => parseAuditParams(params), [key]);
  const set = useCallback(
    (name: 'id' | 'instance' | 'operator' | 'outcome' | 'status' | 'from' | 'to' | 'page', value: string | undefined) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (value) next.set(name, value);
          else next.delete(name);
          if (name !== 'page') next.delete('page');
          return next;
        },
        { replace: name !== 'page' },
      );
    },
    [setParams],
  );
  return { filters, set };
}
