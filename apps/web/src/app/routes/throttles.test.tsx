import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import { MeResponse } from '@quell/contracts/auth';
import { InstanceListResponse } from '@quell/contracts/instances';
import { SessionListResponse } from '@quell/contracts/sessions';
import { KillAndThrottleResult, Throttle, ThrottleListResponse, ThrottlePatternResponse, ThrottlePreview, type Throttle as ThrottleT } from '@quell/contracts/throttles';
import { KillPreview } from '@quell/contracts/kill';
import { handle, stubHttp } from '@/testing/http';
import { instance, killResult, me, preview, session } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

const SQL = 'SELECT * FROM orders WHERE sleep(10)';
const throttle = (over: Partial<ThrottleT> = {}): ThrottleT => ({
  id: '5d1c7f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
  instanceId: 'prod-orders',
  sqlType: 'SELECT',
  pattern: 'SELECT~FROM~orders',
  maxConcurrency: 1,
  reason: 'runaway report',
  createdBy: 'alice',
  createdAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
  killAuditId: null,
  auditId: 'a1',
  ruleId: '7',
  ...over,
});

function base(role: 'operator' | 'viewer' = 'operator') {
  return [
    handle('GET', '/api/me', MeResponse, () => me({ role })),
    handle('GET', '/api/instances', InstanceListResponse, () => ({ instances: [instance()] })),
    handle('GET', /^\/api\/instances\/prod-orders\/sessions$/, SessionListResponse, () => ({
      instanceId: 'prod-orders',
      sessions: [session(101, { sql: SQL }), session(102, { sql: '', command: 'Sleep' })],
      count: 2,
      fetchedAt: new Date().toISOString(),
    })),
  ];
}

const previewAnswer = (pattern: string, matches: number, protectedCount = 0): ThrottlePreview => ({
  instanceId: 'prod-orders',
  sqlType: 'SELECT',
  pattern,
  keywords: pattern.split('~'),
  explanation: `Matches a SELECT statement whose text contains ${pattern.split('~').slice(1).join(', ')} in this order.`,
  matches: Array.from({ length: matches }, (_, n) => session(200 + n, { sql: SQL })),
  excluded: Array.from({ length: protectedCount }, (_, n) => ({ sessionId: 300 + n, reason: 'protected-user' as const, explanation: 'protected' })),
  notice: protectedCount > 0 ? 'A SQL limit rule applies to every account on the instance: it cannot spare protected users.' : null,
  listedAt: new Date().toISOString(),
});

