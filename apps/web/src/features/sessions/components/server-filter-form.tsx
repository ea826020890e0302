import { useId, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/field';

interface Props {
  user: string | undefined;
  database: string | undefined;
  onSubmit: (f: { user?: string | undefined; database?: string | undefined }) => void;
}

/** User and/or database: what DAS can list by. Submitting fetches; typing does not. */
export function ServerFilterForm({ user, database, onSubmit }: Props) {
  const [draftUser, setDraftUser] = useState(user ?? '');
  const [draftDb, setDraftDb] = useState(database ?? '');
  const [synced, setSynced] = useState({ user, database });
  if (synced.user !== user || synced.database !== database) {
    // the URL changed under us (back button, chip, recent filter): show what is listed
    setSynced({ user, database });
    setDraftUser(user ?? '');
    setDraftDb(database ?? '');
  }
  const exactNote = useId();
  const empty = !draftUser.trim() && !draftDb.trim();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (empty) return;
    onSubmit({ user: draftUser.trim() || undefined, database: draftDb.trim() || undefined });
  };
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-2" aria-label="Which sessions to list">
      <TextField
        label="User"
        name="user"
        className="w-44"
        value={draftUser}
        autoComplete="off"
        spellCheck={false}
        aria-describedby={exactNote}
        onChange={(e) => setDraftUser(e.target.value)}
        data-filter-focus=""
      />
      <TextField label="Database" name="database" className="w-44" value={draftDb} autoComplete="off" spellCheck={false} aria-describedby={exactNote} onChange={(e) => setDraftDb(e.target.value)} />
      <Button type="submit" variant="primary" disabled={empty} title={empty ? 'Enter a user or a database first' : undefined}>
        List sessions
      </Button>
      <p id={exactNote} className="w-full text-xs text-slate-600 dark:text-slate-400">
        User and database match the exact name: <code>app</code> does not list <code>app_rw</code>.
      </p>
    </form>
  );
}
