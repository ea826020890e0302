import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/field';

/** Without lock data the operator can still preview a kill of a user's or a database's sessions. */
export function KillByFilterForm({ onPreview }: { onPreview: (filter: { user?: string; database?: string }) => void }) {
  const [user, setUser] = useState('');
  const [database, setDatabase] = useState('');
  const ready = user.trim() !== '' || database.trim() !== '';
  return (
    <form
      aria-label="Kill by filter"
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ready) return;
        onPreview({ ...(user.trim() ? { user: user.trim() } : {}), ...(database.trim() ? { database: database.trim() } : {}) });
      }}
    >
      <TextField label="User" value={user} onChange={(e) => setUser(e.target.value)} autoComplete="off" />
      <TextField label="Database" value={database} onChange={(e) => setDatabase(e.target.value)} autoComplete="off" />
      <Button type="submit" disabled={!ready}>
        Preview kill…
      </Button>
    </form>
  );
}
