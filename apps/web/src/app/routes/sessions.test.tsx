import { pathOf, routes } from '@quell/contracts/routes';
import { describe, expect, it } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import { MeResponse } from '@quell/contracts/auth';
import { InstanceListResponse } from '@quell/contracts/instances';
import { KillPreview, KillResult } from '@quell/contracts/kill';
import { FilterSuggestionsResponse } from '@quell/contracts/sessions';
import { handle, handleError, handlePending, handleSessionList, stubHttp } from '@/testing/http';
import { instance, killResult, me, preview, session } from '@/testing/fixtures';
import { renderApp } from '@/testing/test-utils';

const SESSIONS = /^\/api\/instances\/prod-orders\/sessions\/columns$/;

function baseHandlers(sessions = [session(101, { time: 5 }), session(102, { time: 500, user: 'etl', command: 'Sleep', sql: '' }), session(103, { time: 50 })]) {
  return [
    handle('GET', pathOf(routes.me), MeResponse, () => me()),
    handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({ instances: [instance(), instance({ id: 'dev-a', name: 'dev-a', environment: 'dev' })] })),
    handleSessionList(SESSIONS, () => ({ instanceId: 'prod-orders', sessions, count: sessions.length, fetchedAt: new Date().toISOString() })),
  ];
}

const rowIds = () =>
  screen
    .getAllByRole('checkbox', { name: /^Select session / })
    .map((c) => Number(c.getAttribute('aria-label')?.replace('Select session ', '')));

