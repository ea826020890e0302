import { pathOf, routes } from '@quell/contracts/routes';
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import { MeResponse } from '@quell/contracts/auth';
import { InstanceListResponse } from '@quell/contracts/instances';
import { KillAndThrottleResult, Throttle, ThrottleListResponse, ThrottlePatternResponse, ThrottlePreview, type Throttle as ThrottleT } from '@quell/contracts/throttles';
import { KillPreview } from '@quell/contracts/kill';
import { handle, handleSessionList, stubHttp } from '@/testing/http';
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
    handle('GET', pathOf(routes.me), MeResponse, () => me({ role })),
    handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({ instances: [instance()] })),
    handleSessionList(/^\/api\/instances\/prod-orders\/sessions\/columns$/, () => ({
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
      handle('POST', pathOf(routes.throttlePatterns, { instanceId: 'prod-orders' }), ThrottlePatternResponse, () => ({ sqlType: 'SELECT' as const, pattern: 'SELECT~FROM~orders', explanation: 'x' })),
      handle('POST', pathOf(routes.throttlePreviews, { instanceId: 'prod-orders' }), ThrottlePreview, (req) => {
        const body = req.body as { pattern: string };
        return previewAnswer(body.pattern, body.pattern.endsWith('sleep') ? 1 : 3);
      }),
      handle('POST', pathOf(routes.createThrottle, { instanceId: 'prod-orders' }), Throttle, (req) => throttle({ pattern: (req.body as { pattern: string }).pattern })),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await user.click(await screen.findByRole('button', { name: 'Throttle similar… to session 101' }));
    // only a row with SQL has the action
    expect(screen.queryByRole('button', { name: 'Throttle similar… to session 102' })).toBeNull();
    const pattern = (await screen.findByDisplayValue('SELECT~FROM~orders')) as HTMLInputElement;
    expect((await screen.findByTestId('throttle-live-count')).textContent).toMatch(/Matches 3 running sessions of app_rw now/);
    expect(screen.getByTestId('throttle-explanation').textContent).toMatch(/contains FROM, orders in this order/);
    await user.click(screen.getByText('Show the 3 matching sessions'));
    expect(within(screen.getByRole('list', { name: 'Sessions the pattern matches now' })).getAllByRole('listitem').map((li) => li.textContent?.split(' ')[0])).toEqual(['200', '201', '202']);
    expect(screen.getByText(/Removed automatically at about \d\d:\d\d:\d\d\./)).toBeTruthy();
    expect(http.calls('POST', pathOf(routes.throttlePatterns, { instanceId: 'prod-orders' }))[0]?.body).toEqual({ sql: SQL });
    await user.type(pattern, '~sleep');
    await waitFor(() => expect(screen.getByTestId('throttle-live-count').textContent).toMatch(/Matches 1 running session of app_rw now/));
    const create = screen.getByRole('button', { name: 'Throttle only' }) as HTMLButtonElement;
    expect(create.disabled).toBe(true);
    await user.type(screen.getByLabelText('Reason'), 'INC-1 runaway report');
    await user.click(create);
    expect(await screen.findByText(/Throttled until/)).toBeTruthy();
    expect(http.calls('POST', pathOf(routes.createThrottle, { instanceId: 'prod-orders' }))[0]?.body).toEqual({
      sqlType: 'SELECT',
      pattern: 'SELECT~FROM~orders~sleep',
      maxConcurrency: 1,
      durationMinutes: 15,
      user: 'app_rw',
      reason: 'INC-1 runaway report',
    });
    expect(screen.getByRole('link', { name: 'See it in the Throttles panel' }).getAttribute('href')).toBe('/instances/prod-orders/throttles#throttle-5d1c7f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f');
  });

  it('"Kill N and throttle…" previews every matching session for the kill; one confirmation kills them all through the preview commit and creates the throttle', async () => {
    const matched = [200, 201, 202];
    const http = stubHttp(
      ...base(),
      handle('POST', pathOf(routes.throttlePatterns, { instanceId: 'prod-orders' }), ThrottlePatternResponse, () => ({ sqlType: 'SELECT' as const, pattern: 'SELECT~FROM~orders', explanation: 'x' })),
      handle('POST', pathOf(routes.throttlePreviews, { instanceId: 'prod-orders' }), ThrottlePreview, () => previewAnswer('SELECT~FROM~orders', 3, 1)),
      handle('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }), KillPreview, (req) =>
        preview({ previewId: 'pv-9', targets: (req.body as { sessionIds: number[] }).sessionIds.map((id) => session(id, { sql: SQL })), excluded: [] }),
      ),
      handle('POST', pathOf(routes.commitAndThrottle, { previewId: 'pv-9' }), KillAndThrottleResult, () => ({
        kill: killResult({ auditId: 'audit-9', outcomes: matched.map((sessionId) => ({ sessionId, outcome: 'killed' as const })), summary: { killed: 3 } }),
        throttle: throttle({ maxConcurrency: 0, killAuditId: 'audit-9' }),
        throttleError: null,
      })),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await user.click(await screen.findByRole('button', { name: 'Throttle similar… to session 101' }));
    await screen.findByText(/cannot spare protected users/);
    const both = (await screen.findByRole('button', { name: 'Kill 3 sessions and throttle…' })) as HTMLButtonElement;
    // protected sessions match: not without the acknowledgement
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
    await user.type(screen.getByLabelText('Reason'), 'INC-2 report storm');
    await user.click(both);

    // the kill preview of every matching session, frozen by the server, with the throttle it also creates
    const dialog = await screen.findByRole('dialog', { name: /Kill 3 sessions on prod-orders/ });
    expect(http.calls('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }))[0]?.body).toEqual({ user: 'app_rw', sessionIds: matched });
    for (const id of matched) expect(within(dialog).getByText(String(id), { exact: true })).toBeTruthy();
    expect(within(dialog).getByRole('region', { name: 'Then throttled' }).textContent).toMatch(/SELECT statements matching SELECT~FROM~orders: every one refused with MySQL error 1317, for 30 minutes/);
    expect((within(dialog).getByLabelText('Reason') as HTMLInputElement).value).toBe('INC-2 report storm');
    expect(http.calls('POST', pathOf(routes.commitAndThrottle, { previewId: 'pv-9' }))).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Kill 3 sessions and throttle' }));

    expect(await within(dialog).findByText(/Throttled until/)).toBeTruthy();
    expect(within(dialog).getByText('3 killed')).toBeTruthy();
    expect(within(dialog).getByRole('link', { name: 'See it in the Throttles panel' }).getAttribute('href')).toBe('/instances/prod-orders/throttles#throttle-5d1c7f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f');
    const sent = http.calls('POST', pathOf(routes.commitAndThrottle, { previewId: 'pv-9' }));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.get('Idempotency-Key')).toMatch(/^[\x21-\x7e]{8,128}$/);
    expect(sent[0]!.body).toEqual({
      reason: 'INC-2 report storm',
      throttle: { sqlType: 'SELECT', pattern: 'SELECT~FROM~orders', maxConcurrency: 0, durationMinutes: 30, user: 'app_rw', acknowledgeProtected: true },
    });
    // no plain commit: one kill path
    expect(http.calls('POST', pathOf(routes.commitPreview, { previewId: 'pv-9' }))).toHaveLength(0);
  });

  it('a kill and throttle whose throttle fails says so beside the kill, which stands', async () => {
    stubHttp(
      ...base(),
      handle('POST', pathOf(routes.throttlePatterns, { instanceId: 'prod-orders' }), ThrottlePatternResponse, () => ({ sqlType: 'SELECT' as const, pattern: 'SELECT~FROM~orders', explanation: 'x' })),
      handle('POST', pathOf(routes.throttlePreviews, { instanceId: 'prod-orders' }), ThrottlePreview, () => previewAnswer('SELECT~FROM~orders', 2)),
      handle('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }), KillPreview, () => preview({ previewId: 'pv-3', targets: [session(200), session(201)], excluded: [] })),
      handle('POST', pathOf(routes.commitAndThrottle, { previewId: 'pv-3' }), KillAndThrottleResult, () => ({
        kill: killResult({ outcomes: [200, 201].map((sessionId) => ({ sessionId, outcome: 'killed' as const })), summary: { killed: 2 } }),
        throttle: null,
        throttleError: { code: 'UPSTREAM_ERROR', message: 'DAS refused the rule' },
      })),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await user.click(await screen.findByRole('button', { name: 'Throttle similar… to session 101' }));
    await user.click(await screen.findByRole('button', { name: 'Kill 2 sessions and throttle…' }));
    const dialog = await screen.findByRole('dialog', { name: /Kill 2 sessions on prod-orders/ });
    await user.type(within(dialog).getByLabelText('Reason'), 'INC-3 storm');
    await user.click(within(dialog).getByRole('button', { name: 'Kill 2 sessions and throttle' }));
    expect(await within(dialog).findByText('The sessions were killed, but the throttle could not be created')).toBeTruthy();
    expect(within(dialog).getByText(/DAS refused the rule/)).toBeTruthy();
    expect(within(dialog).getByText('2 killed')).toBeTruthy();
  });

  it('"Throttle similar…" on a pressed group chip samples the most common statement of the group and counts in its user', async () => {
    const shapeA = (id: number) => `SELECT * FROM reports WHERE day = ${id}`;
    const http = stubHttp(
      handle('GET', pathOf(routes.me), MeResponse, () => me({ role: 'operator' })),
      handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({ instances: [instance()] })),
      handleSessionList(/^\/api\/instances\/prod-orders\/sessions\/columns$/, () => ({
        instanceId: 'prod-orders',
        sessions: [
          session(101, { sql: shapeA(1), time: 10 }),
          session(102, { sql: 'UPDATE orders SET paid = 1', time: 900 }),
          session(103, { sql: shapeA(2), time: 300 }),
          session(104, { sql: '', command: 'Sleep', time: 5000 }),
        ],
        count: 4,
        fetchedAt: new Date().toISOString(),
      })),
      handle('POST', pathOf(routes.throttlePatterns, { instanceId: 'prod-orders' }), ThrottlePatternResponse, () => ({ sqlType: 'SELECT' as const, pattern: 'SELECT~FROM~reports', explanation: 'x' })),
      handle('POST', pathOf(routes.throttlePreviews, { instanceId: 'prod-orders' }), ThrottlePreview, () => previewAnswer('SELECT~FROM~reports', 2)),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    // the listing's user chip is pressed: its group can be throttled
    await user.click(await screen.findByRole('button', { name: 'Throttle similar… to the statements of user app_rw' }));
    const dialog = await screen.findByRole('dialog', { name: /Throttle similar statements on prod-orders/ });
    expect(within(dialog).getByText(/From the group user app_rw/)).toBeTruthy();
    expect(within(dialog).getByText(/Sample from session 103/)).toBeTruthy();
    expect(await within(dialog).findByDisplayValue('SELECT~FROM~reports')).toBeTruthy();
    expect((await within(dialog).findByTestId('throttle-live-count')).textContent).toMatch(/Matches 2 running sessions of app_rw now/);
    expect(http.calls('POST', pathOf(routes.throttlePatterns, { instanceId: 'prod-orders' }))[0]?.body).toEqual({ sql: shapeA(2) });
    expect(http.calls('POST', pathOf(routes.throttlePreviews, { instanceId: 'prod-orders' }))[0]?.body).toEqual({ sqlType: 'SELECT', pattern: 'SELECT~FROM~reports', user: 'app_rw' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    // a chip not pressed offers nothing; a pressed group without SQL neither
    expect(screen.queryByRole('button', { name: /Throttle similar… to the statements of command/ })).toBeNull();
    await user.click(screen.getByRole('button', { name: /^Sleep/ }));
    await waitFor(() => expect(screen.getByRole('button', { name: /^Sleep/ }).getAttribute('aria-pressed')).toBe('true'));
    expect(screen.queryByRole('button', { name: 'Throttle similar… to the statements of command Sleep' })).toBeNull();
    await user.click(screen.getByRole('button', { name: /^Query/ }));
    expect(await screen.findByRole('button', { name: 'Throttle similar… to the statements of command Query' })).toBeTruthy();
  });

  it('a viewer gets no "Throttle similar…" on rows or chips', async () => {
    stubHttp(...base('viewer'));
    renderApp('/instances/prod-orders/sessions?user=app_rw');
    await screen.findByRole('checkbox', { name: 'Select session 101' });
    expect(screen.queryByRole('button', { name: /Throttle similar/ })).toBeNull();
  });

  it('the Throttles panel (a deep link) counts down, links the kill, and removes a throttle now', async () => {
    let listed = [throttle({ killAuditId: '9b0e5c1d-0000-4000-8000-000000000001', expiresAt: new Date(Date.now() + 65_000).toISOString() })];
    const http = stubHttp(
      ...base(),
      handle('GET', pathOf(routes.throttles, { instanceId: 'prod-orders' }), ThrottleListResponse, () => ({ instanceId: 'prod-orders', throttles: listed })),
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
    expect(within(row).getByRole('link', { name: 'kill 9b0e5c1d' }).getAttribute('href')).toBe('/audit?id=9b0e5c1d-0000-4000-8000-000000000001');
    await user.click(within(row).getByRole('button', { name: 'Remove throttle SELECT~FROM~orders now' }));
    expect(await screen.findByText(/No SQL is throttled on this instance/)).toBeTruthy();
    expect(http.calls('DELETE', /throttles\/5d1c7f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f$/)).toHaveLength(1);
  });
});
