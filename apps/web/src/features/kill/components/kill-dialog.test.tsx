import { pathOf, routes } from '@quell/contracts/routes';
import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import { KillPreview } from '@quell/contracts/kill';
import { handle, stubHttp } from '@/testing/http';
import { instance, preview, session } from '@/testing/fixtures';
import { renderWithProviders } from '@/testing/test-utils';
import { KillDialog } from './kill-dialog';

const PREVIEWS = pathOf(routes.killPreviews, { instanceId: 'prod-orders' });

describe('KillDialog', () => {
  it('"Preview again" after expiry keeps the reason and the typed name, and says what changed', async () => {
    const answers = [
      // a preview that is already over: its lifetime is zero
      preview({ previewId: 'pv-1', targets: [session(11), session(12)], requiresTypedConfirmation: true, expiresAt: '2026-11-28T20:00:00.000Z' }),
      preview({ previewId: 'pv-2', targets: [session(11), session(14)], requiresTypedConfirmation: true }),
    ];
    const http = stubHttp(handle('POST', PREVIEWS, KillPreview, () => answers.shift() ?? preview()));
    const { user } = renderWithProviders(<KillDialog instance={instance()} canCommit request={{ user: 'app_rw', sessionIds: [11, 12] }} onClose={vi.fn()} onCommitted={vi.fn()} />);

    await user.type(await screen.findByLabelText('Reason'), 'INC-7 runaway report');
    await user.type(screen.getByLabelText('Type the instance name to confirm'), 'prod-orders');
    expect(screen.queryByRole('button', { name: 'Kill 2 sessions' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Preview again' }));

    expect(await screen.findByText(/Since the previous preview/)).toBeTruthy();
    expect(screen.getByRole('status').textContent).toContain('1 new target (14)');
    expect(screen.getByRole('status').textContent).toContain('1 no longer a target, gone or now excluded (12)');
    expect((screen.getByLabelText('Reason') as HTMLInputElement).value).toBe('INC-7 runaway report');
    expect((screen.getByLabelText('Type the instance name to confirm') as HTMLInputElement).value).toBe('prod-orders');
    await waitFor(() => expect((screen.getByRole('button', { name: 'Kill 2 sessions' }) as HTMLButtonElement).disabled).toBe(false));
    expect(http.calls('POST', PREVIEWS)).toHaveLength(2);
  });
});
