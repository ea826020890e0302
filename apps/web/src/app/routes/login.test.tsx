import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import { MeResponse } from '@quell/contracts/auth';
import { InstanceListResponse } from '@quell/contracts/instances';
import { handle, handleError, stubHttp } from '@/testing/http';
import { instance, me } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';
import { safeNext } from './login';
import { pathOf, routes } from '@quell/contracts/routes';

describe('login', () => {
  it('signs in, shows who and which role, and signs out', async () => {
    let signedIn = false;
    const http = stubHttp(
      { method: 'GET', path: pathOf(routes.me), respond: () => (signedIn ? Response.json(me()) : Response.json({ error: { code: 'UNAUTHENTICATED', message: 'x', requestId: 'r' } }, { status: 401 })) },
      handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({ instances: [instance(), instance({ id: 'stg', name: 'staging-orders', environment: 'staging' })] })),
      handle('POST', pathOf(routes.login), MeResponse, () => {
        signedIn = true;
        return me({ role: 'admin' });
      }),
      { method: 'POST', path: pathOf(routes.logout), respond: () => new Response(null, { status: 204 }) },
    );
    const { user, router } = renderApp('/');
    await user.type(await screen.findByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'secret');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(http.calls('POST', pathOf(routes.login))[0]?.body).toEqual({ username: 'alice', password: 'secret' });
    expect((await screen.findByTestId('who-am-i')).textContent).toBe('alice (admin)');
    expect(screen.getByRole('link', { name: 'Admin' })).toBeTruthy();
    expect((await screen.findAllByRole('link', { name: /prod-orders.*PROD/ })).length).toBeGreaterThan(0);

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByLabelText('Username');
    expect(router.state.location.pathname).toBe('/login');
    expect(http.calls('POST', pathOf(routes.logout))[0]?.headers.get('X-CSRF-Token')).toBe('csrf-123');
  });

  it('says plainly when the password is wrong', async () => {
    stubHttp(handleError('GET', pathOf(routes.me), 'UNAUTHENTICATED'), handleError('POST', pathOf(routes.login), 'UNAUTHENTICATED', 'invalid username or password'));
    const { user } = renderApp('/login');
    await user.type(await screen.findByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Wrong username or password');
  });

  it('only returns to same-site paths', () => {
    expect(safeNext('/instances/a/sessions?user=x')).toBe('/instances/a/sessions?user=x');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext('/login?next=/x')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});
