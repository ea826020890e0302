import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import { pathOf, routes } from '@quell/contracts/routes';
import { handle, handleError, stubHttp } from '@/testing/http';
import { instance } from '@/testing/fixtures';
import { renderWithProviders } from '@/testing/test-utils';
import { setCsrfToken } from '@/lib/api-client';
import { DbUsersPanel } from './db-users-panel';

const ID = '6f1c2a9e-0000-4000-8000-000000000001';
const instanceId = 'prod-orders';
const DB_USERS = pathOf(routes.dbUsers, { instanceId });

describe('DbUsersPanel', () => {
  it('lists, registers and removes (after a confirmation) the DAS db users', async () => {
    setCsrfToken('tok');
    let users = [{ dbUserId: ID, dbUsername: 'quell_das', inUse: false }];
    const http = stubHttp(
      handle('GET', DB_USERS, routes.dbUsers.response, () => ({ dbUsers: users, total: users.length })),
      handle('POST', pathOf(routes.registerDbUser, { instanceId }), routes.registerDbUser.response, (req) => {
        const body = req.body as { dbUsername: string };
        const added = { dbUserId: 'new-id', dbUsername: body.dbUsername };
        users = [...users, { ...added, inUse: false }];
        return added;
      }, 201),
      { method: 'DELETE', path: pathOf(routes.dbUser, { instanceId, dbUserId: ID }), respond: () => { users = users.filter((u) => u.dbUserId !== ID); return new Response(null, { status: 204 }); } },
    );
    const { user } = renderWithProviders(<DbUsersPanel instance={instance()} />);
    const table = await screen.findByRole('table', { name: 'Database users' });
    expect(within(table).getByText('quell_das')).toBeTruthy();

    await user.type(screen.getByLabelText('Database username'), 'ops_kill');
    await user.type(screen.getByLabelText('Database password'), 's3cret');
    await user.click(screen.getByRole('button', { name: 'Register' }));
    expect(await screen.findByText('ops_kill')).toBeTruthy();
    const post = http.calls('POST', DB_USERS)[0];
    expect(post?.body).toEqual({ dbUsername: 'ops_kill', dbUserPassword: 's3cret' });
    expect(post?.headers.get('X-CSRF-Token')).toBe('tok');
    expect((screen.getByLabelText('Database password') as HTMLInputElement).value).toBe('');

    await user.click(screen.getByRole('button', { name: 'Remove quell_das' }));
    expect(http.calls('DELETE', /db-users\//)).toHaveLength(0);
    const confirm = screen.getByRole('button', { name: 'Confirm removing quell_das' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    expect(screen.getByText(/stops working until it is registered again/)).toBeTruthy();
    await user.type(screen.getByLabelText('Type the instance name to remove quell_das'), 'prod-order');
    expect(confirm.disabled).toBe(true);
    await user.type(screen.getByLabelText('Type the instance name to remove quell_das'), 's');
    expect(confirm.disabled).toBe(false);
    await user.click(confirm);
    await waitFor(() => expect(screen.queryByText('quell_das')).toBeNull());
    expect(http.calls('DELETE', /db-users\//)).toHaveLength(1);
  });

  it('marks the account the inventory uses and offers no Remove for it', async () => {
    const OTHER = '6f1c2a9e-0000-4000-8000-000000000002';
    stubHttp(
      handle('GET', DB_USERS, routes.dbUsers.response, () => ({
        dbUsers: [
          { dbUserId: ID, dbUsername: 'quell_das', inUse: true },
          { dbUserId: OTHER, dbUsername: 'ops_kill', inUse: false },
        ],
        total: 2,
      })),
    );
    renderWithProviders(<DbUsersPanel instance={instance()} />);
    const table = await screen.findByRole('table', { name: 'Database users' });
    const inUseRow = within(table).getByText('quell_das').closest('tr')!;
    expect(within(inUseRow).getByText('In use by this instance')).toBeTruthy();
    expect(within(inUseRow).queryByRole('button')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Remove quell_das' })).toBeNull();
    const otherRow = within(table).getByText('ops_kill').closest('tr')!;
    expect(within(otherRow).queryByText('In use by this instance')).toBeNull();
    expect(within(otherRow).getByRole('button', { name: 'Remove ops_kill' })).toBeTruthy();
  });

  it('says plainly when the server still refuses (the inventory changed since the list)', async () => {
    setCsrfToken('tok');
    stubHttp(
      handle('GET', pathOf(routes.dbUsers, { instanceId: 'prod-orders' }), routes.dbUsers.response, () => ({ dbUsers: [{ dbUserId: ID, dbUsername: 'quell_das', inUse: false }], total: 1 })),
      handleError('DELETE', pathOf(routes.dbUser, { instanceId: 'prod-orders', dbUserId: ID }), 'CONFLICT', 'this db user is the one Quell uses for the instance'),
    );
    const { user } = renderWithProviders(<DbUsersPanel instance={instance()} />);
    await user.click(await screen.findByRole('button', { name: 'Remove quell_das' }));
    await user.type(screen.getByLabelText('Type the instance name to remove quell_das'), 'prod-orders');
    await user.click(screen.getByRole('button', { name: 'Confirm removing quell_das' }));
    expect((await screen.findByRole('alert')).textContent).toContain("It is the account Quell's inventory uses for prod-orders, so it stays");
  });

  it('shows what went wrong when listing fails', async () => {
    stubHttp(handleError('GET', DB_USERS, 'UPSTREAM_TIMEOUT', 'DAS did not answer'));
    renderWithProviders(<DbUsersPanel instance={instance()} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('did not answer in time');
    expect(alert.textContent).toContain('req-upstream_timeout');
  });
});
