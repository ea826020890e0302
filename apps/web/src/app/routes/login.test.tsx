import { describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor } from '@testing-library/react';
import { AuthProvidersResponse, MeResponse, SignOutResponse } from '@quell/contracts/auth';
import { InstanceListResponse } from '@quell/contracts/instances';
import { handle, handleError, handleSessionList, stubHttp } from '@/testing/http';
import { instance, me, session } from '@/testing/fixtures';
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

  it('after sign-in, focus lands on the first field of the page it returns to', async () => {
    let signedIn = false;
    stubHttp(
      { method: 'GET', path: pathOf(routes.me), respond: () => (signedIn ? Response.json(me()) : Response.json({ error: { code: 'UNAUTHENTICATED', message: 'x', requestId: 'r' } }, { status: 401 })) },
      handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({ instances: [instance()] })),
      handleSessionList(pathOf(routes.sessionColumns, { instanceId: 'prod-orders' }), () => ({ instanceId: 'prod-orders', sessions: [session(7)], count: 1, fetchedAt: new Date().toISOString() })),
      handle('POST', pathOf(routes.login), MeResponse, () => {
        signedIn = true;
        return me();
      }),
    );
    const { user } = renderApp(`/login?next=${encodeURIComponent('/instances/prod-orders/sessions?user=app_rw')}`);
    await user.type(await screen.findByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'secret');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('checkbox', { name: 'Select session 7' });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('User')));
  });

  it('offers the identity provider first, local accounts second', async () => {
    stubHttp(
      handleError('GET', pathOf(routes.me), 'UNAUTHENTICATED'),
      handle('GET', pathOf(routes.authProviders), AuthProvidersResponse, () => ({ oidc: { displayName: 'Acme SSO', loginPath: routes.oidcLogin.path }, local: 'admin-only' as const })),
    );
    renderApp('/login');
    const idp = await screen.findByRole('link', { name: 'Sign in with Acme SSO' });
    expect(idp.getAttribute('href')).toBe(routes.oidcLogin.path);
    const password = screen.getByLabelText('Password');
    // The IdP button comes before the local form in the page.
    expect(idp.compareDocumentPosition(password) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.getByText(/break-glass/)).toBeTruthy();
  });

  it('hides the local form when break-glass is off, and says why a sign-in was refused', async () => {
    stubHttp(
      handleError('GET', pathOf(routes.me), 'UNAUTHENTICATED'),
      handle('GET', pathOf(routes.authProviders), AuthProvidersResponse, () => ({ oidc: { displayName: 'Acme SSO', loginPath: routes.oidcLogin.path }, local: 'off' as const })),
    );
    renderApp('/login?signin=no-role');
    await screen.findByRole('link', { name: 'Sign in with Acme SSO' });
    expect(screen.queryByLabelText('Password')).toBeNull();
    expect((await screen.findByRole('alert')).textContent).toContain('none of the groups');
  });

  it('signing out of an identity-provider session ends it at the IdP too', async () => {
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    const http = stubHttp(
      handle('GET', pathOf(routes.me), MeResponse, () => me({ username: 'oidc:olga', role: 'operator', displayName: 'Olga Oncall' })),
      handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({ instances: [instance()] })),
      handle('POST', pathOf(routes.signOut), SignOutResponse, () => ({ logoutUrl: 'https://sso.example.com/logout?client_id=quell' })),
    );
    const { user } = renderApp('/');
    expect((await screen.findByTestId('who-am-i')).textContent).toBe('Olga Oncall (operator)');
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith('https://sso.example.com/logout?client_id=quell'));
    expect(http.calls('POST', pathOf(routes.signOut))[0]?.headers.get('X-CSRF-Token')).toBe('csrf-123');
    vi.unstubAllGlobals();
  });

  it('only returns to same-site paths', () => {
    expect(safeNext('/instances/a/sessions?user=x')).toBe('/instances/a/sessions?user=x');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext('/login?next=/x')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});

describe('login throttling', () => {
  const signIn = async (user: ReturnType<typeof renderApp>['user']) => {
    await user.type(await screen.findByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
  };

  it('after a wrong password, says how many attempts are left before a wait', async () => {
    stubHttp(handleError('GET', pathOf(routes.me), 'UNAUTHENTICATED'), handleError('POST', pathOf(routes.login), 'UNAUTHENTICATED', 'invalid username or password', { attemptsLeft: 3 }));
    const { user } = renderApp('/login');
    await signIn(user);
    expect((await screen.findByRole('alert')).textContent).toContain('Wrong username or password. 3 attempts left before Quell makes you wait.');
  });

  it('the wrong password that starts the wait says how long it is', async () => {
    stubHttp(handleError('GET', pathOf(routes.me), 'UNAUTHENTICATED'), handleError('POST', pathOf(routes.login), 'UNAUTHENTICATED', 'invalid username or password', { attemptsLeft: 0, retryAfterSeconds: 900 }));
    const { user } = renderApp('/login');
    await signIn(user);
    expect((await screen.findByRole('alert')).textContent).toContain('Too many failed sign-ins: wait 15 min, then try again.');
  });

  it('a throttled sign-in gives the real wait and counts it down', async () => {
    // only the clock and the countdown's interval are fake: fetch, React Query and typing run as usual
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    try {
      stubHttp(handleError('GET', pathOf(routes.me), 'UNAUTHENTICATED'), handleError('POST', pathOf(routes.login), 'RATE_LIMITED', 'too many failed logins from here: try again later', { retryAfterSeconds: 890, attemptsLeft: 0 }));
      const { user } = renderApp('/login');
      await signIn(user);
      const alert = await screen.findByRole('alert');
      expect(alert.textContent).toContain('Too many failed sign-ins: wait 14 min 50 s, then try again.');
      expect(alert.textContent).not.toContain('a few seconds');
      expect(screen.getByTestId('sign-in-wait').textContent).toBe('Time left: 14 min 50 s.');
      act(() => vi.advanceTimersByTime(65_000));
      expect(screen.getByTestId('sign-in-wait').textContent).toBe('Time left: 13 min 45 s.');
      act(() => vi.advanceTimersByTime(825_000));
      expect(screen.getByTestId('sign-in-wait').textContent).toBe('The wait is over: you can try again now.');
    } finally {
      vi.useRealTimers();
    }
  });
});
