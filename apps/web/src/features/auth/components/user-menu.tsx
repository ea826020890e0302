import { useNavigate } from 'react-router';
import { Button } from '@/components/ui/button';
import { useLogout } from '../api/auth-queries';
import { useMe } from '../hooks/use-me';

export function UserMenu() {
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  if (!me.data) return null;
  return (
    <div className="flex items-center gap-2 text-sm">
      <span data-testid="who-am-i">
        <span className="font-medium">{me.data.displayName ?? me.data.username}</span> <span className="hidden text-slate-500 sm:inline dark:text-slate-400">({me.data.role})</span>
      </span>
      <Button
        size="sm"
        variant="ghost"
        disabled={logout.isPending}
        onClick={() =>
          logout.mutate(me.data, {
            // Signed in through the identity provider: end its session too, when it offers that.
            onSuccess: (logoutUrl) => (logoutUrl ? window.location.assign(logoutUrl) : navigate('/login', { replace: true })),
            onError: () => navigate('/login', { replace: true }),
          })
        }
      >
        Sign out
      </Button>
    </div>
  );
}
