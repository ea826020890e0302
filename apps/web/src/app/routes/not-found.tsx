import { Link, useLocation } from 'react-router';
import { useDocumentTitle } from '@/hooks/use-document-title';

export function NotFoundRoute() {
  const location = useLocation();
  useDocumentTitle('Not found');
  return (
    <div className="mx-auto max-w-xl p-10 text-center">
      <p className="text-5xl font-bold text-slate-500 dark:text-slate-400">404</p>
      <h1 className="mt-2 text-xl font-semibold">Page not found</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        Nothing lives at <code>{location.pathname}</code>. The link may be mistyped or from an older version of Quell.
      </p>
      <Link to="/" className="mt-4 inline-block underline">
        Pick an instance
      </Link>
    </div>
  );
}
