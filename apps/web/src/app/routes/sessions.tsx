import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { InstanceSummary } from '@quell/contracts/instances';
import { MAX_SESSION_IDS, type KillPreviewRequest, type KillResult } from '@quell/contracts/kill';
import type { Session } from '@quell/contracts/sessions';
import { Button } from '@/components/ui/button';
import { ErrorPanel } from '@/components/ui/error-panel';
import { SkeletonRows } from '@/components/ui/skeleton';
import { hasRole, useMe } from '@/features/auth/hooks/use-me';
import { useInstance } from '@/features/instances/api/instance-queries';
import { rememberInstance } from '@/features/instances/hooks/use-recent-instances';
import { BroadKillDialog } from '@/features/kill/components/broad-kill-dialog';
import { KillDialog } from '@/features/kill/components/kill-dialog';
import { PasteIdsDialog } from '@/features/kill/components/paste-ids-dialog';
import { sessionQueries } from '@/features/sessions/api/session-queries';
import { ClientFilters } from '@/features/sessions/components/client-filters';
import { GoneSessions } from '@/features/sessions/components/gone-sessions';
import { GroupChips } from '@/features/sessions/components/group-chips';
import { RefreshControl } from '@/features/sessions/components/refresh-control';
import { SelectionBar } from '@/features/sessions/components/selection-bar';
import { ServerFilterForm } from '@/features/sessions/components/server-filter-form';
import { NeedFilter, NoSessions } from '@/features/sessions/components/sessions-empty';
import { SessionsTable } from '@/features/sessions/components/sessions-table';
import { useRecentFilters } from '@/features/sessions/hooks/use-recent-filters';
import { useSelection } from '@/features/sessions/hooks/use-selection';
import { useSessionFilters } from '@/features/sessions/hooks/use-session-filters';
import { filterSessions, groupCounts, type GroupField } from '@/features/sessions/utils/filter-sessions';
import { hasClientFilter, hasServerFilter, type SessionFilters } from '@/features/sessions/utils/session-filters';
import { partitionSelection } from '@/features/sessions/utils/selection';
import { useDocumentTitle } from '@/hooks/use-document-title';
import { AfterKillThrottle } from '@/features/throttles/components/after-kill-throttle';
import { ThrottleDialog } from '@/features/throttles/components/throttle-dialog';
import { throttlesPath } from '@/features/throttles/components/throttles-panel';
import { useShortcuts } from '@/hooks/use-shortcuts';
import { formatCount } from '@/lib/format';
import { readJson, writeJson } from '@/lib/storage';

const REFRESH_KEY = 'quell.refreshSeconds';
/** Typed host and SQL text reach the URL once typing pauses this long; the table follows every keystroke. */
const TYPING_URL_DELAY_MS = 300;
type Typed = Partial<Pick<SessionFilters, 'host' | 'q'>>;
const isTypedOnly = (patch: Partial<SessionFilters>) => Object.keys(patch).every((k) => k === 'host' || k === 'q');
const isSeconds = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 3600;

export function SessionsRoute() {
  const { instanceId = '' } = useParams();
  const instance = useInstance(instanceId);
  if (instance.isPending) return <SkeletonRows rows={10} label="Loading the instance" />;
  if (instance.isError) return <div className="p-6"><ErrorPanel title="Could not load the instances" error={instance.error} /></div>;
  if (!instance.data) {
    return (
      <div className="mx-auto max-w-xl p-10 text-center">
        <h1 className="text-xl font-semibold">Unknown instance “{instanceId}”</h1>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">It is not in Quell’s inventory. The link may be old, or the instance was renamed.</p>
        <Link to="/" className="mt-4 inline-block underline">
          Pick an instance
        </Link>
      </div>
    );
  }
  return <SessionsView key={instanceId} instance={instance.data} />;
}

type Dialogs = { kind: 'none' } | { kind: 'preview'; request: KillPreviewRequest } | { kind: 'paste' } | { kind: 'broad' } | { kind: 'throttle'; sample: Session };

