import { memo, useId, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/field';
import type { NameOption } from '../utils/name-suggestions';

const NO_SUGGESTIONS = { users: [], databases: [] };

interface Props {
  user: string | undefined;
  database: string | undefined;
  onSubmit: (f: { user?: string | undefined; database?: string | undefined }) => void;
  /** Names to suggest, each with where it comes from (open transactions, recent filters and kills, the listing). */
  suggestions?: { users: readonly NameOption[]; databases: readonly NameOption[] };
}

/** User and/or database: what DAS can list by. Submitting fetches; typing does not. */
// memo: the view re-renders on every filter keystroke, and this has nothing to do with it
export const ServerFilterForm = memo(function ServerFilterForm({ user, database, onSubmit, suggestions = NO_SUGGESTIONS }: Props) {
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
  const userList = useId();
  const dbList = useId();
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
        list={userList}
        onChange={(e) => setDraftUser(e.target.value)}
        data-filter-focus=""
      />
      <TextField label="Database" name="database" className="w-44" value={draftDb} autoComplete="off" spellCheck={false} aria-describedby={exactNote} list={dbList} onChange={(e) => setDraftDb(e.target.value)} />
      <NameList id={userList} names={suggestions.users} />
      <NameList id={dbList} names={suggestions.databases} />
      <Button type="submit" variant="primary" disabled={empty} title={empty ? 'Enter a user or a database first' : undefined}>
        List sessions
      </Button>
      <p id={exactNote} className="w-full text-xs text-slate-600 dark:text-slate-400">
        User and database match the exact name: <code>app</code> does not list <code>app_rw</code>.
        {suggestions.users.length + suggestions.databases.length > 0 && ' Press ↓ in a field for suggested names, and where each comes from.'}
      </p>
    </form>
  );
});

/** The browser's own suggestion list (arrow keys open it, Enter picks): the label says where a name comes from. */
function NameList({ id, names }: { id: string; names: readonly NameOption[] }) {
  return (
    <datalist id={id}>
      {names.map((n) => (
        <option key={n.value} value={n.value} label={n.label} />
      ))}
    </datalist>
  );
}