describe('throttles', () => {
  it('"Throttle similar…" on a session row prefills the pattern DAS suggests, explains it, counts matches live as it is edited, and creates the throttle', async () => {
    const http = stubHttp(
      ...base(),
      handle('POST', '/api/instances/prod-orders/throttle-patterns', ThrottlePatternResponse, () => ({ sqlType: 'SELECT' as const, pattern: 'SELECT~FROM~orders', explanation: 'x' })),
      handle('POST', '/api/instances/prod-orders/throttle-previews', ThrottlePreview, (req) => {
        const body = req.body as { pattern: string };
        return previewAnswer(body.pattern, body.pattern.endsWith('sleep') ? 1 : 3);
      }),
      handle('POST', '/api/instances/prod-orders/throttles', Throttle, (req) => throttle({ pattern: (req.body as { pattern: string }).pattern })),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await user.click(await screen.findByRole('button', { name: 'Throttle similar statements: like session 101' }));
    // only a row with SQL has the action
    expect(screen.queryByRole('button', { name: 'Throttle similar statements: like session 102' })).toBeNull();
    const pattern = (await screen.findByDisplayValue('SELECT~FROM~orders')) as HTMLInputElement;
    expect((await screen.findByTestId('throttle-live-count')).textContent).toMatch(/Matches 3 running sessions of app_rw now/);
    expect(screen.getByTestId('throttle-explanation').textContent).toMatch(/contains FROM, orders in this order/);
    expect(http.calls('POST', '/api/instances/prod-orders/throttle-patterns')[0]?.body).toEqual({ sql: SQL });
    await user.type(pattern, '~sleep');
    await waitFor(() => expect(screen.getByTestId('throttle-live-count').textContent).toMatch(/Matches 1 running session of app_rw now/));
    const create = screen.getByRole('button', { name: 'Throttle' }) as HTMLButtonElement;
    expect(create.disabled).toBe(true);
    await user.type(screen.getByLabelText('Reason'), 'INC-1 runaway report');
    await user.click(create);
    expect(await screen.findByText(/Throttled until/)).toBeTruthy();
    expect(http.calls('POST', '/api/instances/prod-orders/throttles')[0]?.body).toEqual({
      sqlType: 'SELECT',
      pattern: 'SELECT~FROM~orders~sleep',
      maxConcurrency: 1,
      durationMinutes: 15,
      user: 'app_rw',
      reason: 'INC-1 runaway report',
    });
    expect(screen.getByRole('link', { name: 'See it in the Throttles panel' }).getAttribute('href')).toBe('/instances/prod-orders/throttles#throttle-5d1c7f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f');
  });

  it('kills and throttles in one confirmed step; protected matches need an acknowledgement; an expiry past the role limit is refused', async () => {
    const http = stubHttp(
      ...base(),
      handle('POST', '/api/instances/prod-orders/throttle-patterns', ThrottlePatternResponse, () => ({ sqlType: 'SELECT' as const, pattern: 'SELECT~FROM~orders', explanation: 'x' })),
      handle('POST', '/api/instances/prod-orders/throttle-previews', ThrottlePreview, () => previewAnswer('SELECT~FROM~orders', 1, 1)),
      handle('POST', '/api/instances/prod-orders/kill-previews', KillPreview, () => preview({ previewId: 'pv-9', targets: [session(101, { sql: SQL })] })),
      handle('POST', '/api/kill-previews/pv-9/commit-and-throttle', KillAndThrottleResult, () => ({
        kill: killResult({ outcomes: [{ sessionId: 101, outcome: 'killed' }], summary: { killed: 1 } }),
        throttle: throttle({ maxConcurrency: 0 }),
        throttleError: null,
      })),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await user.click(await screen.findByRole('button', { name: 'Throttle similar statements: like session 101' }));
    await screen.findByText(/cannot spare protected users/);
    await user.type(screen.getByLabelText('Reason'), 'INC-2 report storm');
    const both = screen.getByRole('button', { name: 'Kill session 101 and throttle' }) as HTMLButtonElement;
    expect(both.disabled).toBe(true);
    await user.click(screen.getByRole('checkbox', { name: /protected sessions are throttled too/ }));
    const minutes = screen.getByLabelText(/Expires after/);
    await user.clear(minutes);
    await user.type(minutes, '121');
    expect(both.disabled).toBe(true);
    await user.clear(minutes);
    await user.type(minutes, '30');
    await user.clear(screen.getByLabelText(/At most running at once/));
    await user.type(screen.getByLabelText(/At most running at once/), '0');
    await user.click(both);
    expect(await screen.findByText('Killed 1 session.')).toBeTruthy();
    expect(http.calls('POST', '/api/instances/prod-orders/kill-previews')[0]?.body).toEqual({ user: 'app_rw', sessionIds: [101] });
    const sent = http.calls('POST', '/api/kill-previews/pv-9/commit-and-throttle')[0]!;
    expect(sent.headers.get('Idempotency-Key')).toMatch(/^[\x21-\x7e]{8,128}$/);
    expect(sent.body).toEqual({
      reason: 'INC-2 report storm',
      throttle: { sqlType: 'SELECT', pattern: 'SELECT~FROM~orders', maxConcurrency: 0, durationMinutes: 30, user: 'app_rw', acknowledgeProtected: true },
    });
  });

  it('the Throttles panel (a deep link) counts down, links the kill, and removes a throttle now', async () => {
    let listed = [throttle({ killAuditId: '9b0e5c1d-0000-4000-8000-000000000001', expiresAt: new Date(Date.now() + 65_000).toISOString() })];
    const http = stubHttp(
      ...base(),
      handle('GET', '/api/instances/prod-orders/throttles', ThrottleListResponse, () => ({ instanceId: 'prod-orders', throttles: listed })),
      {
        method: 'DELETE',
        path: /^\/api\/instances\/prod-orders\/throttles\/[^/]+$/,
        respond: () => {
          listed = [];
          return new Response(null, { status: 204 });
        },
      },
    );
    const { user } = renderApp('/instances/prod-orders/throttles#throttle-5d1c7f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f');
    const row = (await screen.findByText('SELECT~FROM~orders')).closest('tr')!;
    expect(within(row).getByLabelText(/expires in 1:0[45]/)).toBeTruthy();
    expect(row.className).toContain('bg-sky-50');
    expect(within(row).getByRole('link', { name: 'kill 9b0e5c1d' }).getAttribute('href')).toContain('#9b0e5c1d-0000-4000-8000-000000000001');
    await user.click(within(row).getByRole('button', { name: 'Remove throttle SELECT~FROM~orders now' }));
    expect(await screen.findByText(/No SQL is throttled on this instance/)).toBeTruthy();
    expect(http.calls('DELETE', /throttles\/5d1c7f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f$/)).toHaveLength(1);
  });
});