function SessionsView({ instance }: { instance: InstanceSummary }) {
  const queryClient = useQueryClient();
  const me = useMe();
  const canKill = hasRole(me.data?.role, 'operator');
  const isAdmin = hasRole(me.data?.role, 'admin');
  const { filters: urlFilters, update: updateUrl } = useSessionFilters();
  // Writing the URL costs a router navigation: typed host and SQL text filter the table at once and
  // go to the URL when typing pauses. Any other filter change writes the pending text along with it.
  const [typed, setTyped] = useState<Typed | null>(null);
  const typedRef = useRef<Typed | null>(null);
  const typedTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const update = useCallback(
    (patch: Partial<SessionFilters>, opts?: { replace?: boolean }) => {
      clearTimeout(typedTimer.current);
      const pending = typedRef.current;
      typedRef.current = null;
      setTyped(null);
      updateUrl(pending ? { ...pending, ...patch } : patch, opts);
    },
    [updateUrl],
  );
  const type = useCallback(
    (patch: Typed) => {
      const next = { ...typedRef.current, ...patch };
      typedRef.current = next;
      setTyped(next);
      clearTimeout(typedTimer.current);
      typedTimer.current = setTimeout(() => update({}, { replace: true }), TYPING_URL_DELAY_MS);
    },
    [update],
  );
  useEffect(() => () => clearTimeout(typedTimer.current), []);
  const filters = useMemo(() => (typed ? { ...urlFilters, ...typed } : urlFilters), [typed, urlFilters]);
  const { recent, remember } = useRecentFilters(instance.id);
  const [refreshSeconds, setRefreshSeconds] = useState(() => readJson(REFRESH_KEY, 5, isSeconds));
  const [paused, setPaused] = useState(false);
  const [dialog, setDialog] = useState<Dialogs>({ kind: 'none' });
  const [lastKill, setLastKill] = useState<KillResult | null>(null);
  const dialogOpen = dialog.kind !== 'none';
  const serverFilter = useMemo(() => ({ user: filters.user, database: filters.database }), [filters.user, filters.database]);
  const canList = hasServerFilter(serverFilter);

  useEffect(() => rememberInstance(instance.id), [instance.id]);
  useDocumentTitle(instance.environment === 'prod' ? `PROD ${instance.name}` : instance.name, filters.user, filters.database);

  const list = useQuery({
    ...sessionQueries.list(instance.id, serverFilter),
    refetchInterval: paused || dialogOpen || refreshSeconds === 0 ? false : refreshSeconds * 1000,
    refetchIntervalInBackground: false,
  });
  useEffect(() => {
    if (list.isSuccess) remember(serverFilter);
  }, [list.isSuccess, serverFilter, remember]);

  const listed = list.data?.sessions;
  // the typed text filters follow the keystrokes at low priority, so the field never waits for the table
  const q = useDeferredValue(filters.q);
  const host = useDeferredValue(filters.host);
  const shown = useMemo(
    () => filterSessions(listed ?? [], { q, host, command: filters.command, minTime: filters.minTime }),
    [listed, q, host, filters.command, filters.minTime],
  );
  const groups = useMemo(() => groupCounts(listed ?? []), [listed]);
  const commands = useMemo(() => groups.command.map((g) => g.value).sort(), [groups]);
  // a selection belongs to one listing: a new user/database filter starts a new one
  const selection = useSelection(`${instance.id}\u0000${filters.user ?? ''}\u0000${filters.database ?? ''}`, listed);
  const part = useMemo(
    () => partitionSelection(selection.selected, new Set((listed ?? []).map((s) => s.id)), new Set(shown.map((s) => s.id))),
    [selection.selected, listed, shown],
  );
  const liveCount = part.visible.length + part.hidden.length;
  const allShownSelected = shown.length > 0 && shown.every((s) => selection.selected.has(s.id));

  const refresh = useCallback(() => {
    if (canList) void list.refetch();
  }, [canList, list]);
  const openPreview = useCallback(() => {
    if (!canList || liveCount === 0) return;
    const ids = [...part.visible, ...part.hidden, ...part.gone];
    if (ids.length > MAX_SESSION_IDS) return;
    setDialog({
      kind: 'preview',
      request: { ...(filters.user ? { user: filters.user } : {}), ...(filters.database ? { database: filters.database } : {}), sessionIds: ids },
    });
  }, [canList, liveCount, part, filters.user, filters.database]);
  const afterKill = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: sessionQueries.byInstance(instance.id) });
  }, [queryClient, instance.id]);

  useShortcuts({
    '/': () => document.querySelector<HTMLInputElement>('[data-filter-focus]')?.focus(),
    r: refresh,
    k: openPreview,
    x: () => {
      const row = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('[data-session-id]');
      if (row) selection.click(Number(row.dataset.sessionId), false, []);
    },
  });

  const pickChip = (field: GroupField, value: string | undefined) => {
    if (field === 'host' || field === 'command') update({ [field]: value }, { replace: true });
    else update({ [field]: value });
  };

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="space-y-3 border-b border-slate-200 px-4 py-3 dark:border-slate-800">
        <h1 className="sr-only">
          Sessions on {instance.name} ({instance.environment})
        </h1>
        <div className="flex flex-wrap items-end justify-between gap-3">
          <ServerFilterForm user={filters.user} database={filters.database} onSubmit={(f) => update({ user: f.user, database: f.database })} />
          <RefreshControl
            intervalSeconds={refreshSeconds}
            onIntervalChange={(s) => {
              setRefreshSeconds(s);
              writeJson(REFRESH_KEY, s);
            }}
            paused={paused}
            pausedReason={dialogOpen ? 'a dialog is open' : null}
            onTogglePause={() => setPaused((p) => !p)}
            onRefresh={refresh}
            fetching={list.isFetching}
            updatedAt={list.dataUpdatedAt}
            disabled={!canList}
          />
        </div>
        {canList && (
          <ClientFilters filters={urlFilters} commands={commands} onChange={(patch) => (isTypedOnly(patch) ? type(patch) : update(patch, { replace: true }))} />
        )}
        {listed && (
          <div className="flex flex-wrap items-center justify-between gap-2">
            <GroupChips
              total={listed.length}
              shown={shown.length}
              groups={groups}
              active={{ user: filters.user, database: filters.database, command: filters.command, host: filters.host }}
              onPick={pickChip}
            />
            <div className="flex flex-wrap gap-2">
              {shown.length > 0 &&
                (allShownSelected ? (
                  <Button size="sm" onClick={() => selection.remove(shown.map((s) => s.id))}>
                    Deselect all {formatCount(shown.length)} shown
                  </Button>
                ) : (
                  <Button size="sm" onClick={() => selection.addAll(shown.map((s) => s.id))}>
                    Select all {formatCount(shown.length)} matching
                  </Button>
                ))}
              {canKill && (
                <Button size="sm" variant="ghost" onClick={() => setDialog({ kind: 'paste' })}>
                  Kill by pasted IDs…
                </Button>
              )}
              <Link className="self-center text-sm underline" to={throttlesPath(instance.id)}>
                Throttles
              </Link>
              {isAdmin && canList && (
                <Button size="sm" variant="ghost" onClick={() => setDialog({ kind: 'broad' })}>
                  Broad kill (admin)…
                </Button>
              )}
            </div>
          </div>
        )}
      </div>

      <AfterKillThrottle result={lastKill} sessions={listed ?? []} onThrottle={(sample) => setDialog({ kind: 'throttle', sample })} onDismiss={() => setLastKill(null)} />

      <GoneSessions ids={part.gone} lastKnown={selection.lastKnown} onForget={() => selection.remove(part.gone)} />

      {!canList ? (
        <>
          <NeedFilter recent={recent} onPick={(f) => update({ user: f.user, database: f.database })} />
          {canKill && (
            <p className="text-center text-sm">
              <button type="button" className="underline" onClick={() => setDialog({ kind: 'paste' })}>
                Kill by pasted IDs…
              </button>
            </p>
          )}
        </>
      ) : list.isPending ? (
        <SkeletonRows rows={12} label="Loading sessions" />
      ) : list.isError && !listed ? (
        <div className="p-4">
          <ErrorPanel
            title="Could not list the sessions"
            error={list.error}
            action={
              <Button size="sm" onClick={refresh}>
                Try again
              </Button>
            }
          />
        </div>
      ) : (
        <>
          {list.isError && (
            <div className="px-4 pt-2">
              <ErrorPanel title="The last refresh failed; showing the previous list" error={list.error} />
            </div>
          )}
          {shown.length === 0 ? (
            <NoSessions filtered={hasClientFilter(filters) && (listed?.length ?? 0) > 0} onClearClientFilters={() => update({ host: undefined, command: undefined, minTime: undefined, q: undefined }, { replace: true })} />
          ) : (
            <SessionsTable
              sessions={shown}
              sort={filters.sort}
              onSortChange={(sort) => update({ sort }, { replace: true })}
              selected={selection.selected}
              onRowClick={selection.click}
              onToggleAllShown={(ids, select) => (select ? selection.addAll(ids) : selection.remove(ids))}
              fetchedAt={list.data ? Date.parse(list.data.fetchedAt) || list.dataUpdatedAt : 0}
              resetKey={JSON.stringify([filters.user, filters.database, filters.host, filters.command, filters.minTime, filters.q, filters.sort])}
              onThrottleSimilar={canKill ? (sample) => setDialog({ kind: 'throttle', sample }) : undefined}
            />
          )}
        </>
      )}

      <SelectionBar
        liveCount={liveCount}
        hiddenCount={part.hidden.length}
        goneCount={part.gone.length}
        tooMany={selection.selected.size > MAX_SESSION_IDS ? MAX_SESSION_IDS : null}
        canKill={canKill}
        onClear={selection.clear}
        onKill={openPreview}
      />

      <KillDialog
        instance={instance}
        canCommit={canKill}
        request={dialog.kind === 'preview' ? dialog.request : null}
        onClose={() => setDialog({ kind: 'none' })}
        onCommitted={(r) => {
          setLastKill(r);
          selection.remove(r.outcomes.filter((o) => o.outcome === 'killed' || o.outcome === 'gone-before-kill').map((o) => o.sessionId));
          afterKill();
        }}
      />
      <PasteIdsDialog
        open={dialog.kind === 'paste'}
        instance={instance}
        filter={serverFilter}
        isAdmin={isAdmin}
        onClose={() => setDialog({ kind: 'none' })}
        onPreview={(request) => setDialog({ kind: 'preview', request })}
        onCommitted={afterKill}
      />
      <ThrottleDialog instance={instance} sample={dialog.kind === 'throttle' ? dialog.sample : null} role={me.data?.role} onClose={() => setDialog({ kind: 'none' })} onKilled={afterKill} />
      {isAdmin && (
        <BroadKillDialog open={dialog.kind === 'broad'} instance={instance} filter={serverFilter} onClose={() => setDialog({ kind: 'none' })} onCommitted={afterKill} />
      )}
    </div>
  );
}
