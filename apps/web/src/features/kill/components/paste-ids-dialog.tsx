import { memo, useId, useState } from 'react';
import type { InstanceSummary } from '@quell/contracts/instances';
import { MAX_SESSION_IDS, type KillPreviewRequest, type KillResult } from '@quell/contracts/kill';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { ErrorPanel } from '@/components/ui/error-panel';
import { inputClass } from '@/components/ui/field';
import { plural } from '@/lib/format';
import { useBlindKill } from '../api/kill-queries';
import { useIdempotencyKey } from '../hooks/use-idempotency-key';
import { canCommit, describeFilter } from '../utils/kill-rules';
import { parseSessionIds, type RejectedToken } from '../utils/parse-ids';
import { commitLabel } from './kill-preview-panel';
import { KillResultPanel } from './kill-result-view';
import { ReasonField, TypedConfirmField } from './reason-field';
import { RejectedTokens } from './rejected-tokens';

interface Props {
  open: boolean;
  instance: InstanceSummary;
  filter: { user?: string | undefined; database?: string | undefined };
  isAdmin: boolean;
  /** The ids of the current listing (of `filter`), when there is one: a blind id outside it probably does not exist. */
  listedIds?: ReadonlySet<number> | undefined;
  /** The pasted text lives with the page, so a cancelled preview comes back to it. */
  text: string;
  onTextChange: (text: string) => void;
  onClose: () => void;
  /** Pasted ids + the current filter: preview them like a selection; `rejected` are the tokens that were not ids. */
  onPreview: (request: KillPreviewRequest, rejected: readonly RejectedToken[]) => void;
  onCommitted: (result: KillResult) => void;
}

/** Kill by pasted session ids: verified against the current filter, or (admins) blind. */
// memo: closed, it is drawn again only when its props change (not on each filter keystroke of the view behind it)
export const PasteIdsDialog = memo(function PasteIdsDialog({ open, ...props }: Props) {
  return (
    <Dialog open={open} onClose={props.onClose} title={`Kill by pasted IDs on ${props.instance.name}`}>
      {open && <PasteIdsBody {...props} />}
    </Dialog>
  );
});

