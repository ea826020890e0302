import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import { MeResponse } from '@quell/contracts/auth';
import { InstanceListResponse } from '@quell/contracts/instances';
import { KillPreview } from '@quell/contracts/kill';
import { handle, handleSessionList, stubHttp } from '@/testing/http';
import { instance, me, preview, session } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';
import { pathOf, routes } from '@quell/contracts/routes';

const SESSIONS = pathOf(routes.sessionColumns, { instanceId: 'prod-orders' });

function stubs() {
  return stubHttp(
    handle('GET', pathOf(routes.me), MeResponse, () => me()),
    handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({ instances: [instance()] })),
    handleSessionList(SESSIONS, () => ({ instanceId: 'prod-orders', sessions: [session(1), session(2)], count: 2, fetchedAt: new Date().toISOString() })),
    handle('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }), KillPreview, () => preview()),
  );
}

describe('keyboard shortcuts', () => {
  it('/ focuses the filter, r refreshes, x toggles the focused row, k opens the preview, ? lists shortcuts', async () => {
    const http = stubs();
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    const box = await screen.findByRole('checkbox', { name: 'Select session 2' });

    await user.keyboard('/');
    expect(document.activeElement).toBe(screen.getByLabelText('User'));
    screen.getByLabelText('User').blur();
    await user.keyboard('t');
    expect(document.activeElement).toBe(screen.getAllByRole('checkbox', { name: /^Select session / })[0]);

    box.focus();
    const before = http.calls('GET', SESSIONS).length;
    await user.keyboard('r');
    await waitFor(() => expect(http.calls('GET', SESSIONS).length).toBe(before + 1));

    await user.keyboard('x');
    expect(screen.getByRole('button', { name: 'Kill 1 session…' })).toBeTruthy();

    await user.keyboard('k');
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByLabelText('Reason');
    expect(http.calls('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }))[0]?.body).toEqual({ user: 'app_rw', sessionIds: [2] });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    await user.keyboard('?');
    expect(await screen.findByRole('dialog', { name: 'Keyboard shortcuts' })).toBeTruthy();
  });

  it('does not fire while typing in a field', async () => {
    stubs();
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await screen.findByRole('checkbox', { name: 'Select session 2' });
    await user.type(screen.getByLabelText('SQL contains'), 'k?x');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect((screen.getByLabelText('SQL contains') as HTMLInputElement).value).toBe('k?x');
  });
});
