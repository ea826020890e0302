import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { ErrorPanel } from '@/components/ui/error-panel';
import { TextField } from '@/components/ui/field';
import { useLogin } from '../api/auth-queries';

export function LoginForm({ onSignedIn, expired }: { onSignedIn: () => void; expired: boolean }) {
  const login = useLogin();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) return;
    login.mutate({ username: username.trim(), password }, { onSuccess: onSignedIn });
  };
  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Sign in to Quell">
      {expired && !login.isError && (
        <p role="status" className="rounded-md bg-amber-100 p-2 text-sm text-amber-950 dark:bg-amber-900/50 dark:text-amber-100">
          Your session ended. Sign in again to go back where you were.
        </p>
      )}
      <TextField label="Username" name="username" autoComplete="username" autoFocus required value={username} onChange={(e) => setUsername(e.target.value)} />
      <TextField label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      {login.isError && (
        <ErrorPanel
          title="Sign-in failed"
          error={login.error.status === 401 ? new Error('Wrong username or password.') : login.error}
        />
      )}
      <Button type="submit" variant="primary" className="w-full" disabled={login.isPending}>
        {login.isPending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
