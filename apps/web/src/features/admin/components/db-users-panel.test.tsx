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
    let users = [{ dbUserId: ID, dbUsername: 'quell_das' }];
    const http = stubHttp(
      handle('GET', DB_USERS, routes.dbUsers.response, () => ({ dbUsers: users, total: users.length })),
      handle('POST', pathOf(routes.registerDbUser, { instanceId }), routes.registerDbUser.response, (req) => {
        const body = req.body as { dbUsername: string };
        const added = { dbUserId: 'new-id', dbUsername: body.dbUsername };
        users = [...users, added];
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
    await user.click(screen.getByRole('button', { name: 'Confirm removing quell_das' }));
    await waitFor(() => expect(screen.queryByText('quell_das')).toBeNull());
    expect(http.calls('DELETE', /db-users\//)).toHaveLength(1);
  });

  it('shows what went wrong when listing fails', async () => {
    stubHttp(handleError('GET', DB_USERS, 'UPSTREAM_TIMEOUT', 'DAS did not answer'));
    renderWithProviders(<DbUsersPanel instance={instance()} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('did not answer in time');
    expect(alert.textContent).toContain('req-upstream_timeout');
  });
});
