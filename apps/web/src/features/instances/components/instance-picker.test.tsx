import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import { InstanceListResponse } from '@quell/contracts/instances';
import { handle, stubHttp } from '@/testing/http';
import { MeResponse } from '@quell/contracts/auth';
import { instance, me } from '@/testing/fixtures';
import { renderApp, renderWithProviders } from '@/testing/test-utils';
import { rememberInstance, resetRecentInstancesCache } from '../hooks/use-recent-instances';
import { InstancePicker } from './instance-picker';
import { pathOf, routes } from '@quell/contracts/routes';

describe('InstancePicker', () => {
  it('searches, badges environments in text, and lists recent instances first', async () => {
    resetRecentInstancesCache();
    rememberInstance('dev-a');
    stubHttp(
      handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({
        instances: [instance(), instance({ id: 'dev-a', name: 'dev-a', environment: 'dev' }), instance({ id: 'stg-b', name: 'stg-b', environment: 'staging', region: 'ap-1' })],
      })),
    );
    const { user } = renderWithProviders(<InstancePicker />);
    const recent = await screen.findByRole('region', { name: 'Recent' });
    expect(recent.textContent).toContain('dev-a');
    expect(screen.getAllByText('⚠ PROD').length).toBe(1);
    expect(screen.getAllByText('STAGING').length).toBe(1);

    await user.type(screen.getByLabelText('Search instances'), 'ap-1');
    const links = screen.getAllByRole('link');
    expect(links).toHaveLength(1);
    expect(links[0]?.getAttribute('href')).toBe('/instances/stg-b/sessions');
    await user.clear(screen.getByLabelText('Search instances'));
    await user.type(screen.getByLabelText('Search instances'), 'zzz');
    expect(screen.getByText(/No instance matches/)).toBeTruthy();
  });

  it('Enter in the search opens the only match, and nothing while several match', async () => {
    stubHttp(
      handle('GET', pathOf(routes.me), MeResponse, () => me()),
      handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({
        instances: [instance(), instance({ id: 'prod-stock', name: 'prod-stock' }), instance({ id: 'stg-b', name: 'stg-b', environment: 'staging', region: 'ap-1' })],
      })),
    );
    const { user, router } = renderApp('/');
    const search = await screen.findByLabelText('Search instances');
    await screen.findAllByRole('link', { name: /prod-stock/ });
    await user.type(search, 'prod{Enter}');
    expect(router.state.location.pathname).toBe('/');
    await user.clear(search);
    await user.type(search, 'ap-1');
    expect(screen.getByText(/to open stg-b/)).toBeTruthy();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe('/instances/stg-b/sessions'));
  });
});
