import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { SignInOptions } from '@/features/auth/components/sign-in-options';
import { useMe } from '@/features/auth/hooks/use-me';
import { SkeletonRows } from '@/components/ui/skeleton';
import { ThemeToggle } from '@/components/ui/theme-toggle';
import { useDocumentTitle } from '@/hooks/use-document-title';

/** Only same-site paths, never back to /login, never protocol-relative. */
export function safeNext(raw: string | null): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || raw.startsWith('/login')) return '/';
  return raw;
}

const SIGNED_IN = { signedIn: true };

export function LoginRoute() {
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const me = useMe();
  useDocumentTitle('Sign in');
  const next = safeNext(params.get('next'));
  const expired = params.get('expired') === '1' || (location.state as { expired?: boolean } | null)?.expired === true;
  // the page after sign-in puts focus on its first field
  if (me.data) return <Navigate to={next} replace state={SIGNED_IN} />;
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-50 p-4 dark:bg-slate-950">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <div className="mb-4 flex items-center justify-between">
          <h1 className="text-xl font-semibold">Sign in to Quell</h1>
          <ThemeToggle />
        </div>
        {me.isPending ? <SkeletonRows rows={3} label="Checking your session" /> : <SignInOptions expired={expired} refusal={params.get('signin')} onSignedIn={() => navigate(next, { replace: true, state: SIGNED_IN })} />}
      </div>
    </main>
  );
}
