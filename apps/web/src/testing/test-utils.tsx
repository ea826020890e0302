import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { AppProvider } from '@/app/provider';
import { routeObjects } from '@/app/router';
import { setCsrfToken } from '@/lib/api-client';
import { createQueryClient } from '@/lib/query-client';

/** The whole app at `url`, with a fresh QueryClient that never retries. */
export function renderApp(url: string) {
  setCsrfToken(null);
  const queryClient = createQueryClient({ retry: false });
  const router = createMemoryRouter(routeObjects, { initialEntries: [url] });
  const user = userEvent.setup();
  const utils = render(
    <AppProvider queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProvider>,
  );
  return { ...utils, user, router, queryClient };
}

/** One component with the providers it needs. */
export function renderWithProviders(ui: ReactElement) {
  const queryClient = createQueryClient({ retry: false });
  const router = createMemoryRouter([{ path: '*', element: ui }], { initialEntries: ['/'] });
  const user = userEvent.setup();
  const utils = render(
    <AppProvider queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProvider>,
  );
  return { ...utils, user, queryClient };
}
