import { pathOf, routes } from '@quell/contracts/routes';
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import { MeResponse } from '@quell/contracts/auth';
import { InstanceListResponse } from '@quell/contracts/instances';
import { KillPreview, KillResult } from '@quell/contracts/kill';
import { LocksResponse, type LockSession } from '@quell/contracts/locks';
import { handle, handleError, handleSessionList, stubHttp } from '@/testing/http';
import { instance, killResult, me, preview, session } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

const LOCKS = pathOf(routes.locks, { instanceId: 'prod-orders' });
const trx = (sessionId: number, rowsModified: number, ageSeconds: number) => ({ sessionId, trxId: String(sessionId * 10), state: 'RUNNING', ageSeconds, rowsLocked: rowsModified, rowsModified, tablesLocked: 1, sql: '' });
const root: LockSession = {
  id: 4106539,
  user: 'app_rw',
  host: '10.0.0.8:51234',
  command: 'Sleep',
  time: 360,
  waitsFor: [],
  blockingDirect: 2,
  blockingTotal: 3,
  root: true,
  inCycle: false,
  transaction: trx(4106539, 1204, 370),
};
const graph = (): LocksResponse => ({
  instanceId: 'prod-orders',
  sessions: [
    root,
    { id: 4106610, user: 'app_rw', sql: 'UPDATE orders SET status = 1', waitsFor: [{ blockerId: root.id, kind: 'row', table: 'orders_db.orders', index: 'PRIMARY', mode: 'X', waitSeconds: 340, queued: false }], blockingDirect: 1, blockingTotal: 1, root: false, inCycle: false, transaction: null },
    { id: 4106702, user: 'batch', sql: 'UPDATE orders SET status = 2', waitsFor: [{ blockerId: 4106610, kind: 'row', table: 'orders_db.orders', index: 'PRIMARY', mode: 'X', waitSeconds: 130, queued: true }], blockingDirect: 0, blockingTotal: 0, root: false, inCycle: false, transaction: null },
    { id: 4106650, user: 'report', sql: 'ALTER TABLE orders ADD x INT', waitsFor: [{ blockerId: root.id, kind: 'metadata', table: 'orders_db.orders', index: null, mode: 'MDL_EXCLUSIVE', waitSeconds: 180, queued: false }], blockingDirect: 0, blockingTotal: 0, root: false, inCycle: false, transaction: null },
  ],
  roots: [root.id],
  transactions: [trx(root.id, 1204, 370)],
  fetchedAt: new Date().toISOString(),
});

function base() {
  return [
    handle('GET', pathOf(routes.me), MeResponse, () => me()),
    handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({ instances: [instance()] })),
  ];
}

