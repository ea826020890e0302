import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { preview, session } from '@/testing/fixtures';
import { KillPreviewPanel } from './kill-preview-panel';

function setup(over: Partial<Parameters<typeof KillPreviewPanel>[0]> = {}) {
  const onCommit = vi.fn();
  const user = userEvent.setup();
  const props = { preview: preview(), onCommit, onCancel: vi.fn(), pending: false, error: null, ...over };
  const utils = render(<KillPreviewPanel {...props} />);
  return { ...utils, user, onCommit, props };
}

describe('KillPreviewPanel', () => {
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
    rerender(<KillPreviewPanel {...props} pending />);
    const commit = screen.getByRole('button', { name: /Killing 2/ }) as HTMLButtonElement;
    expect(commit.disabled).toBe(true);
    await user.click(commit);
    expect(onCommit).not.toHaveBeenCalled();
  });

  it('cannot commit an empty target list', async () => {
    const { user } = setup({ preview: preview({ targets: [] }) });
    await user.type(screen.getByLabelText('Reason'), 'INC-1 runaway');
    expect((screen.getByRole('button', { name: 'Kill 0 sessions' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/Nothing to kill/)).toBeTruthy();
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
