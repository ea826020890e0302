import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import { session } from '@/testing/fixtures';
import { SessionsTable } from './sessions-table';

const renderTable = (count: number) =>
  render(
    <SessionsTable
      sessions={Array.from({ length: count }, (_, i) => session(i + 1, { database: i === 0 ? '' : 'orders' }))}
      sort={{ id: 'id', desc: false }}
      onSortChange={vi.fn()}
      selected={new Set()}
      onRowClick={vi.fn()}
      onToggleAllShown={vi.fn()}
      fetchedAt={Date.now()}
      resetKey=""
    />,
  );

describe('SessionsTable', () => {
  it('draws a cell under every header, and the scroll spacer spans them all', () => {
    const { container } = renderTable(200);
    const table = screen.getByRole('table', { name: 'Sessions' });
    const headers = within(table).getAllByRole('columnheader');
    expect(headers.map((h) => h.textContent?.replace(/[▲▼↕]/g, '').trim())).toEqual(['', 'ID', 'User', 'Host', 'Database', 'Command', 'Time', 'Trx', 'State', 'SQL', 'Blocked by', 'Blocking']);
    const rows = container.querySelectorAll('tbody tr[data-session-id]');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(200);
    for (const row of rows) expect(row.querySelectorAll('td')).toHaveLength(headers.length);
    const spacer = container.querySelector<HTMLTableCellElement>('tbody tr[aria-hidden="true"] td');
    expect(spacer?.colSpan).toBe(headers.length);
  });

  it('on a phone keeps the id, user, time and SQL columns, header and cells alike', () => {
    const { container } = renderTable(3);
    const table = screen.getByRole('table', { name: 'Sessions' });
    const phoneOnly = (el: Element) => !el.className.split(/\s+/).includes('hidden');
    const headers = within(table).getAllByRole('columnheader');
    expect(headers.filter(phoneOnly).map((h) => h.textContent?.replace(/[▲▼↕]/g, '').trim())).toEqual(['', 'ID', 'User', 'Time', 'SQL']);
    const cells = [...container.querySelectorAll('tbody tr[data-session-id="1"] td')];
    expect(cells.map(phoneOnly)).toEqual(headers.map(phoneOnly));
  });

  it('shows "—" for an empty database, transaction time and lock, each cell named "none"', () => {
    renderTable(2);
    const [, first, second] = screen.getAllByRole('row') as HTMLTableRowElement[];
    const none = (row: HTMLTableRowElement) => within(row).getAllByRole<HTMLTableCellElement>('cell', { name: 'none' }).map((c) => c.cellIndex);
    // database, trx, blocked by, blocking; the second row has a database
    expect(none(first!)).toEqual([4, 7, 10, 11]);
    expect(none(second!)).toEqual([7, 10, 11]);
    for (const i of none(first!)) expect(first!.cells[i]?.textContent).toBe('—');
    expect(second!.cells[4]?.textContent).toBe('orders');
  });
});