describe('sessions view', () => {
  it('asks for a user or database and does not list without one', async () => {
    const http = stubHttp(...baseHandlers());
    renderApp('/instances/prod-orders/sessions');
    expect(await screen.findByRole('heading', { name: 'Enter a user or a database' })).toBeTruthy();
    expect(http.calls('GET', SESSIONS)).toHaveLength(0);
    expect((screen.getByRole('button', { name: 'List sessions' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('lists by the URL filter, longest-running first, and writes a new filter to the URL', async () => {
    const http = stubHttp(...baseHandlers());
    const { user, router } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await screen.findByRole('checkbox', { name: 'Select session 102' });
    expect(http.calls('GET', SESSIONS)[0]?.url.searchParams.get('user')).toBe('app_rw');
    expect(rowIds()).toEqual([102, 103, 101]);
    expect(screen.getAllByText('8m 20s').length).toBeGreaterThan(0);

    await user.click(screen.getByRole('button', { name: /^ID/ }));
    expect(router.state.location.search).toContain('sort=-id');
    expect(rowIds()).toEqual([103, 102, 101]);

    const db = screen.getByLabelText('Database');
    await user.type(db, 'orders');
    await user.click(screen.getByRole('button', { name: 'List sessions' }));
    await waitFor(() => expect(router.state.location.search).toContain('database=orders'));
    await waitFor(() => expect(http.calls('GET', SESSIONS).some((r) => r.url.searchParams.get('database') === 'orders')).toBe(true));
  });

  it('on a phone the narrowing filters fold behind a button (from md up they stay open)', async () => {
    stubHttp(...baseHandlers());
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await screen.findByRole('checkbox', { name: 'Select session 102' });
    const toggle = screen.getByRole('button', { name: 'More filters' });
    const box = screen.getByRole('group', { name: 'Narrow the listed sessions' }).parentElement!;
    expect(toggle.getAttribute('aria-controls')).toBe(box.id);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(box.className).toBe('hidden md:block');
    await user.click(toggle);
    expect(screen.getByRole('button', { name: 'Hide filters' }).getAttribute('aria-expanded')).toBe('true');
    expect(box.className).not.toContain('hidden');
  });

  it('filters on the client by command and counts by group; a chip filters on click', async () => {
    stubHttp(...baseHandlers());
    const { user, router } = renderApp('/instances/prod-orders/sessions?user=app_rw&command=Query');
    await screen.findByRole('checkbox', { name: 'Select session 103' });
    expect(rowIds()).toEqual([103, 101]);
    expect(screen.getByText(/2 shown by the filters/)).toBeTruthy();
    // the group chips follow a listing at low priority (after the table)
    await user.click(await screen.findByRole('button', { name: 'Sleep 1' }));
    expect(router.state.location.search).toContain('command=Sleep');
    expect(rowIds()).toEqual([102]);
  });

  it('filters by typed SQL and host text as it is typed, and writes the text to the URL', async () => {
    stubHttp(...baseHandlers([session(101, { sql: 'SELECT 1', host: '10.0.0.8:1' }), session(102, { sql: 'UPDATE t SET a = 42', host: '10.0.0.9:2' }), session(103, { sql: 'select 42', host: '10.0.0.8:3' })]));
    const { user, router } = renderApp('/instances/prod-orders/sessions?user=app_rw&sort=id');
    await screen.findByRole('checkbox', { name: 'Select session 103' });
    await user.type(screen.getByLabelText('SQL contains'), '42');
    await waitFor(() => expect(rowIds()).toEqual([102, 103]));
    await waitFor(() => expect(router.state.location.search).toContain('q=42'));
    await user.type(screen.getByLabelText('Host'), '10.0.0.8');
    await waitFor(() => expect(rowIds()).toEqual([103]));
    await waitFor(() => expect(router.state.location.search).toContain('host=10.0.0.8'));
    expect(router.state.location.search).toContain('q=42');
    await user.clear(screen.getByLabelText('SQL contains'));
    await waitFor(() => expect(rowIds()).toEqual([101, 103]));
    await waitFor(() => expect(router.state.location.search).not.toContain('q='));
  });

  it('selects with click, shift-click and select-all-matching, then previews and kills with one idempotency key', async () => {
    const http = stubHttp(
      ...baseHandlers(),
      handle('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }), KillPreview, (req) => preview({ targets: (req.body as { sessionIds: number[] }).sessionIds.map((id) => session(id)) })),
      handle('POST', pathOf(routes.commitPreview, { previewId: 'pv-1' }), KillResult, () =>
        killResult({
          outcomes: [
            { sessionId: 101, outcome: 'killed' },
            { sessionId: 102, outcome: 'failed', error: { httpStatus: 400, errorCode: 'DAS.1234', errorMsg: 'thread busy', dasRequestId: 'das-77' } },
            { sessionId: 103, outcome: 'gone-before-kill' },
          ],
        }),
      ),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await screen.findByRole('checkbox', { name: 'Select session 102' });
    await user.click(screen.getByRole('checkbox', { name: 'Select session 102' }));
    await user.keyboard('{Shift>}');
    await user.click(screen.getByRole('checkbox', { name: 'Select session 101' }));
    await user.keyboard('{/Shift}');
    expect(screen.getByRole('button', { name: 'Kill 3 sessions…' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Clear selection' }));
    expect(screen.queryByRole('button', { name: /Kill \d+ sessions…/ })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Select all 3 matching' }));
    await user.click(screen.getByRole('button', { name: 'Kill 3 sessions…' }));

    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByRole('heading', { name: '3 sessions will be killed' });
    expect(within(dialog).getByRole('heading', { level: 2 }).textContent).toMatch(/^Kill 3 sessions on prod-orders\?/);
    const previewReq = http.calls('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }))[0];
    expect(previewReq?.body).toEqual({ user: 'app_rw', sessionIds: [101, 102, 103] });
    expect(previewReq?.headers.get('X-CSRF-Token')).toBe('csrf-123');

    await user.type(within(dialog).getByLabelText('Reason'), 'INC-9 runaway');
    const commit = within(dialog).getByRole('button', { name: 'Kill 3 sessions' });
    await user.dblClick(commit);
    const region = await screen.findByRole('region', { name: 'Kill result' });
    const commits = http.calls('POST', pathOf(routes.commitPreview, { previewId: 'pv-1' }));
    expect(commits).toHaveLength(1);
    expect(commits[0]?.headers.get('Idempotency-Key')).toMatch(/^[\x21-\x7e]{8,128}$/);
    expect(commits[0]?.body).toEqual({ reason: 'INC-9 runaway' });
    expect(within(region).getByText('1 killed · 1 gone before kill · 1 failed')).toBeTruthy();
    expect(within(region).getByRole('status', { name: 'Session 102: failed' })).toBeTruthy();
    expect(within(region).getByText('DAS.1234')).toBeTruthy();
    expect(within(region).getByText('das-77')).toBeTruthy();
    expect(within(region).getByRole('button', { name: 'Copy request id of session 102' })).toBeTruthy();
    // the list refreshes behind the result
    await waitFor(() => expect(http.calls('GET', SESSIONS).length).toBeGreaterThan(1));
  });

  it('keeps the commit disabled while it is in flight', async () => {
    stubHttp(...baseHandlers(), handle('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }), KillPreview, () => preview()), handlePending('POST', pathOf(routes.commitPreview, { previewId: 'pv-1' })));
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await user.click(await screen.findByRole('checkbox', { name: 'Select session 101' }));
    await user.click(screen.getByRole('button', { name: 'Kill 1 session…' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(await within(dialog).findByLabelText('Reason'), 'INC-9 runaway');
    await user.click(within(dialog).getByRole('button', { name: 'Kill 2 sessions' }));
    const pending = await within(dialog).findByRole('button', { name: /Killing/ });
    expect((pending as HTMLButtonElement).disabled).toBe(true);
    // auto-refresh holds still behind an open dialog
    expect(screen.getByText(/paused: a dialog is open/)).toBeTruthy();
  });

  it('shows a refused kill with the error, code and request id', async () => {
    stubHttp(
      ...baseHandlers(),
      handle('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }), KillPreview, () => preview()),
      handleError('POST', pathOf(routes.commitPreview, { previewId: 'pv-1' }), 'PROTECTED_TARGET', 'session 11 is protected'),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await user.click(await screen.findByRole('checkbox', { name: 'Select session 101' }));
    await user.click(screen.getByRole('button', { name: 'Kill 1 session…' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(await within(dialog).findByLabelText('Reason'), 'INC-9 runaway');
    await user.click(within(dialog).getByRole('button', { name: 'Kill 2 sessions' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('protected session');
    expect(alert.textContent).toContain('session 11 is protected');
    expect(alert.textContent).toContain('req-protected_target');
  });

  it('shows a selected session that disappeared as gone', async () => {
    let sessions = [session(101), session(102)];
    stubHttp(
      handle('GET', pathOf(routes.me), MeResponse, () => me()),
      handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({ instances: [instance()] })),
      handleSessionList(SESSIONS, () => ({ instanceId: 'prod-orders', sessions, count: sessions.length, fetchedAt: new Date().toISOString() })),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await user.click(await screen.findByRole('checkbox', { name: 'Select session 102' }));
    sessions = [session(101)];
    await user.click(screen.getByRole('button', { name: /Refresh/ }));
    const gone = await screen.findByRole('region', { name: 'Selected sessions that are gone' });
    expect(gone.textContent).toContain('102');
    expect(screen.getByRole('region', { name: 'Selection' }).textContent).toContain('1 gone since selected');
  });

  it('sends an expired sign-in to the login page and back to the same view', async () => {
    let signedIn = true;
    const http = stubHttp(
      handle('GET', pathOf(routes.instances), InstanceListResponse, () => ({ instances: [instance()] })),
      {
        method: 'GET',
        path: pathOf(routes.me),
        respond: () =>
          signedIn
            ? new Response(JSON.stringify(me()), { status: 200 })
            : new Response(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'no session', requestId: 'r1' } }), { status: 401 }),
      },
      {
        // the server forgets the sign-in while the operator works
        method: 'GET',
        path: SESSIONS,
        respond: () => {
          signedIn = false;
          return new Response(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'session expired', requestId: 'r2' } }), { status: 401 });
        },
      },
      handle('POST', pathOf(routes.login), MeResponse, () => {
        signedIn = true;
        return me();
      }),
    );
    const { user, router } = renderApp('/instances/prod-orders/sessions?user=app_rw&sort=id');
    const username = await screen.findByLabelText('Username');
    expect(router.state.location.pathname).toBe('/login');
    expect(screen.getByText(/Your session ended/)).toBeTruthy();
    await user.type(username, 'alice');
    await user.type(screen.getByLabelText('Password'), 'pw');
    http.use(handleSessionList(SESSIONS, () => ({ instanceId: 'prod-orders', sessions: [session(5)], count: 1, fetchedAt: new Date().toISOString() })));
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('checkbox', { name: 'Select session 5' });
    expect(router.state.location.pathname).toBe('/instances/prod-orders/sessions');
    expect(router.state.location.search).toBe('?user=app_rw&sort=id');
  });
});

describe('selection scope', () => {
  it('starts a new selection when the user/database filter changes', async () => {
    stubHttp(...baseHandlers());
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await user.click(await screen.findByRole('checkbox', { name: 'Select session 101' }));
    expect(screen.getByRole('button', { name: 'Kill 1 session…' })).toBeTruthy();
    await user.type(screen.getByLabelText('Database'), 'orders');
    await user.click(screen.getByRole('button', { name: 'List sessions' }));
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Selection' })).toBeNull());
    expect((await screen.findByRole('checkbox', { name: 'Select session 101' }) as HTMLInputElement).checked).toBe(false);
  });
});

describe('viewer', () => {
  it('can preview but is offered no kill', async () => {
    const http = stubHttp(
      handle('GET', pathOf(routes.me), MeResponse, () => me({ role: 'viewer' })),
      ...baseHandlers().slice(1),
      handle('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }), KillPreview, () => preview()),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await user.click(await screen.findByRole('checkbox', { name: 'Select session 101' }));
    expect(screen.queryByRole('button', { name: /^Kill/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Kill by pasted IDs…' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Preview what a kill would do…' }));
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByRole('heading', { name: '2 sessions will be killed' });
    expect(within(dialog).queryByRole('button', { name: /^Kill/ })).toBeNull();
    expect(http.calls('POST', /commit$/)).toHaveLength(0);
  });
});

describe('kill by pasted ids', () => {
  const PREVIEWS = pathOf(routes.killPreviews, { instanceId: 'prod-orders' });

  it('reads a runbook paste, previews the valid ids with the rejected tokens listed, and a cancelled preview keeps the text', async () => {
    const http = stubHttp(
      ...baseHandlers(),
      handle('POST', PREVIEWS, KillPreview, (req) => preview({ targets: (req.body as { sessionIds: number[] }).sessionIds.map((id) => session(id)) })),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await user.click(await screen.findByRole('button', { name: 'Kill by pasted IDs…' }));
    const paste = await screen.findByRole('dialog');
    const pasted = 'KILL 445; KILL 446;\n| 447 | app_rw | 10.0.0.8 | orders |\n0 44x';
    await user.click(within(paste).getByLabelText('Session IDs'));
    await user.paste(pasted);
    expect(within(paste).getByText(/3 ids read: 445, 446, 447/)).toBeTruthy();
    expect(within(paste).getByRole('list', { name: 'Tokens not read' }).textContent).toBe('0 — 0 is not a session id44x — not a number');
    await user.click(within(paste).getByRole('button', { name: 'Preview kill' }));

    const previewDialog = await screen.findByRole('dialog', { name: /Kill 3 sessions/ });
    expect(http.calls('POST', PREVIEWS)[0]?.body).toEqual({ user: 'app_rw', sessionIds: [445, 446, 447] });
    expect(within(previewDialog).getByRole('list', { name: 'Tokens not read' }).textContent).toContain('44x — not a number');
    await user.click(within(previewDialog).getByRole('button', { name: 'Cancel' }));

    const back = await screen.findByRole('dialog', { name: /Kill by pasted IDs/ });
    expect((within(back).getByLabelText('Session IDs') as HTMLTextAreaElement).value).toBe(pasted);
  });

  it('says "nothing to kill" when no pasted id exists any more, with no reason and no kill button', async () => {
    stubHttp(
      ...baseHandlers(),
      handle('POST', PREVIEWS, KillPreview, () =>
        preview({ targets: [], excluded: [{ sessionId: 9001, reason: 'not-found', explanation: 'no such session for user app_rw' }] }),
      ),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await user.click(await screen.findByRole('button', { name: 'Kill by pasted IDs…' }));
    await user.type(within(await screen.findByRole('dialog')).getByLabelText('Session IDs'), '9001');
    await user.click(screen.getByRole('button', { name: 'Preview kill' }));
    const dialog = await screen.findByRole('dialog', { name: /Nothing to kill on prod-orders/ });
    expect(within(dialog).getByRole('heading', { name: 'Nothing to kill' })).toBeTruthy();
    expect(within(dialog).queryByLabelText('Reason')).toBeNull();
    expect(within(dialog).queryByRole('button', { name: /^Kill/ })).toBeNull();
    expect(within(dialog).getByRole('button', { name: 'Close' })).toBeTruthy();
  });
});

describe('group chips', () => {
  const byFilter = (all: ReturnType<typeof session>[]) =>
    handleSessionList(SESSIONS, (req) => {
      const database = req.url.searchParams.get('database');
      const sessions = database ? all.filter((s) => s.database === database) : all;
      return { instanceId: 'prod-orders', sessions, count: sessions.length, fetchedAt: new Date().toISOString() };
    });
  const rows = [session(101, { database: 'orders' }), session(102, { database: '' }), session(103, { database: 'stock' })];

  it('"(none)" database shows the sessions without a database, without listing again', async () => {
    const http = stubHttp(...baseHandlers(), byFilter(rows));
    const { user, router } = renderApp('/instances/prod-orders/sessions?user=app_rw&sort=id');
    await screen.findByRole('checkbox', { name: 'Select session 103' });
    const fetches = http.calls('GET', SESSIONS).length;
    await user.click(await screen.findByRole('button', { name: '(none) 1' }));
    await waitFor(() => expect(rowIds()).toEqual([102]));
    expect(router.state.location.search).toContain('nodb=1');
    expect(router.state.location.search).not.toContain('database');
    expect(http.calls('GET', SESSIONS)).toHaveLength(fetches);
    expect(screen.getByRole('button', { name: '(none) 1' }).getAttribute('aria-pressed')).toBe('true');
    await user.click(screen.getByRole('button', { name: '(none) 1' }));
    await waitFor(() => expect(rowIds()).toEqual([101, 102, 103]));
  });

  it('a database chip says it lists again, and keeps the selected sessions that still match', async () => {
    const http = stubHttp(...baseHandlers(), byFilter(rows));
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw&sort=id');
    await user.click(await screen.findByRole('checkbox', { name: 'Select session 101' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select session 103' }));
    const chip = screen.getByRole('button', { name: 'orders 1' });
    expect(chip).toHaveProperty('title', expect.stringMatching(/^List again for database orders only/));
    expect(document.getElementById(chip.getAttribute('aria-describedby') ?? '')?.textContent).toMatch(/Lists the sessions again from the server; selected sessions that still match stay selected/);
    await user.click(chip);
    await waitFor(() => expect(http.calls('GET', SESSIONS).some((r) => r.url.searchParams.get('database') === 'orders')).toBe(true));
    await waitFor(() => expect(rowIds()).toEqual([101]));
    await waitFor(() => expect((screen.getByRole('checkbox', { name: 'Select session 101' }) as HTMLInputElement).checked).toBe(true));
    expect(screen.getByRole('button', { name: 'Kill 1 session…' })).toBeTruthy();
  });
});

describe('exact names', () => {
  it('says the user and database fields match exactly, and names the exact filter that listed nothing', async () => {
    stubHttp(...baseHandlers([]));
    renderApp('/instances/prod-orders/sessions?user=ux');
    const heading = await screen.findByRole('heading', { name: 'No sessions for user ux (exact match)' });
    expect(heading.querySelector('code')?.textContent).toBe('ux');
    const note = /match the exact name/;
    const describedBy = (label: string) => document.getElementById(screen.getByLabelText(label).getAttribute('aria-describedby') ?? '')?.textContent ?? '';
    expect(describedBy('User')).toMatch(note);
    expect(describedBy('Database')).toMatch(note);
  });
});

describe('focus and history around dialogs', () => {
  it('puts focus back on the button that opened the preview when it closes', async () => {
    stubHttp(...baseHandlers(), handle('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }), KillPreview, () => preview()));
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await user.click(await screen.findByRole('checkbox', { name: 'Select session 101' }));
    const opener = screen.getByRole('button', { name: 'Kill 1 session…' });
    await user.click(opener);
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByLabelText('Reason');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(opener);
  });

  it('Browser Back while the preview is open closes it and leaves the filter as it was', async () => {
    stubHttp(...baseHandlers(), handle('POST', pathOf(routes.killPreviews, { instanceId: 'prod-orders' }), KillPreview, () => preview()));
    const { user, router } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await screen.findByRole('checkbox', { name: 'Select session 101' });
    await user.type(screen.getByLabelText('Database'), 'orders');
    await user.click(screen.getByRole('button', { name: 'List sessions' }));
    await waitFor(() => expect(router.state.location.search).toContain('database=orders'));
    await user.click(await screen.findByRole('checkbox', { name: 'Select session 101' }));
    await user.click(screen.getByRole('button', { name: 'Kill 1 session…' }));
    await within(await screen.findByRole('dialog')).findByLabelText('Reason');

    await act(() => router.navigate(-1));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(router.state.location.search).toContain('database=orders');
    expect((screen.getByLabelText('Database') as HTMLInputElement).value).toBe('orders');

    // with no dialog open, Back goes back as usual
    await act(() => router.navigate(-1));
    await waitFor(() => expect(router.state.location.search).not.toContain('database=orders'));
  });
});

describe('broad kill', () => {
  it('lists again after the kill and says what is still there, the unverified rows folded away', async () => {
    let killed = false;
    stubHttp(
      handle('GET', pathOf(routes.me), MeResponse, () => me({ role: 'admin' })),
      ...baseHandlers().slice(1, 2),
      handleSessionList(SESSIONS, () => {
        const sessions = killed ? [session(104)] : [session(101), session(102), session(103)];
        return { instanceId: 'prod-orders', sessions, count: sessions.length, fetchedAt: new Date().toISOString() };
      }),
      handle('POST', pathOf(routes.broadKills, { instanceId: 'prod-orders' }), KillResult, () => {
        killed = true;
        return killResult({
          mode: 'broad',
          verification: 'unverifiable',
          outcomes: [101, 102, 103].map((sessionId) => ({ sessionId, outcome: 'sent-unverified' as const })),
          summary: { 'sent-unverified': 3 },
        });
      }),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await screen.findByRole('checkbox', { name: 'Select session 101' });
    await user.click(screen.getByRole('button', { name: 'Broad kill (admin)…' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Reason'), 'INC-9 connection storm');
    await user.type(within(dialog).getByLabelText('Type the instance name to confirm'), 'prod-orders');
    await user.click(within(dialog).getByRole('button', { name: 'Kill every matching session, unverified' }));

    await waitFor(() => expect(within(dialog).getByText(/^Listed again after the kill/)).toBeTruthy());
    expect(within(dialog).getByText(/^Listed again after the kill/).textContent).toBe(
      'Listed again after the kill: 1 session still matches user app_rw (104). They survived the kill or started after it.',
    );
    const sent = within(dialog).getByText(/What was sent: 3 sessions, each unverified/).closest('details');
    expect(sent?.open).toBe(false);
  });
});

describe('name suggestions', () => {
  const SUGGESTIONS = /^\/api\/instances\/prod-orders\/filter-suggestions$/;
  const suggested = (over: Partial<FilterSuggestionsResponse> = {}): FilterSuggestionsResponse => ({
    instanceId: 'prod-orders',
    users: [
      { name: 'etl', sources: ['recent-kill', 'open-transaction'], lastKilledAt: '2026-12-01T03:00:00.000Z', openTransactions: 2 },
      { name: 'app_rw', sources: ['recent-kill'], lastKilledAt: '2026-12-01T02:00:00.000Z', openTransactions: 0 },
    ],
    databases: [{ name: 'ledger', sources: ['open-transaction'], lastKilledAt: null, openTransactions: 1 }],
    transactionsError: null,
    fetchedAt: '2026-12-01T03:10:00.000Z',
    ...over,
  });
  /** The options of a field's datalist: name and what the browser shows beside it. */
  const options = (label: string) => {
    const id = screen.getByLabelText(label).getAttribute('list') ?? '';
    return [...(document.getElementById(id)?.querySelectorAll('option') ?? [])].map((o) => [o.value, o.getAttribute('label')]);
  };

  it('suggests names from open transactions, recent filters, recent kills and the listing, each labelled, read once however much is typed', async () => {
    localStorage.setItem('quell.recentFilters.prod-orders', JSON.stringify([{ user: 'billing_ro' }, { database: 'orders' }]));
    const http = stubHttp(...baseHandlers([session(101, { user: 'app_rw', database: 'orders' }), session(102, { user: 'ux_app', database: '' })]), handle('GET', SUGGESTIONS, FilterSuggestionsResponse, () => suggested()));
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await screen.findByRole('checkbox', { name: 'Select session 102' });
    await waitFor(() => expect(options('User')[0]).toEqual(['etl', '2 open transactions · from recent kills']));
    expect(options('User')).toEqual([
      ['etl', '2 open transactions · from recent kills'],
      ['app_rw', 'listed recently here · from recent kills · in this listing'],
      ['billing_ro', 'listed recently here'],
      ['ux_app', 'in this listing'],
    ]);
    expect(options('Database')).toEqual([
      ['ledger', 'has an open transaction'],
      ['orders', 'listed recently here · in this listing'],
    ]);
    expect(screen.getByText(/Press ↓ in a field for suggested names/)).toBeTruthy();
    await user.type(screen.getByLabelText('User'), '{Control>}a{/Control}ux_a');
    await user.type(screen.getByLabelText('Database'), 'led');
    expect(http.calls('GET', SUGGESTIONS)).toHaveLength(1);
  });

  it('with nothing listed yet, offers the suggested names as buttons that list by them, and says when open transactions could not be read', async () => {
    const http = stubHttp(...baseHandlers(), handle('GET', SUGGESTIONS, FilterSuggestionsResponse, () => suggested({ transactionsError: { code: 'UPSTREAM_ERROR', message: 'DAS metadata-lock listing failed' } })));
    const { user, router } = renderApp('/instances/prod-orders/sessions');
    const box = (await screen.findByRole('heading', { name: 'Open transactions and recent kills on this instance' })).parentElement!;
    expect(within(box).getAllByRole('button').map((b) => b.textContent)).toEqual([
      'user etl — 2 open transactions · from recent kills',
      'user app_rw — from recent kills',
      'database ledger — has an open transaction',
    ]);
    expect(within(box).getByText('The open transactions could not be read: DAS metadata-lock listing failed.')).toBeTruthy();
    await user.click(within(box).getByRole('button', { name: /^database ledger/ }));
    await waitFor(() => expect(router.state.location.search).toBe('?database=ledger'));
    await waitFor(() => expect(http.calls('GET', SESSIONS).some((r) => r.url.searchParams.get('database') === 'ledger')).toBe(true));
  });

  it('without the suggestions (the BFF failed) the fields still suggest the recent filters and the listing', async () => {
    localStorage.setItem('quell.recentFilters.prod-orders', JSON.stringify([{ user: 'billing_ro' }]));
    stubHttp(...baseHandlers([session(101, { user: 'app_rw' })]), handleError('GET', SUGGESTIONS, 'UPSTREAM_ERROR'));
    renderApp('/instances/prod-orders/sessions?user=app_rw');
    await screen.findByRole('checkbox', { name: 'Select session 101' });
    await waitFor(() => expect(options('User').map(([v]) => v)).toEqual(['app_rw', 'billing_ro']));
  });
});

describe('blind ids', () => {
  it('reports the ids the listing did not have before the kill', async () => {
    let killed = false;
    stubHttp(
      handle('GET', pathOf(routes.me), MeResponse, () => me({ role: 'admin' })),
      ...baseHandlers().slice(1, 2),
      handleSessionList(SESSIONS, () => {
        const sessions = killed ? [] : [session(101), session(102)];
        return { instanceId: 'prod-orders', sessions, count: sessions.length, fetchedAt: new Date().toISOString() };
      }),
      handle('POST', pathOf(routes.blindKills, { instanceId: 'prod-orders' }), KillResult, () => {
        killed = true;
        return killResult({
          mode: 'blind',
          verification: 'unverifiable',
          outcomes: [101, 999].map((sessionId) => ({ sessionId, outcome: 'sent-unverified' as const })),
          summary: { 'sent-unverified': 2 },
        });
      }),
    );
    const { user } = renderApp('/instances/prod-orders/sessions?user=app_rw');
    await screen.findByRole('checkbox', { name: 'Select session 101' });
    await user.click(screen.getByRole('button', { name: 'Kill by pasted IDs…' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Session IDs'), '101 999');
    await user.click(within(dialog).getByLabelText(/Blind mode/));
    expect(within(dialog).getByText(/1 id is not in the listing of user app_rw \(999\)/)).toBeTruthy();
    await user.type(within(dialog).getByLabelText('Reason'), 'INC-3 alert ids');
    await user.click(within(dialog).getByRole('button', { name: /unverified$/ }));
    expect(await within(dialog).findByText(/1 id was not in the listing of user app_rw before the kill \(999\)/)).toBeTruthy();
    // the listing after the kill is empty: the note still names only what was missing before
    await waitFor(() => expect(screen.queryByRole('checkbox', { name: 'Select session 101' })).toBeNull());
    expect(within(dialog).getByText(/1 id was not in the listing/)).toBeTruthy();
  });
});
