import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import { ApprovalListResponse, ApprovalRequest, type ApprovalRequest as ApprovalRequestT } from '@quell/contracts/approvals';
import { MeResponse } from '@quell/contracts/auth';
import { InstanceListResponse } from '@quell/contracts/instances';
import { KillResult } from '@quell/contracts/kill';
import { pathOf, routes } from '@quell/contracts/routes';
import { handle, handleError, handleSessionList, stubHttp } from '@/testing/http';
import { instance, killResult, me, session } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

const ID = '0f6b1d2e-3c4a-4b5d-8e6f-7a8b9c0d1e2f';
const request = (over: Partial<ApprovalRequestT> = {}): ApprovalRequestT => ({
  id: ID,
  instanceId: 'prod-orders',
  instanceName: 'prod-orders',
  environment: 'prod',
  kind: 'broad',
  status: 'pending',
  reason: 'INC-7 connection storm',
  requestedBy: 'bob',
  requestedByName: null,
  requestedAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 9 * 60_000).toISOString(),
  filter: { user: 'app_rw' },
  targets: [session(101), session(102)],
  excluded: [],
  blastRadiusCap: 20,
  decidedBy: null,
  decidedAt: null,
  comment: null,
  breakGlass: false,
  auditId: null,
  ...over,
});

function base(who: { username?: string; role?: 'viewer' | 'operator' | 'admin' }, shown: ApprovalRequestT) {
  return [
    handle('GET', pathOf(routes.me), MeResponse, () => me(who)),
    handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({ instances: [instance({ requireApproval: true })] })),
    handle('GET', pathOf(routes.approvals), ApprovalListResponse, () => ({ approvals: shown.status === 'pending' ? [shown] : [] })),
    handle('GET', pathOf(routes.approval, { approvalId: ID }), ApprovalRequest, () => shown),
  ];
}

