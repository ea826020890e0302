import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, parseAuditParams } from './use-audit-filters';
import { auditCsvUrl, auditQueries } from '../api/audit-queries';
import { pathOf, routes } from '@quell/contracts/routes';

describe('audit URL state', () => {
  it('reads filters, ignores unknown outcomes, and pages', () => {
    const f = parseAuditParams(new URLSearchParams('instance=prod-orders&operator=alice&outcome=killed&status=bogus&page=3'));
    expect(f).toMatchObject({ instanceId: 'prod-orders', actor: 'alice', outcome: 'killed', limit: PAGE_SIZE, offset: 2 * PAGE_SIZE });
    expect(f.status).toBeUndefined();
  });

  it('reads the deep link to one entry that a notification carries (/audit?id=…), and asks for it', () => {
    const f = parseAuditParams(new URLSearchParams('id=7b3c1a52-4a4e-4d5e-9a51-0d9a4d6c2f10'));
    expect(f).toEqual({ id: '7b3c1a52-4a4e-4d5e-9a51-0d9a4d6c2f10', limit: PAGE_SIZE, offset: 0 });
    expect(auditCsvUrl(f)).toBe(`${pathOf(routes.auditCsv)}?id=7b3c1a52-4a4e-4d5e-9a51-0d9a4d6c2f10`);
  });

  it('turns days into a from/to instant range', () => {
    const f = parseAuditParams(new URLSearchParams('from=2026-11-01&to=2026-11-02'));
    expect(f.from && Date.parse(f.from)).toBeLessThan(f.to ? Date.parse(f.to) : 0);
    expect(parseAuditParams(new URLSearchParams('from=yesterday')).from).toBeUndefined();
  });

  it('exports CSV with the same filters and no paging', () => {
    expect(auditCsvUrl({ instanceId: 'a', actor: 'bob', limit: 50, offset: 100 })).toBe(`${pathOf(routes.auditCsv)}?instanceId=a&actor=bob`);
    expect(auditQueries.list({ limit: 50, offset: 0 }).queryKey).toEqual(['audit', 'list', { limit: 50, offset: 0 }]);
  });
});
