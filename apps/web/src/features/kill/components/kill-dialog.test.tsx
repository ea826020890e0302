import { pathOf, routes } from '@quell/contracts/routes';
import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import { KillPreview } from '@quell/contracts/kill';
import { handle, stubHttp } from '@/testing/http';
import { instance, killResult, preview, session } from '@/testing/fixtures';
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

describe('KillDialog with a step committed beside the kill', () => {
  it('starts from the given reason, says what else happens, keeps the typed confirmation, and commits through the step, not the plain commit', async () => {
    const http = stubHttp(handle('POST', PREVIEWS, KillPreview, () => preview({ previewId: 'pv-5', targets: [session(11), session(12), session(13)], requiresTypedConfirmation: true, excluded: [] })));
    const commit = vi.fn(async () => killResult({ outcomes: [11, 12, 13].map((sessionId) => ({ sessionId, outcome: 'killed' as const })), summary: { killed: 3 } }));
    const also = { label: 'and throttle', summary: <p>Then throttled: SELECT~FROM~orders</p>, commit, outcome: null, reason: 'INC-8 storm' };
    const { user } = renderWithProviders(<KillDialog instance={instance()} canCommit request={{ user: 'app_rw', sessionIds: [11, 12, 13] }} onClose={vi.fn()} onCommitted={vi.fn()} also={also} />);

    expect(((await screen.findByLabelText('Reason')) as HTMLInputElement).value).toBe('INC-8 storm');
    expect(screen.getByText('Then throttled: SELECT~FROM~orders')).toBeTruthy();
    const button = screen.getByRole('button', { name: 'Kill 3 sessions and throttle' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    await user.type(screen.getByLabelText('Type the instance name to confirm'), 'prod-orders');
    await user.click(button);
    expect(await screen.findByText('3 killed')).toBeTruthy();
    expect(commit).toHaveBeenCalledTimes(1);
    expect((commit.mock.calls[0] as unknown[])[0]).toEqual({ previewId: 'pv-5', body: { reason: 'INC-8 storm', confirmInstanceName: 'prod-orders' }, idempotencyKey: expect.stringMatching(/^[\x21-\x7e]{8,128}$/) });
    expect(http.calls('POST', /commit$/)).toHaveLength(0);
  });
});
