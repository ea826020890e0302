import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@quell/contracts/audit';
import { auditToCsv, csvCell } from './audit.ts';

describe('CSV export', () => {
  it('neutralises formula cells and quotes per RFC 4180', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
    expect(csvCell('plain')).toBe('plain');
  });

  it('writes one row per entry with outcomes and DAS request ids', () => {
    const e: AuditEntry = {
      id: 'a1',
      at: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
      actor: 'alice',
      role: 'operator',
      instanceId: 'main',
      mode: 'preview',
      target: { user: '=cmd', sessionIds: [1, 2] },
      reason: '@reason, with comma',
      status: 'completed',
      excluded: [{ sessionId: 3, reason: 'protected-user', explanation: 'x' }],
      outcomes: [
        { sessionId: 1, outcome: 'killed' },
        { sessionId: 2, outcome: 'failed', error: { httpStatus: 500, errorCode: 'DAS.200100' } },
      ],
      dasRequestIds: ['r1', 'r2'],
      idempotencyKey: 'k-12345678',
    };
    const csv = auditToCsv([e]);
    const [header, row] = csv.trimEnd().split('\r\n');
    expect(header).toBe('id,at,finishedAt,actor,role,instanceId,mode,status,reason,user,database,sessionIds,outcomes,excluded,dasRequestIds,idempotencyKey,error,actorName,approvalRequestId,requestedBy,approvedBy,approvalDecision,breakGlass');
    expect(row).toBe(`a1,2026-01-01T00:00:00.000Z,2026-01-01T00:00:01.000Z,alice,operator,main,preview,completed,"'@reason, with comma",'=cmd,,1 2,1:killed 2:failed(DAS.200100),3:protected-user,r1 r2,k-12345678,,,,,,,`);
    const idp = auditToCsv([{ ...e, actor: 'oidc:c-42', actorName: '=Carol, Doe' }]).trimEnd().split('\r\n')[1]!;
    expect(idp.startsWith('a1,2026-01-01T00:00:00.000Z,2026-01-01T00:00:01.000Z,oidc:c-42,operator,')).toBe(true);
    expect(idp.endsWith(`,"'=Carol, Doe",,,,,`)).toBe(true);
    const approved = auditToCsv([{ ...e, approval: { requestId: 'ap-1', kind: 'broad', requestedBy: 'bob', requestedAt: e.at, decision: 'approved', approvedBy: 'alice', decidedAt: e.at, breakGlass: true } }]);
    expect(approved.trimEnd().split('\r\n')[1]!.endsWith(',ap-1,bob,alice,approved,true')).toBe(true);
  });
});
