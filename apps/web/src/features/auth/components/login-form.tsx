import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { ErrorPanel } from '@/components/ui/error-panel';
import { TextField } from '@/components/ui/field';
import { useNow } from '@/hooks/use-now';
import { useLogin } from '../api/auth-queries';
import { loginRefusalText, readLoginRefusal, waitLeftText } from '../utils/login-refusal';

export function LoginForm({ onSignedIn, expired }: { onSignedIn: () => void; expired: boolean }) {
  const login = useLogin();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  // when the server's wait ends, in this browser's clock (the message counts down to it)
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const now = useNow(1000, waitUntil !== null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) return;
    setWaitUntil(null);
    login.mutate(
      { username: username.trim(), password },
      {
        onSuccess: onSignedIn,
        onError: (error) => {
          const wait = readLoginRefusal(error)?.retryAfterSeconds;
          if (wait) setWaitUntil(Date.now() + wait * 1000);
        },
      },
    );
  };
  const refusal = login.isError ? readLoginRefusal(login.error) : null;
  const secondsLeft = waitUntil === null ? null : Math.max(0, Math.ceil((waitUntil - now) / 1000));
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
          error={refusal ? new Error(loginRefusalText(refusal)) : login.error}
          action={
            secondsLeft !== null && (
              // not re-announced every second: the alert above already said how long
              <p aria-live="off" data-testid="sign-in-wait" className="font-medium tabular-nums">
                {waitLeftText(secondsLeft)}
              </p>
            )
          }
        />
      )}
      <Button type="submit" variant="primary" className="w-full" disabled={login.isPending}>
        {login.isPending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
