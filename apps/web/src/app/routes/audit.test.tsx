import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
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

  it('shows why an attempt failed, with its code and message', async () => {
    const failed: AuditEntry = { ...entry(9), status: 'failed', outcomes: [], dasRequestIds: [], error: { code: 'PREVIEW_EXPIRED', message: 'the preview expired at 20:05:00' } };
    stubHttp(
      handle('GET', pathOf(routes.me), MeResponse, () => me()),
      handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({ instances: [instance()] })),
      handle('GET', pathOf(routes.audit), AuditListResponse, () => ({ entries: [failed], total: 1 })),
    );
    renderApp('/audit');
    const row = (await screen.findByText('INC-9')).closest('tr') as HTMLElement;
    const cells = within(row).getAllByRole('cell');
    expect(cells[6]?.textContent).toBe('failedPREVIEW_EXPIRED: the preview expired at 20:05:00');
    expect(cells[7]?.textContent).toMatch(/^nothing killed/);
  });

  it('a throttle row names its rule and links the kill it came from; the link shows that one entry, with a way back to all', async () => {
    const kill = entry(1);
    const throttled: AuditEntry = {
      ...entry(2),
      mode: 'throttle-create',
      target: { throttle: { throttleId: 't-1', sqlType: 'SELECT', pattern: 'SELECT~FROM~orders', maxConcurrency: 0, expiresAt: '2026-11-28T20:15:00.000Z', ruleId: '7', killAuditId: kill.id } },
      outcomes: [],
    };
    const http = stubHttp(
      handle('GET', pathOf(routes.me), MeResponse, () => me()),
      handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({ instances: [instance()] })),
      handle('GET', pathOf(routes.audit), AuditListResponse, (req) => (req.url.searchParams.get('id') === kill.id ? { entries: [kill], total: 1 } : { entries: [throttled, kill], total: 2 })),
    );
    const { user, router } = renderApp('/audit');
    const row = (await screen.findByText('INC-2')).closest('tr') as HTMLElement;
    expect(within(row).getByText('SELECT~FROM~orders')).toBeTruthy();
    expect(row.textContent).toContain('all refused');
    await user.click(within(row).getByRole('link', { name: 'after kill a-1' }));
    expect(await screen.findByText(/Showing the entry/)).toBeTruthy();
    expect(router.state.location.search).toBe('?id=a-1');
    await waitFor(() => expect(screen.queryByText('INC-2')).toBeNull());
    expect(screen.getByText('INC-1')).toBeTruthy();
    expect(http.calls('GET', pathOf(routes.audit)).at(-1)?.url.searchParams.get('id')).toBe('a-1');
    await user.click(screen.getByRole('button', { name: 'Show every entry' }));
    expect(await screen.findByText('INC-2')).toBeTruthy();
    expect(router.state.location.search).toBe('');
  });
});
