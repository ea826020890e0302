import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import { InstanceListResponse } from '@quell/contracts/instances';
import { handle, stubHttp } from '@/testing/http';
import { instance } from '@/testing/fixtures';
import { renderWithProviders } from '@/testing/test-utils';
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
});