function PasteIdsBody({ instance, filter, listedIds, isAdmin, text, onTextChange, onClose, onPreview, onCommitted }: Omit<Props, 'open'>) {
  const id = useId();
  const [blind, setBlind] = useState(false);
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const [result, setResult] = useState<KillResult | null>(null);
  const [unlistedAtKill, setUnlistedAtKill] = useState<readonly number[]>([]);
  const parsed = parseSessionIds(text);
  const hasFilter = Boolean(filter.user || filter.database);
  const blindKill = useBlindKill();
  const { key, afterError } = useIdempotencyKey(`blind:${parsed.ids.join(',')}`);
  const filterText = describeFilter(filter);
  const problems = parsed.tooMany ? `At most ${MAX_SESSION_IDS.toLocaleString('en-US')} ids at once.` : null;

  // where a listing can tell: the blind ids it does not have
  const unlisted = hasFilter && listedIds ? parsed.ids.filter((i) => !listedIds.has(i)) : [];
  const unlistedNote = (ids: readonly number[], killed: boolean) =>
    ids.length > 0 ? (
      <p className="rounded-md border border-amber-400 bg-amber-50 p-2 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/40 dark:text-amber-100">
        {plural(ids.length, 'id')} {killed ? (ids.length === 1 ? 'was' : 'were') : ids.length === 1 ? 'is' : 'are'} not in the listing of {filterText}
        {killed ? ' before the kill' : ''} ({idList(ids)}): {ids.length === 1 ? 'it' : 'they'} may not exist, or belong to another user or database.
      </p>
    ) : null;

  // the listing refreshes after the kill: the note keeps what it said before
  if (result) return <KillResultPanel result={result} onClose={onClose} note={unlistedNote(unlistedAtKill, true)} />;

  const canPreview = !blind && hasFilter && parsed.ids.length > 0 && !problems;
  // Above the instance's cap, blind ids need the typed instance name, as a previewed kill does.
  const needsTyped = parsed.ids.length > instance.blastRadiusCap;
  // a blind kill cannot be checked afterwards: every pasted token must be an id
  const blindBlocked = parsed.rejected.length > 0;
  const canBlind =
    blind && canCommit({ targets: parsed.ids.length, reason, requiresTypedConfirmation: needsTyped, typed, instanceName: instance.name, pending: blindKill.isPending }) && !problems && !blindBlocked;
  return (
    <form className="flex min-h-0 flex-col" onSubmit={(e) => e.preventDefault()} aria-label="Paste IDs to kill">
      <div className="min-h-0 flex-1 space-y-3 overflow-auto px-5 py-4">
        <div>
          <label htmlFor={id} className="mb-1 block text-sm font-medium">
            Session IDs
          </label>
          <textarea
            id={id}
            rows={5}
            className={`${inputClass} h-auto py-1 font-mono`}
            value={text}
            placeholder="4106539, 4106540 …"
            aria-describedby={`${id}-hint`}
            aria-invalid={problems ? true : undefined}
            onChange={(e) => onTextChange(e.target.value)}
          />
          <p id={`${id}-hint`} className={`mt-1 text-xs ${problems ? 'text-red-700 dark:text-red-400' : 'text-slate-600 dark:text-slate-400'}`}>
            {problems ?? (
              <>
                {plural(parsed.ids.length, 'id')} read{parsed.ids.length > 0 && `: ${idList(parsed.ids)}`}. Ids separated by spaces, commas or new lines, <code>KILL 445;</code>{' '}
                statements and rows copied from a <code>mysql</code> table all work.
              </>
            )}
          </p>
          {parsed.rejected.length > 0 && <RejectedTokens rejected={parsed.rejected} />}
        </div>
        {!blind &&
          (hasFilter ? (
            <p className="text-sm">
              Quell checks these ids against <strong>{filterText}</strong> and shows you what they are before anything is killed. Ids that do not match are excluded.
            </p>
          ) : (
            <p className="rounded-md bg-amber-100 p-2 text-sm text-amber-950 dark:bg-amber-900/40 dark:text-amber-100">
              Enter a user or a database in the filter first: Quell verifies pasted ids against it.
              {isAdmin ? ' Or use blind mode below.' : ''}
            </p>
          ))}
        {isAdmin && (
          <div className="rounded-md border border-amber-400 p-3 dark:border-amber-700">
            <label className="flex items-center gap-2 text-sm font-medium">
              <input type="checkbox" checked={blind} onChange={(e) => setBlind(e.target.checked)} />
              Blind mode (admin): kill these ids without verifying them
            </label>
            {blind && (
              <div className="mt-2 space-y-3">
                <p className="text-sm text-amber-900 dark:text-amber-200">
                  <strong>These ids cannot be previewed or verified.</strong> Quell will not list who or what they are before the kill, and cannot check afterwards whether
                  they died. Whatever session has each id at that moment is killed.
                </p>
                {blindBlocked && <p className="text-sm text-red-700 dark:text-red-400">A blind kill needs every pasted token to be an id: fix or remove the ones not read.</p>}
                {unlistedNote(unlisted, false)}
                <ReasonField value={reason} onChange={setReason} disabled={blindKill.isPending} />
                {needsTyped && (
                  <TypedConfirmField
                    instanceName={instance.name}
                    value={typed}
                    onChange={setTyped}
                    disabled={blindKill.isPending}
                    why={`This kills more than the cap of ${instance.blastRadiusCap} sessions.`}
                  />
                )}
                {blindKill.isError && <ErrorPanel title="The blind kill was not carried out" error={blindKill.error} />}
              </div>
            )}
          </div>
        )}
      </div>
      <div className="flex justify-end gap-2 border-t border-slate-200 px-5 py-3 dark:border-slate-700">
        <Button onClick={onClose}>Cancel</Button>
        {blind ? (
          <Button
            variant="danger"
            disabled={!canBlind}
            onClick={() => {
              if (!canBlind) return;
              blindKill.mutate(
                { instanceId: instance.id, body: { sessionIds: parsed.ids, reason: reason.trim(), ...(needsTyped ? { confirmInstanceName: typed.trim() } : {}) }, idempotencyKey: key },
                {
                  onSuccess: (r) => {
                    setUnlistedAtKill(unlisted);
                    setResult(r);
                    onCommitted(r);
                  },
                  onError: afterError,
                },
              );
            }}
          >
            {blindKill.isPending ? 'Killing…' : `${commitLabel(parsed.ids.length)} unverified`}
          </Button>
        ) : (
          <Button
            variant="primary"
            disabled={!canPreview}
            onClick={() =>
              canPreview && onPreview({ ...(filter.user ? { user: filter.user } : {}), ...(filter.database ? { database: filter.database } : {}), sessionIds: parsed.ids }, parsed.rejected)
            }
          >
            Preview kill
          </Button>
        )}
      </div>
    </form>
  );
}

const idList = (ids: readonly number[]) => (ids.length > 20 ? `${ids.slice(0, 20).join(', ')} …` : ids.join(', '));

