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
        <span className="font-medium">{me.data.username}</span> <span className="text-slate-500 dark:text-slate-400">({me.data.role})</span>
      </span>
      <Button
        size="sm"
        variant="ghost"
        disabled={logout.isPending}
        onClick={() => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) })}
      >
        Sign out
      </Button>
    </div>
  );
}
