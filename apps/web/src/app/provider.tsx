import { useEffect, useState, type ReactNode } from 'react';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { authQueries } from '@/features/auth/api/auth-queries';
import { setCsrfToken } from '@/lib/api-client';
import { createQueryClient, onUnauthenticated } from '@/lib/query-client';

/** Server state for the whole app; a 401 anywhere signs the operator out (the layout then shows login). */
export function AppProvider({ children, queryClient }: { children: ReactNode; queryClient?: QueryClient }) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  useEffect(
    () =>
      onUnauthenticated(() => {
        setCsrfToken(null);
        client.setQueryData(authQueries.me().queryKey, null);
      }),
    [client],
  );
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
