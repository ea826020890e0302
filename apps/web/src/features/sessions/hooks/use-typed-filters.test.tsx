import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, renderHook } from '@testing-library/react';
import { MemoryRouter, useLocation, useNavigationType } from 'react-router';
import { TYPING_URL_DELAY_MS, useTextFilters, useTypedFilters } from './use-typed-filters';

function renderFilters(url: string) {
  const wrapper = ({ children }: { children: ReactNode }) => <MemoryRouter initialEntries={[url]}>{children}</MemoryRouter>;
  return renderHook(
    () => {
      const typed = useTypedFilters();
      return { ...typed, withText: useTextFilters(typed.filters, typed.typedText), search: useLocation().search, navigation: useNavigationType() };
    },
    { wrapper },
  );
}

describe('useTypedFilters', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('filters by typed text at once and writes it to the URL once typing pauses', () => {
    const { result } = renderFilters('/?user=app');
    act(() => result.current.change({ q: '42' }));
    expect(result.current.withText.q).toBe('42');
    // the view around the filtered rows does not follow the keystroke
    expect(result.current.filters.q).toBeUndefined();
    expect(result.current.urlFilters.q).toBeUndefined();
    expect(result.current.search).not.toContain('q=');
    act(() => vi.advanceTimersByTime(TYPING_URL_DELAY_MS - 1));
    expect(result.current.search).not.toContain('q=');
    act(() => vi.advanceTimersByTime(1));
    expect(result.current.search).toContain('q=42');
    expect(result.current.search).toContain('user=app');
    expect(result.current.filters.q).toBe('42');
    expect(result.current.withText.q).toBe('42');
  });

  it('a filter change that empties the typed text shows it emptied, and the URL it writes rules after', () => {
    const { result } = renderFilters('/?user=app&q=select');
    act(() => result.current.change({ q: 'select 1' }));
    expect(result.current.withText.q).toBe('select 1');
    act(() => result.current.update({ q: undefined, command: undefined }, { replace: true }));
    expect(result.current.search).not.toContain('q=');
    expect(result.current.withText.q).toBeUndefined();
    // the text is dropped with the write: a URL from elsewhere (the back button) is shown as it is
    expect(result.current.typedText.get()).toBeNull();
  });

  it('writes pending typed text along with any other filter change, at once', () => {
    const { result } = renderFilters('/?user=app');
    act(() => result.current.change({ host: '10.0.0.8' }));
    act(() => result.current.change({ command: 'Sleep' }));
    expect(result.current.search).toContain('host=10.0.0.8');
    expect(result.current.search).toContain('command=Sleep');
  });

  it('a user or database chip adds a history entry; a host or command chip replaces it', () => {
    const { result } = renderFilters('/?user=app');
    act(() => result.current.pickGroup('command', 'Query', true));
    expect(result.current.filters.command).toBe('Query');
    expect(result.current.navigation).toBe('REPLACE');
    act(() => result.current.pickGroup('database', 'orders', true));
    expect(result.current.filters.database).toBe('orders');
    expect(result.current.navigation).toBe('PUSH');
    act(() => result.current.pickGroup('database', 'orders', false));
    expect(result.current.filters.database).toBeUndefined();
    expect(result.current.filters.command).toBe('Query');
  });

  it('the "(none)" database chip filters the listing for sessions without a database, and off again', () => {
    const { result } = renderFilters('/?user=app');
    act(() => result.current.pickGroup('database', '', true));
    expect(result.current.filters).toMatchObject({ user: 'app', noDatabase: true });
    expect(result.current.filters.database).toBeUndefined();
    expect(result.current.navigation).toBe('REPLACE');
    act(() => result.current.pickGroup('database', '', false));
    expect(result.current.filters.noDatabase).toBeUndefined();
    expect(result.current.filters.user).toBe('app');
  });
});
