import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import { MeResponse } from '@quell/contracts/auth';
import { AuditListResponse, type AuditEntry } from '@quell/contracts/audit';
import { InstanceListResponse } from '@quell/contracts/instances';
import { handle, stubHttp } from '@/testing/http';
import { instance, me } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';
import { pathOf, routes } from '@quell/contracts/routes';

const entry = (i: number): AuditEntry => ({
  id: `a-${i}`,
  at: '2026-11-28T20:00:00.000Z',
  finishedAt: '2026-11-28T20:00:01.000Z',
  actor: 'alice',
  role: 'operator',
  instanceId: 'prod-orders',
  mode: 'preview',
  target: { user: 'app_rw', sessionIds: [1, 2] },
  reason: `INC-${i}`,
  status: 'completed',
  excluded: [],
  outcomes: [{ sessionId: 1, outcome: 'killed' }, { sessionId: 2, outcome: 'killed' }],
  dasRequestIds: ['d'],
  idempotencyKey: null,
});

describe('audit page', () => {
  it('filters through the URL, pages, and exports the same filters as CSV', async () => {
    const http = stubHttp(
      handle('GET', pathOf(routes.me), MeResponse, () => me()),
      handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({ instances: [instance()] })),
      handle('GET', pathOf(routes.audit), AuditListResponse, (req) => {
        const offset = Number(req.url.searchParams.get('offset'));
        return { entries: [entry(offset + 1)], total: 120 };
      }),
    );
    const { user, router } = renderApp('/audit?instance=prod-orders&outcome=killed');
    expect(await screen.findByText('INC-1')).toBeTruthy();
    const first = http.calls('GET', pathOf(routes.audit))[0];
    expect(first?.url.searchParams.get('instanceId')).toBe('prod-orders');
    expect(first?.url.searchParams.get('outcome')).toBe('killed');
    expect(screen.getByText('2 killed')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe(`${pathOf(routes.auditCsv)}?instanceId=prod-orders&outcome=killed`);

    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('INC-51')).toBeTruthy();
    expect(router.state.location.search).toContain('page=2');

    await user.type(screen.getByLabelText('Operator'), 'bob');
    await user.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(http.calls('GET', pathOf(routes.audit)).some((r) => r.url.searchParams.get('actor') === 'bob' && r.url.searchParams.get('offset') === '0')).toBe(true));
    expect(router.state.location.search).not.toContain('page=');
  });
});
