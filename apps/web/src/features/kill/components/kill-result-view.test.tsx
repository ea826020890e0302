import { pathOf, routes } from '@quell/contracts/routes';
import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import { RecheckResult, type SessionOutcome } from '@quell/contracts/kill';
import { handle, stubHttp } from '@/testing/http';
import { killResult } from '@/testing/fixtures';
import { renderWithProviders } from '@/testing/test-utils';
import { killQueries, RECHECK_INTERVAL_MS } from '../api/kill-queries';
import { KillResultView } from './kill-result-view';

const AUDIT_ID = '7d9f1c3e-2a4b-4c6d-8e0f-1a2b3c4d5e6f';
const RECHECK = pathOf(routes.recheckKill, { auditId: AUDIT_ID });
const who = (sessionId: number) => ({ sessionId, user: 'app_rw', host: `10.0.0.${sessionId}:5000`, database: 'orders' });
const recheck = (outcomes: SessionOutcome[]): RecheckResult => ({
  auditId: AUDIT_ID,
  outcomes,
  summary: {},
  rollingBack: outcomes.filter((o) => o.outcome === 'rolling-back').length,
  checkedAt: '2026-12-01T10:00:05.000Z',
});

describe('KillResultView with a session rolling back', () => {
  it('shows "rolling back, N s", rechecks until it is gone, and updates the row in place', async () => {
    const answers = [recheck([{ ...who(11), outcome: 'killed' }, { ...who(12), outcome: 'rolling-back', rollingBackSeconds: 7 }]), recheck([{ ...who(11), outcome: 'killed' }, { ...who(12), outcome: 'killed' }])];
    const http = stubHttp(handle('POST', RECHECK, RecheckResult, () => answers.shift() ?? recheck([{ ...who(11), outcome: 'killed' }, { ...who(12), outcome: 'killed' }])));
    const result = killResult({ auditId: AUDIT_ID, outcomes: [{ ...who(11), outcome: 'killed' }, { ...who(12), outcome: 'rolling-back', rollingBackSeconds: 2 }] });
    renderWithProviders(<KillResultView result={result} />);

    expect(await screen.findByText('rolling back, 7 s')).toBeTruthy();
    expect(screen.getByTestId('kill-summary').textContent).toBe('1 killed · 1 rolling back');
    expect(screen.getByText(/1 session is rolling back a transaction/)).toBeTruthy();

    await waitFor(() => expect(screen.getByLabelText('Session 12: killed')).toBeTruthy(), { timeout: RECHECK_INTERVAL_MS + 3000 });
    expect(screen.getByTestId('kill-summary').textContent).toBe('2 killed');
    expect(screen.queryByText(/rolling back a transaction/)).toBeNull();
    expect(screen.queryByText(/rolling back, /)).toBeNull();
    expect(http.calls('POST', RECHECK)).toHaveLength(2);
  });

  it('a result with nothing rolling back never rechecks', async () => {
    const http = stubHttp();
    renderWithProviders(<KillResultView result={killResult({ auditId: AUDIT_ID, outcomes: [{ ...who(11), outcome: 'killed' }] })} />);
    expect(await screen.findByLabelText('Session 11: killed')).toBeTruthy();
    expect(http.calls('POST', RECHECK)).toHaveLength(0);
  });

  it('polls while anything is rolling back, and stops once nothing is', () => {
    const interval = killQueries.recheck(AUDIT_ID).refetchInterval as (q: { state: { data: RecheckResult | undefined } }) => number | false;
    expect(interval({ state: { data: undefined } })).toBe(RECHECK_INTERVAL_MS);
    expect(interval({ state: { data: recheck([{ ...who(12), outcome: 'rolling-back', rollingBackSeconds: 3 }]) } })).toBe(RECHECK_INTERVAL_MS);
    expect(interval({ state: { data: recheck([{ ...who(12), outcome: 'killed' }]) } })).toBe(false);
  });
});
