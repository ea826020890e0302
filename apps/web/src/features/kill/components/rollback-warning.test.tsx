import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { preview } from '@/testing/fixtures';
import { KillPreviewPanel } from './kill-preview-panel';
import { RollbackWarning, rollbackText } from './rollback-warning';

describe('RollbackWarning', () => {
  it('says how many rows roll back and how long the transaction is open', () => {
    render(<RollbackWarning risks={[{ sessionId: 42, rowsModified: 1204, trxAgeSeconds: 366 }]} />);
    const alert = screen.getByRole('alert', { name: 'Rollback warning' });
    expect(alert.textContent).toContain('Session 42: 1,204 rows modified, transaction open 6 min: the kill rolls it back, which can take a while.');
  });

  it('uses seconds below a minute and the singular for one row', () => {
    expect(rollbackText({ sessionId: 1, rowsModified: 1, trxAgeSeconds: 40 })).toBe('1 row modified, transaction open 40 s: the kill rolls it back, which can take a while');
  });

  it('shows nothing without risk, and says so when the server could not check', () => {
    const { container, rerender } = render(<RollbackWarning risks={[]} />);
    expect(container.textContent).toBe('');
    rerender(<RollbackWarning risks={undefined} />);
    expect(screen.getByRole('note').textContent).toMatch(/could not check the targets for open transactions/);
  });

  it('is rendered by the kill preview', () => {
    render(
      <KillPreviewPanel
        preview={preview({ rollbackRisks: [{ sessionId: 11, rowsModified: 3, trxAgeSeconds: 120 }] })}
        receivedAt={Date.now()}
        reason=""
        onReasonChange={() => {}}
        typed=""
        onTypedChange={() => {}}
        onCommit={() => {}}
        onRepreview={() => {}}
        onCancel={() => {}}
        pending={false}
        error={null}
      />,
    );
    expect(screen.getByRole('alert', { name: 'Rollback warning' }).textContent).toContain('3 rows modified, transaction open 2 min');
  });
});
