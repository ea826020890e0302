import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DEFAULT_SORT, type SessionFilters } from '../utils/session-filters';
import { ClientFilters } from './client-filters';

function Harness({ initial }: { initial: SessionFilters }) {
  const [filters, setFilters] = useState(initial);
  return (
    <>
      <ClientFilters filters={filters} commands={['Query', 'Sleep']} onChange={(patch) => setFilters((f) => ({ ...f, ...patch }))} />
      <output data-testid="state">{JSON.stringify(filters)}</output>
      <button type="button" onClick={() => setFilters({ sort: DEFAULT_SORT })}>
        reset
      </button>
    </>
  );
}

const state = () => JSON.parse(screen.getByTestId('state').textContent ?? '{}') as SessionFilters;

describe('ClientFilters', () => {
  it('keeps what the operator types while the filter takes effect', async () => {
    const user = userEvent.setup();
    render(<Harness initial={{ sort: DEFAULT_SORT }} />);
    const min = screen.getByLabelText('Time at least');
    await user.type(min, '5m');
    expect((min as HTMLInputElement).value).toBe('5m');
    expect(state().minTime).toBe(300);
    await user.type(min, '30s');
    expect((min as HTMLInputElement).value).toBe('5m30s');
    expect(state().minTime).toBe(330);
    await user.type(screen.getByLabelText('Host'), '10.0.0.8 ');
    expect((screen.getByLabelText('Host') as HTMLInputElement).value).toBe('10.0.0.8 ');
    expect(state().host).toBe('10.0.0.8');
    await user.selectOptions(screen.getByLabelText('Command'), 'Sleep');
    expect(state().command).toBe('Sleep');
  });

  it('shows an unreadable time without applying it, and follows outside resets', async () => {
    const user = userEvent.setup();
    render(<Harness initial={{ sort: DEFAULT_SORT, q: 'select', minTime: 60 }} />);
    expect((screen.getByLabelText('SQL contains') as HTMLInputElement).value).toBe('select');
    expect((screen.getByLabelText('Time at least') as HTMLInputElement).value).toBe('1m00s');
    await user.clear(screen.getByLabelText('Time at least'));
    await user.type(screen.getByLabelText('Time at least'), 'soon');
    expect(screen.getByText('e.g. 30s, 5m, 1h')).toBeTruthy();
    expect(state().minTime).toBeUndefined();
    await user.click(screen.getByRole('button', { name: 'reset' }));
    expect((screen.getByLabelText('SQL contains') as HTMLInputElement).value).toBe('');
  });
});
