import { useEffect, useRef, useState } from 'react';
import { Link, Navigate, NavLink, Outlet, useLocation, useMatch, useNavigation } from 'react-router';
import { Button } from '@/components/ui/button';
import { EnvBadge } from '@/components/ui/env-badge';
import { ErrorPanel } from '@/components/ui/error-panel';
import { ShortcutsDialog } from '@/components/ui/shortcuts-dialog';
import { SkeletonRows } from '@/components/ui/skeleton';
import { ThemeToggle } from '@/components/ui/theme-toggle';
import { ApprovalsBadge } from '@/features/approvals/components/approvals-badge';
import { UserMenu } from '@/features/auth/components/user-menu';
import { hasRole, useMe } from '@/features/auth/hooks/use-me';
import { useInstance } from '@/features/instances/api/instance-queries';
import { useFocusFirstField } from '@/hooks/use-focus-first-field';
import { useShortcuts } from '@/hooks/use-shortcuts';

const navClass = ({ isActive }: { isActive: boolean }) =>
  `rounded px-2 py-1 text-sm ${isActive ? 'bg-slate-200 font-medium dark:bg-slate-800' : 'hover:bg-slate-100 dark:hover:bg-slate-900'}`;

function InstanceCrumb() {
  const match = useMatch('/instances/:instanceId/*');
  const instanceId = match?.params.instanceId;
  const instance = useInstance(instanceId);
  if (!instanceId) return null;
  return (
    <div className="flex shrink-0 items-center gap-2">
      <span aria-hidden="true" className="text-slate-400">
        ▸
      </span>
      <span className="max-w-[7rem] truncate font-medium sm:max-w-none" data-testid="current-instance">
        {instance.data?.name ?? instanceId}
      </span>
      {instance.data && <EnvBadge environment={instance.data.environment} />}
      <Link to="/" className="hidden text-xs underline md:inline">
        Switch instance
      </Link>
    </div>
  );
}

/** Everything behind sign-in: header, shortcuts, and the page. */
export function AppLayout() {
  const me = useMe();
  const location = useLocation();
  const navigation = useNavigation();
  const wasSignedIn = useRef(false);
  const mainRef = useRef<HTMLElement>(null);
  const justSignedIn = (location.state as { signedIn?: boolean } | null)?.signedIn === true;
  useFocusFirstField(mainRef, justSignedIn && me.data ? location.key : null);
  const [help, setHelp] = useState(false);
  useShortcuts({ '?': () => setHelp(true) });
  useEffect(() => {
    if (me.data) wasSignedIn.current = true;
  }, [me.data]);

  if (me.isPending) {
    return (
      <div className="p-6">
        <SkeletonRows rows={6} label="Checking your session" />
      </div>
    );
  }
  if (me.isError) {
    return (
      <main className="mx-auto max-w-xl p-8">
        <ErrorPanel
          title="Quell could not check who you are"
          error={me.error}
          action={
            <Button size="sm" onClick={() => void me.refetch()}>
              Try again
            </Button>
          }
        />
      </main>
    );
  }
  if (!me.data) {
    const next = `${location.pathname}${location.search}`;
    const params = new URLSearchParams({ next });
    if (wasSignedIn.current) params.set('expired', '1');
    return <Navigate to={`/login?${params.toString()}`} replace />;
  }
  return (
    <div className="relative flex h-screen flex-col">
      {navigation.state === 'loading' && (
        <div role="progressbar" aria-label="Loading the page" className="absolute inset-x-0 top-0 z-50 h-0.5 animate-pulse bg-sky-600 dark:bg-sky-400" />
      )}
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:p-2 dark:focus:bg-slate-900">
        Skip to content
      </a>
      {/* one line at any width: on a phone what does not fit scrolls inside the header, never the page */}
      <header className="flex items-center gap-2 overflow-x-auto border-b border-slate-200 px-2 py-2 whitespace-nowrap sm:gap-3 sm:px-4 dark:border-slate-800">
        <Link to="/" className="text-lg font-bold tracking-tight">
          Quell
        </Link>
        <InstanceCrumb />
        <nav aria-label="Main" className="flex items-center gap-1 sm:ml-4">
          <NavLink to="/" end className={(state) => `${navClass(state)} hidden sm:inline`}>
            Instances
          </NavLink>
          <ApprovalsBadge className={navClass} />
          <NavLink to="/audit" className={navClass}>
            Audit
          </NavLink>
          {hasRole(me.data.role, 'admin') && (
            <NavLink to="/admin" className={navClass}>
              Admin
            </NavLink>
          )}
        </nav>
        <div className="ml-auto flex items-center gap-2">
          <button type="button" className="hidden rounded px-2 py-1 text-sm hover:bg-slate-100 md:inline-block dark:hover:bg-slate-800" onClick={() => setHelp(true)} aria-keyshortcuts="?">
            Shortcuts <kbd className="font-mono text-xs">?</kbd>
          </button>
          <ThemeToggle />
          <UserMenu />
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className="flex min-h-0 flex-1 flex-col overflow-auto focus:outline-none">
        <Outlet />
      </main>
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} />
    </div>
  );
}
