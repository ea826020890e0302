import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { pathOf, routes } from '@quell/contracts/routes';
import { handle, stubHttp } from '@/testing/http';
import { renderWithProviders } from '@/testing/test-utils';
import type { NotificationStatusResponse } from '@quell/contracts/notifications';
import { NotificationsPanel } from './notifications-panel';

const PATH = pathOf(routes.notifications);

describe('NotificationsPanel', () => {
  it('shows each destination with its pending and failed deliveries and last error, and the undelivered events', async () => {
    stubHttp(
      handle('GET', PATH, routes.notifications.response, (): NotificationStatusResponse => ({
        destinations: [
          { name: 'team-slack', type: 'slack', environments: ['prod'], pending: 0, failed: 0, delivered: 12, lastError: null, lastErrorAt: null, oldestPendingAt: null },
          { name: 'siem', type: 'webhook', environments: null, pending: 2, failed: 1, delivered: 40, lastError: 'network error ECONNREFUSED', lastErrorAt: '2026-12-01T09:41:00.000Z', oldestPendingAt: '2026-12-01T09:40:00.000Z' },
        ],
        undelivered: [
          { eventId: 'e-1', destination: 'siem', type: 'kill.committed', status: 'pending', attempts: 3, createdAt: '2026-12-01T09:40:00.000Z', nextAttemptAt: '2026-12-01T09:42:00.000Z', lastError: 'network error ECONNREFUSED', lastErrorAt: '2026-12-01T09:41:00.000Z' },
          { eventId: 'e-2', destination: 'siem', type: 'throttle.created', status: 'failed', attempts: 100, createdAt: '2026-11-30T09:40:00.000Z', nextAttemptAt: '2026-11-30T09:42:00.000Z', lastError: 'HTTP 500', lastErrorAt: '2026-12-01T01:00:00.000Z' },
        ],
      })),
    );
    renderWithProviders(<NotificationsPanel />);
    const destinations = await screen.findByRole('table', { name: 'Notification destinations' });
    const siem = within(destinations).getByText('siem').closest('tr')!;
    expect(within(siem).getByText('signed webhook')).toBeTruthy();
    expect(within(siem).getByText('all')).toBeTruthy();
    expect(within(siem).getByText('2')).toBeTruthy();
    expect(within(siem).getByText(/network error ECONNREFUSED/)).toBeTruthy();
    const slack = within(destinations).getByText('team-slack').closest('tr')!;
    expect(within(slack).getByText('prod')).toBeTruthy();
    expect(within(slack).getByText('12')).toBeTruthy();
    const undelivered = screen.getByRole('table', { name: 'Undelivered events' });
    expect(within(undelivered).getByText('retrying')).toBeTruthy();
    expect(within(undelivered).getByText('given up')).toBeTruthy();
    expect(within(undelivered).getByText('HTTP 500')).toBeTruthy();
  });

  it('says when no destination is configured', async () => {
    stubHttp(handle('GET', PATH, routes.notifications.response, () => ({ destinations: [], undelivered: [] })));
    renderWithProviders(<NotificationsPanel />);
    expect(await screen.findByText(/No destination is configured/)).toBeTruthy();
  });
});
