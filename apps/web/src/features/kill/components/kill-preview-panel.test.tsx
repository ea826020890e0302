import { useState, type ComponentProps } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { preview, session } from '@/testing/fixtures';
import { KillPreviewPanel } from './kill-preview-panel';

type PanelProps = ComponentProps<typeof KillPreviewPanel>;
type Over = Partial<Omit<PanelProps, 'reason' | 'onReasonChange' | 'typed' | 'onTypedChange'>>;

/** The panel with its reason and typed name held the way the dialog holds them. */
function Harness(props: Omit<PanelProps, 'reason' | 'onReasonChange' | 'typed' | 'onTypedChange'>) {
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  return <KillPreviewPanel {...props} reason={reason} onReasonChange={setReason} typed={typed} onTypedChange={setTyped} />;
}

const FIVE_MINUTES = 5 * 60_000;

function setup(over: Over = {}) {
  const onCommit = vi.fn();
  const onRepreview = vi.fn();
  const user = userEvent.setup();
  const props = { preview: preview(), receivedAt: Date.now(), onCommit, onRepreview, onCancel: vi.fn(), pending: false, error: null, ...over };
  const utils = render(<Harness {...props} />);
  return { ...utils, user, onCommit, onRepreview, props };
}

describe('KillPreviewPanel', () => {
  it('says when the two-person rule turns the kill into an approval request: only above the cap', () => {
    const above = setup({ preview: preview({ requiresTypedConfirmation: true, blastRadiusCap: 1 }), twoPersonRule: true });
    expect(screen.getByRole('note').textContent).toContain('Two-person rule: above the cap on prod-orders');
    above.unmount();
    const below = setup({ preview: preview({ requiresTypedConfirmation: false }), twoPersonRule: true });
    expect(screen.queryByText(/Two-person rule/)).toBeNull();
    below.unmount();
    setup({ preview: preview({ requiresTypedConfirmation: true, blastRadiusCap: 1 }) });
    expect(screen.queryByText(/Two-person rule/)).toBeNull();
  });

  it('lists what will die and what is excluded, with the reason', () => {
    setup();
    expect(screen.getByRole('heading', { name: '2 sessions will be killed' })).toBeTruthy();
    const targets = screen.getByRole('table', { name: 'Sessions that will be killed' });
    expect(targets.textContent).toContain('11');
    expect(targets.textContent).toContain('12');
    expect(screen.getByRole('list', { name: 'Excluded sessions' }).textContent).toMatch(/77.*replication — protected/);
  });

  it('keeps the commit disabled until a reason is given, and names the count', async () => {
    const { user, onCommit } = setup();
    const commit = screen.getByRole('button', { name: 'Kill 2 sessions' });
    expect((commit as HTMLButtonElement).disabled).toBe(true);
    await user.type(screen.getByLabelText('Reason'), 'ab');
    expect((commit as HTMLButtonElement).disabled).toBe(true);
    await user.type(screen.getByLabelText('Reason'), 'c');
    expect((commit as HTMLButtonElement).disabled).toBe(false);
    await user.click(commit);
    expect(onCommit).toHaveBeenCalledWith({ reason: 'abc' });
  });

  it('uses the singular for one session', () => {
    setup({ preview: preview({ targets: [session(5)] }) });
    expect(screen.getByRole('button', { name: 'Kill 1 session' })).toBeTruthy();
  });

  it('a quick pick fills the reason', async () => {
    const { user } = setup();
    await user.click(screen.getByRole('button', { name: 'Runaway query' }));
    expect((screen.getByLabelText('Reason') as HTMLInputElement).value).toBe('Runaway query');
    expect((screen.getByRole('button', { name: 'Kill 2 sessions' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('asks for the typed instance name when the preview requires it', async () => {
    const { user, onCommit } = setup({ preview: preview({ requiresTypedConfirmation: true }) });
    await user.type(screen.getByLabelText('Reason'), 'INC-1 runaway');
    const commit = screen.getByRole('button', { name: 'Kill 2 sessions' }) as HTMLButtonElement;
    expect(commit.disabled).toBe(true);
    const typed = screen.getByLabelText('Type the instance name to confirm');
    await user.type(typed, 'prod-order');
    expect(commit.disabled).toBe(true);
    await user.type(typed, 's');
    expect(commit.disabled).toBe(false);
    await user.click(commit);
    expect(onCommit).toHaveBeenCalledWith({ reason: 'INC-1 runaway', confirmInstanceName: 'prod-orders' });
  });

  it('does not ask for the typed name when the preview does not require it', () => {
    setup();
    expect(screen.queryByLabelText('Type the instance name to confirm')).toBeNull();
  });

  it('never commits on Enter in a text field', async () => {
    const { user, onCommit } = setup({ preview: preview({ requiresTypedConfirmation: true }) });
    await user.type(screen.getByLabelText('Reason'), 'INC-1 runaway{Enter}');
    await user.type(screen.getByLabelText('Type the instance name to confirm'), 'prod-orders{Enter}');
    expect(onCommit).not.toHaveBeenCalled();
    expect((screen.getByRole('button', { name: 'Kill 2 sessions' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('is disabled while the commit is in flight', async () => {
    const { user, onCommit, rerender, props } = setup();
    await user.type(screen.getByLabelText('Reason'), 'INC-1 runaway');
    rerender(<Harness {...props} pending />);
    const commit = screen.getByRole('button', { name: /Killing 2/ }) as HTMLButtonElement;
    expect(commit.disabled).toBe(true);
    await user.click(commit);
    expect(onCommit).not.toHaveBeenCalled();
  });

  it('offers no reason and no kill for an empty target list', () => {
    setup({ preview: preview({ targets: [] }) });
    expect(screen.getByRole('heading', { name: 'Nothing to kill' })).toBeTruthy();
    expect(screen.queryByLabelText('Reason')).toBeNull();
    expect(screen.queryByRole('button', { name: /^Kill/ })).toBeNull();
    expect(screen.getByRole('button', { name: 'Close' })).toBeTruthy();
  });
});

describe('KillPreviewPanel shows what dies', () => {
  it('lists command, state, transaction age and the database of each target, "—" when there is none', () => {
    setup({ preview: preview({ targets: [session(11, { database: '', command: 'Sleep', state: '', sql: '', trxExecutedTime: 125 }), session(12, { state: 'Sending data' })] }) });
    const table = screen.getByRole('table', { name: 'Sessions that will be killed' });
    const headers = within(table).getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).toEqual(['ID', 'User', 'Host', 'DB', 'Command', 'State', 'Time', 'Trx age']);
    // one row of cells per target; a phone hides host, DB, command and state there and shows them on a line below
    const rows = within(table).getAllByRole('row').slice(1);
    const [first, second] = rows.filter((r) => r.querySelectorAll('td').length > 1);
    expect(rows.map((r) => r.textContent)).toContain('10.0.0.8:50011 · — · Sleep · —');
    const cells = (row: HTMLElement | undefined) => within(row as HTMLElement).getAllByRole('cell').map((c) => c.textContent);
    expect(cells(first)).toEqual(['11', 'app_rw', '10.0.0.8:50011', '—', 'Sleep', '—', '11s', '2m 05s']);
    expect(cells(second)).toEqual(['12', 'app_rw', '10.0.0.8:50012', 'orders', 'Query', 'Sending data', '12s', '—']);
  });

  it('shows each statement in full on its own line, a long one behind a per-row button', async () => {
    const long = `SELECT ${'a_long_column_name, '.repeat(40)}1 FROM orders`;
    const { user } = setup({ preview: preview({ targets: [session(11), session(12, { sql: long })] }) });
    const table = screen.getByRole('table', { name: 'Sessions that will be killed' });
    expect(table.textContent).toContain('SELECT * FROM orders WHERE id = 11');
    expect(table.textContent).not.toContain(long);
    await user.click(screen.getByRole('button', { name: /Show the full statement of session 12/ }));
    expect(table.textContent).toContain(long);
    expect(screen.getByRole('button', { name: 'Shorten the statement of session 12' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('says what changed since the preview it replaces', () => {
    setup({ previous: preview({ targets: [session(11), session(13)] }) });
    expect(screen.getByRole('status').textContent).toBe('Since the previous preview: 1 new target (12) · 1 no longer a target, gone or now excluded (13)');
  });
});

describe('KillPreviewPanel not-found ids', () => {
  const excluded = [
    { sessionId: 501, reason: 'not-found' as const, explanation: 'no such session for user app_rw' },
    { sessionId: 502, reason: 'not-found' as const, explanation: 'no such session for user app_rw' },
    { sessionId: 503, reason: 'not-found' as const, explanation: 'no such session for user app_rw' },
    { sessionId: 77, reason: 'replication' as const, explanation: 'system user: replication thread' },
  ];

  it('names them once, telling the gone ones from those the listing never had', () => {
    setup({ preview: preview({ excluded }), listedIds: new Set([11, 12, 501]) });
    const section = screen.getByRole('region', { name: '4 excluded' });
    expect(section.textContent).toContain("1 id gone since the listing: 501");
    expect(section.textContent).toContain("2 ids not sessions of user app_rw: gone, or another user's or database's: 502, 503");
    expect(within(section).getByRole('list', { name: 'Excluded sessions' }).textContent).toMatch(/77.*replication — protected/);
    expect(section.textContent).not.toContain('no such session');
  });

  it('without a listing, says they are gone or not the filter\'s', () => {
    setup({ preview: preview({ excluded }) });
    expect(screen.getByRole('region', { name: '4 excluded' }).textContent).toContain('3 ids not found: gone, or not sessions of user app_rw: 501, 502, 503');
  });
});

describe('KillPreviewPanel validity', () => {
  afterEach(() => vi.useRealTimers());

  it('counts down the time the preview stays valid', () => {
    vi.useFakeTimers();
    setup({ receivedAt: Date.now() - 60_000 });
    expect(screen.getByRole('timer').textContent).toBe('Valid for 4:00');
    act(() => vi.advanceTimersByTime(1_000));
    expect(screen.getByRole('timer').textContent).toBe('Valid for 3:59');
    act(() => vi.advanceTimersByTime(239_000));
    expect(screen.getByRole('timer').textContent).toMatch(/Preview expired/);
    expect(screen.queryByRole('button', { name: 'Kill 2 sessions' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Preview again' })).toBeTruthy();
  });

  it('once expired, offers "Preview again" instead of the kill, keeping what was typed', async () => {
    const { user, onCommit, onRepreview } = setup({ receivedAt: Date.now() - FIVE_MINUTES - 1 });
    await user.type(screen.getByLabelText('Reason'), 'INC-1 runaway');
    await user.click(screen.getByRole('button', { name: 'Preview again' }));
    expect(onRepreview).toHaveBeenCalledTimes(1);
    expect(onCommit).not.toHaveBeenCalled();
    expect((screen.getByLabelText('Reason') as HTMLInputElement).value).toBe('INC-1 runaway');
  });
});

describe('KillPreviewPanel for a viewer', () => {
  it('shows the preview but offers no way to commit', () => {
    setup({ readOnly: true });
    expect(screen.getByRole('heading', { name: '2 sessions will be killed' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Kill/ })).toBeNull();
    expect(screen.queryByLabelText('Reason')).toBeNull();
    expect(screen.getByRole('note').textContent).toMatch(/preview a kill but not carry it out/);
  });
});
