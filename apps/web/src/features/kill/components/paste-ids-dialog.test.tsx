import { pathOf, routes } from '@quell/contracts/routes';
import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import { KillResult } from '@quell/contracts/kill';
import { setCsrfToken } from '@/lib/api-client';
import { instance, killResult } from '@/testing/fixtures';
import { handle, stubHttp } from '@/testing/http';
import { renderWithProviders } from '@/testing/test-utils';
import { PasteIdsDialog } from './paste-ids-dialog';

describe('PasteIdsDialog, blind mode', () => {
  it('above the cap asks for the typed instance name and sends it', async () => {
    setCsrfToken('tok');
    const http = stubHttp(
      handle('POST', pathOf(routes.blindKills, { instanceId: 'prod-orders' }), KillResult, () =>
        killResult({
          mode: 'blind',
          outcomes: [1, 2, 3].map((sessionId) => ({ sessionId, outcome: 'sent-unverified' as const })),
          summary: { 'sent-unverified': 3 },
          verification: 'unverifiable',
        }),
      ),
    );
    const { user } = renderWithProviders(
      <PasteIdsDialog open instance={instance({ blastRadiusCap: 2 })} filter={{}} isAdmin onClose={vi.fn()} onPreview={vi.fn()} onCommitted={vi.fn()} />,
    );
    await user.type(screen.getByLabelText('Session IDs'), '1 2 3');
    await user.click(screen.getByLabelText(/Blind mode/));
    await user.type(screen.getByLabelText('Reason'), 'INC-7 pasted ids');
    const kill = screen.getByRole('button', { name: /unverified$/ }) as HTMLButtonElement;
    expect(kill.disabled).toBe(true);
    await user.type(screen.getByLabelText('Type the instance name to confirm'), 'prod-orders');
    expect(kill.disabled).toBe(false);
    await user.click(kill);
    await waitFor(() => expect(http.calls('POST', pathOf(routes.blindKills, { instanceId: 'prod-orders' }))).toHaveLength(1));
    expect(http.calls('POST', pathOf(routes.blindKills, { instanceId: 'prod-orders' }))[0]?.body).toEqual({ sessionIds: [1, 2, 3], reason: 'INC-7 pasted ids', confirmInstanceName: 'prod-orders' });
  });

  it('at the cap needs no typed name', async () => {
    const { user } = renderWithProviders(<PasteIdsDialog open instance={instance({ blastRadiusCap: 3 })} filter={{}} isAdmin onClose={vi.fn()} onPreview={vi.fn()} onCommitted={vi.fn()} />);
    await user.type(screen.getByLabelText('Session IDs'), '1 2 3');
    await user.click(screen.getByLabelText(/Blind mode/));
    await user.type(screen.getByLabelText('Reason'), 'INC-7 pasted ids');
    expect(screen.queryByLabelText('Type the instance name to confirm')).toBeNull();
    expect((screen.getByRole('button', { name: /unverified$/ }) as HTMLButtonElement).disabled).toBe(false);
  });
});
