import { useQuery } from '@tanstack/react-query';
import { SkeletonRows } from '@/components/ui/skeleton';
import { authQueries } from '../api/auth-queries';
import { LoginForm } from './login-form';

/** Why the identity provider's sign-in came back refused (`/login?signin=<reason>`, set by the BFF). */
const REFUSALS: Record<string, string> = {
  'no-role': 'You signed in at the identity provider, but your account is in none of the groups that give access to Quell. Ask your Quell administrator to add you to one.',
  failed: 'Signing in through the identity provider did not succeed (the answer it sent back could not be verified). Try again.',
  cancelled: 'Signing in was cancelled at the identity provider.',
  expired: 'The sign-in took too long. Try again.',
  unavailable: 'The identity provider cannot be reached right now. Try again later, or use a break-glass account if you have one.',
};

export function refusalText(reason: string | null): string | undefined {
  return reason ? (REFUSALS[reason] ?? REFUSALS.failed) : undefined;
}

/** The identity provider first (when Quell has one), local accounts second (or not at all). */
export function SignInOptions({ onSignedIn, expired, refusal }: { onSignedIn: () => void; expired: boolean; refusal: string | null }) {
  const providers = useQuery(authQueries.providers());
  if (providers.isPending) return <SkeletonRows rows={3} label="Loading the ways to sign in" />;
  const { oidc, local } = providers.data ?? { oidc: null, local: 'on' as const };
  const refused = refusalText(refusal);
  return (
    <div className="space-y-4">
      {refused && (
        <p role="alert" className="rounded-md bg-red-100 p-2 text-sm text-red-950 dark:bg-red-900/50 dark:text-red-100">
          {refused}
        </p>
      )}
      {oidc && (
        // A full navigation: the BFF redirects the browser to the identity provider.
        <a
          href={oidc.loginPath}
          className="block w-full rounded-md bg-blue-700 px-3 py-2 text-center text-sm font-medium text-white hover:bg-blue-800 focus:ring-2 focus:ring-blue-500 focus:outline-none"
        >
          Sign in with {oidc.displayName}
        </a>
      )}
      {oidc && local !== 'off' && (
        <p className="text-center text-xs text-slate-600 dark:text-slate-400">{local === 'admin-only' ? 'or, break-glass: a local admin account' : 'or with a local account'}</p>
      )}
      {(!oidc || local !== 'off') && <LoginForm expired={expired} onSignedIn={onSignedIn} />}
    </div>
  );
}