describe('Blockers view', () => {
  it('shows each chain as a tree with lock type, table and wait time, and says an idle root sits in a transaction', async () => {
    stubHttp(...base(), handle('GET', LOCKS, LocksResponse, graph));
    renderApp('/instances/prod-orders/blockers');
    const tree = await screen.findByRole('tree', { name: `Chain of session ${root.id}` });
    const top = within(tree).getByRole('treeitem', { name: `Session ${root.id}` });
    expect(top.getAttribute('aria-level')).toBe('1');
    expect(top.textContent).toContain('blocks 3');
    expect(top.textContent).toContain('1,204 rows modified');
    expect(top.textContent).toMatch(/Idle for 6m( 00s)? inside a transaction/);
    const middle = within(tree).getByRole('treeitem', { name: 'Session 4106610' });
    expect(middle.getAttribute('aria-level')).toBe('2');
    expect(middle.textContent).toMatch(/waits 5m 40s.*row lock.*orders_db\.orders \(PRIMARY\)/);
    const tail = within(middle).getByRole('treeitem', { name: 'Session 4106702' });
    expect(tail.getAttribute('aria-level')).toBe('3');
    expect(tail.textContent).toContain('queued behind 4106610');
    expect(within(tree).getByRole('treeitem', { name: 'Session 4106650' }).textContent).toMatch(/waits 3m.*metadata lock/);
    expect(screen.getByRole('table', { name: 'Open transactions' }).textContent).toContain('1,204');
  });

  it('"Kill root…" previews that one session of its user, shows the rollback warning, and commits with a reason', async () => {
    const http = stubHttp(
      ...base(),
      handle('GET', LOCKS, LocksResponse, graph),
      handle('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }), KillPreview, () => preview({ targets: [session(root.id, { user: 'app_rw' })], rollbackRisks: [{ sessionId: root.id, rowsModified: 1204, trxAgeSeconds: 370 }] }), 201),
      handle('POST', pathOf(routes.commitPreview, { previewId: 'pv-1' }), KillResult, () => killResult({ outcomes: [{ sessionId: root.id, outcome: 'killed' }], summary: { killed: 1 } })),
    );
    const { user } = renderApp('/instances/prod-orders/blockers');
    await user.click(await screen.findByRole('button', { name: 'Kill root…' }));
    const dialog = await screen.findByRole('dialog');
    expect(await within(dialog).findByRole('alert', { name: 'Rollback warning' })).toBeTruthy();
    expect(within(dialog).getByRole('alert', { name: 'Rollback warning' }).textContent).toContain('1,204 rows modified, transaction open 6 min');
    expect(http.calls('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }))[0]?.body).toEqual({ user: 'app_rw', sessionIds: [root.id] });
    await user.type(within(dialog).getByLabelText('Reason'), 'INC-1 root blocker');
    await user.click(within(dialog).getByRole('button', { name: 'Kill 1 session' }));
    await waitFor(() => expect(http.calls('POST', pathOf(routes.commitPreview, { previewId: 'pv-1' }))[0]?.body).toEqual({ reason: 'INC-1 root blocker' }));
    expect(await within(dialog).findByText(/1 killed/)).toBeTruthy();
  });

  it('points out a root that was not one before (the next waiter got the lock)', async () => {
    let answer = graph();
    stubHttp(...base(), handle('GET', LOCKS, LocksResponse, () => answer));
    const { user } = renderApp('/instances/prod-orders/blockers');
    await screen.findByRole('tree', { name: `Chain of session ${root.id}` });
    expect(screen.queryByText('new root')).toBeNull();
    const next = graph();
    const promoted = { ...next.sessions[1]!, waitsFor: [], root: true };
    answer = { ...next, sessions: [promoted, next.sessions[2]!], roots: [promoted.id] };
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    const tree = await screen.findByRole('tree', { name: `Chain of session ${promoted.id}` });
    expect(within(tree).getByText('new root')).toBeTruthy();
    expect(screen.queryByRole('tree', { name: `Chain of session ${root.id}` })).toBeNull();
  });

  it('without lock data says so with the DAS error, and still lets the operator kill by filter', async () => {
    const http = stubHttp(
      ...base(),
      handleError('GET', LOCKS, 'UPSTREAM_ERROR', 'DAS metadata-lock listing failed', { upstream: { httpStatus: 500, errorCode: 'DAS.200001', errorMsg: 'internal error' } }),
      handle('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }), KillPreview, () => preview(), 201),
    );
    const { user } = renderApp('/instances/prod-orders/blockers');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Lock data unavailable');
    expect(alert.textContent).toContain('DAS.200001');
    const form = screen.getByRole('form', { name: 'Kill by filter' });
    await user.type(within(form).getByLabelText('User'), 'app_rw');
    await user.click(within(form).getByRole('button', { name: 'Preview kill…' }));
    await screen.findByRole('dialog');
    expect(http.calls('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }))[0]?.body).toEqual({ user: 'app_rw' });
  });

  it('fills the sessions table’s Blocked by and Blocking columns, and the root-blockers chip filters to the roots', async () => {
    const sessions = [session(root.id, { command: 'Sleep', time: 360 }), session(4106610, { time: 340 }), session(99, { time: 1 })];
    stubHttp(
      ...base(),
      handle('GET', LOCKS, LocksResponse, graph),
      handleSessionList(pathOf(routes.sessionColumns, { instanceId: 'prod-orders' }), () => ({ instanceId: 'prod-orders', sessions, count: sessions.length, fetchedAt: new Date().toISOString() })),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    const link = await screen.findByRole('link', { name: `Blocked by session ${root.id}` });
    expect(link.getAttribute('href')).toBe(`/instances/prod-orders/blockers?session=${root.id}`);
    const rootRow = screen.getByRole('checkbox', { name: `Select session ${root.id}` }).closest('tr')!;
    expect(rootRow.lastElementChild?.textContent).toBe('3');
    const chip = screen.getByRole('button', { name: '1 root blocker' });
    await user.click(chip);
    expect(chip.getAttribute('aria-pressed')).toBe('true');
    await waitFor(() => expect(screen.getAllByRole('checkbox', { name: /^Select session / })).toHaveLength(1));
    expect(screen.getByRole('checkbox', { name: `Select session ${root.id}` })).toBeTruthy();
  });
});
