import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { ErrorPanel } from '@/components/ui/error-panel';

export function RouteError() {
  const error = useRouteError();
  return (
    <main className="mx-auto max-w-2xl space-y-4 p-8">
      <h1 className="text-xl font-semibold">This screen failed</h1>
      <ErrorPanel
        title={isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : 'Unexpected error'}
        error={error instanceof Error ? error : new Error('The page could not be shown. Reload it; if it keeps failing, report what you did.')}
      />
      <p>
        <Link className="underline" to="/">
          Back to the instances
        </Link>
      </p>
    </main>
  );
}