describe('approvals', () => {
  it('another operator sees the badge, reviews the frozen sessions, approves with a comment, and sees what died', async () => {
    const http = stubHttp(
      ...base({}, request()),
      handle('POST', pathOf(routes.approve, { approvalId: ID }), KillResult, () => killResult({ outcomes: [101, 102].map((sessionId) => ({ sessionId, outcome: 'killed' as const })), summary: { killed: 2 } })),
    );
    const { user } = renderApp('/approvals');
    expect(await screen.findByRole('link', { name: 'Approvals 1 pending' })).toBeTruthy();
    await user.click(await screen.findByRole('link', { name: /Broad kill of user app_rw — 2 sessions/ }));
    const frozen = await screen.findByTestId('frozen-targets');
    // one row group a frozen session (its facts, and its statement under them), after the header
    expect(within(frozen).getAllByRole('rowgroup').slice(1).map((g) => within(g).getAllByRole('cell')[0]?.textContent)).toEqual(['101', '102']);
    expect(screen.getByTestId('approval-reason').textContent).toBe('INC-7 connection storm');
    expect(screen.getByTestId('approval-status').textContent).toMatch(/Waiting for a second engineer · expires in (9:00|8:5\d)/);
    await user.type(screen.getByLabelText('Comment'), 'checked, go');
    await user.click(screen.getByRole('button', { name: 'Approve and kill 2 sessions' }));
    expect((await screen.findByTestId('kill-summary')).textContent).toContain('2 killed');
    const [call] = http.calls('POST', pathOf(routes.approve, { approvalId: ID }));
    expect(call?.body).toEqual({ comment: 'checked, go', breakGlass: false });
    expect(call?.headers.get('Idempotency-Key')).toMatch(/^[\x21-\x7e]{8,}$/);
  });

  it('the requester (an operator) is never offered the approval, and may withdraw the request with a reason', async () => {
    const http = stubHttp(
      ...base({ username: 'bob' }, request()),
      handle('POST', pathOf(routes.deny, { approvalId: ID }), ApprovalRequest, () => request({ status: 'denied', decidedBy: 'bob', decidedAt: new Date().toISOString(), comment: 'not needed' })),
    );
    const { user } = renderApp(`/approvals/${ID}`);
    expect((await screen.findByTestId('own-request')).textContent).toContain('another operator or admin must approve it');
    expect(screen.queryByRole('button', { name: /approve/i })).toBeNull();
    const withdraw = screen.getByRole('button', { name: 'Withdraw (deny)' }) as HTMLButtonElement;
    expect(withdraw.disabled).toBe(true);
    await user.type(screen.getByLabelText('Comment'), 'not needed');
    await user.click(withdraw);
    await waitFor(() => expect(http.calls('POST', pathOf(routes.deny, { approvalId: ID }))).toHaveLength(1));
    expect(http.calls('POST', pathOf(routes.deny, { approvalId: ID }))[0]?.body).toEqual({ comment: 'not needed' });
  });

  it('an admin approves their own request only as break-glass, with a reason', async () => {
    const http = stubHttp(...base({ username: 'bob', role: 'admin' }, request()), handle('POST', pathOf(routes.approve, { approvalId: ID }), KillResult, () => killResult()));
    const { user } = renderApp(`/approvals/${ID}`);
    const glass = (await screen.findByRole('button', { name: 'Break-glass: approve my own request and kill 2 sessions' })) as HTMLButtonElement;
    expect(glass.disabled).toBe(true);
    await user.type(screen.getByLabelText('Comment (a break-glass approval needs a reason)'), 'site down, nobody else');
    await user.click(glass);
    await waitFor(() => expect(http.calls('POST', pathOf(routes.approve, { approvalId: ID }))).toHaveLength(1));
    expect(http.calls('POST', pathOf(routes.approve, { approvalId: ID }))[0]?.body).toEqual({ comment: 'site down, nobody else', breakGlass: true });
  });

  it('an expired request says nothing was killed and offers no decision', async () => {
    stubHttp(...base({}, request({ status: 'expired', decidedAt: new Date().toISOString() })));
    renderApp(`/approvals/${ID}`);
    expect((await screen.findByTestId('approval-status')).textContent).toMatch(/^Expired at .*: nothing was killed$/);
    expect(screen.queryByRole('button', { name: /approve|deny/i })).toBeNull();
    expect(screen.getByRole('link', { name: 'Approvals' })).toBeTruthy();
  });

  it('a broad kill the BFF holds back shows "Approval requested" with a link, not an error', async () => {
    stubHttp(
      ...base({ role: 'admin' }, request()),
      handleSessionList(pathOf(routes.sessionColumns, { instanceId: 'prod-orders' }), () => ({ instanceId: 'prod-orders', sessions: [session(101)], count: 1, fetchedAt: new Date().toISOString() })),
      handleError('POST', pathOf(routes.broadKills, { instanceId: 'prod-orders' }), 'APPROVAL_REQUIRED', 'waiting for a second engineer', { approvalId: ID, expiresAt: new Date(Date.now() + 600_000).toISOString() }),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await screen.findByRole('checkbox', { name: 'Select session 101' });
    await user.click(screen.getByRole('button', { name: 'Broad kill (admin)…' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/Two-person rule:/)).toBeTruthy();
    await user.type(within(dialog).getByLabelText('Reason'), 'INC-9 connection storm');
    await user.type(within(dialog).getByLabelText('Type the instance name to confirm'), 'prod-orders');
    await user.click(within(dialog).getByRole('button', { name: 'Kill every matching session, unverified' }));
    expect((await within(dialog).findByTestId('approval-requested')).textContent).toContain('Approval requested — waiting for a second engineer');
    expect(within(dialog).queryByRole('alert')).toBeNull();
    expect(within(dialog).getByRole('link', { name: 'Open the approval request' }).getAttribute('href')).toBe(`/approvals/${ID}`);
  });
});
