import { useCallback, useEffect, useMemo, useState, type ComponentProps, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { InstanceSummary } from '@quell/contracts/instances';
import type { Session } from '@quell/contracts/sessions';
import { MAX_SESSION_IDS, type KillResult } from '@quell/contracts/kill';
import { Button } from '@/components/ui/button';
import { ErrorPanel } from '@/components/ui/error-panel';
import { SkeletonRows } from '@/components/ui/skeleton';
import { hasRole, useMe } from '@/features/auth/hooks/use-me';
import { useInstance } from '@/features/instances/api/instance-queries';
import { rememberInstance } from '@/features/instances/hooks/use-recent-instances';
import { BroadKillDialog } from '@/features/kill/components/broad-kill-dialog';
import { KillDialog } from '@/features/kill/components/kill-dialog';
import { PasteIdsDialog } from '@/features/kill/components/paste-ids-dialog';
import { lockQueries } from '@/features/locks/api/lock-queries';
import { RootBlockersChip } from '@/features/locks/components/root-blockers-chip';
import { lockInfoById } from '@/features/locks/utils/lock-tree';
import { sessionQueries } from '@/features/sessions/api/session-queries';
import { ClientFilters } from '@/features/sessions/components/client-filters';
import { GoneSessions } from '@/features/sessions/components/gone-sessions';
import { ListingBar } from '@/features/sessions/components/listing-bar';
import { ListingState } from '@/features/sessions/components/listing-state';
import { RefreshControl } from '@/features/sessions/components/refresh-control';
import { SelectionBar } from '@/features/sessions/components/selection-bar';
import { ServerFilterForm } from '@/features/sessions/components/server-filter-form';
import { NeedFilter, NoSessions } from '@/features/sessions/components/sessions-empty';
import { focusSessionsTable, SessionsTable, type SessionLocks } from '@/features/sessions/components/sessions-table';
import { useRefreshInterval } from '@/features/sessions/hooks/use-refresh-interval';
import { useResetKey } from '@/features/sessions/hooks/use-reset-key';
import { useSessionsView } from '@/features/sessions/hooks/use-sessions-view';
import { useTextFilters, useTypedFilters, withTypedText, type TypedTextStore } from '@/features/sessions/hooks/use-typed-filters';
import { changesServerFilter, groupMembers, type GroupCount, type GroupField } from '@/features/sessions/utils/filter-sessions';
import { idsOf } from '@/features/sessions/utils/selection';
import { hasClientFilter, hasServerFilter, type SessionFilters, type Sort } from '@/features/sessions/utils/session-filters';
import { AfterKillThrottle } from '@/features/throttles/components/after-kill-throttle';
import { useKillAndThrottleStep } from '@/features/throttles/components/kill-and-throttle-step';
import { ThrottleDialog } from '@/features/throttles/components/throttle-dialog';
import { throttlesPath } from '@/features/throttles/components/throttles-panel';
import { groupSample, sessionTarget, type ThrottleScope } from '@/features/throttles/utils/throttle-target';
import { useDocumentTitle } from '@/hooks/use-document-title';
import { useShortcuts } from '@/hooks/use-shortcuts';
import { useRelistAfterKill } from './use-relist-after-kill';
import { useSessionsDialogs } from './use-sessions-dialogs';

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

function SessionsView({ instance }: { instance: InstanceSummary }) {
  const queryClient = useQueryClient();
  const me = useMe();
  const canKill = hasRole(me.data?.role, 'operator');
  const isAdmin = hasRole(me.data?.role, 'admin');
  const dialogs = useSessionsDialogs();
  const { dialog } = dialogs;
  const dialogOpen = dialogs.open;
  // filters without the text being typed: a keystroke re-renders only the Shown… parts below
  const { filters, urlFilters, typedText, update, change, pickGroup, sortBy } = useTypedFilters();
  const refreshing = useRefreshInterval({ suspended: dialogOpen });
  // The lock graph fills the "Blocked by"/"Blocking" columns and the root-blockers chip; without it they stay empty.
  const lockGraph = useQuery({
    ...lockQueries.graph(instance.id),
    enabled: hasServerFilter({ user: filters.user, database: filters.database }),
    retry: false,
    refetchInterval: refreshing.refetchInterval,
    refetchIntervalInBackground: false,
  });
  const lockInfo = useMemo(() => lockInfoById(lockGraph.data), [lockGraph.data]);
  const rootIds = useMemo(() => new Set([...lockInfo].filter(([, info]) => info.root).map(([id]) => id)), [lockInfo]);
  const [rootsOnly, setRootsOnly] = useState(false);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [lastKill, setLastKill] = useState<KillResult | null>(null);
  const blockersHref = useCallback((id?: number) => `/instances/${encodeURIComponent(instance.id)}/blockers${id === undefined ? '' : `?session=${id}`}`, [instance.id]);
  const tableLocks = useMemo(() => ({ of: lockInfo, href: (id: number) => blockersHref(id) }), [lockInfo, blockersHref]);
  const view = useSessionsView(instance.id, filters, refreshing.refetchInterval, rootsOnly ? rootIds : undefined);
  const { list, listed, shownOf, selection, part, killRequestFor } = view;

  // stable callbacks: the table and the filter form skip the re-render of each keystroke
  const listBy = useCallback((f: { user?: string | undefined; database?: string | undefined }) => update({ user: f.user, database: f.database }), [update]);
  const { addAll, remove, carryOver } = selection;
  const pickChip = useCallback(
    (field: GroupField, value: string, on: boolean) => {
      if (changesServerFilter(field, value)) carryOver();
      pickGroup(field, value, on);
    },
    [carryOver, pickGroup],
  );
  const clearClientFilters = useCallback(() => update({ host: undefined, command: undefined, noDatabase: undefined, minTime: undefined, q: undefined }, { replace: true }), [update]);
  const toggleAllShown = useCallback((ids: readonly number[], select: boolean) => (select ? addAll(ids) : remove(ids)), [addAll, remove]);

  const { openThrottle } = dialogs;
  const throttleRow = useCallback((s: Session) => openThrottle(sessionTarget(s)), [openThrottle]);
  // "Throttle similar…" on a group: its most common statement, counted in the chip's user or database (else the listing's)
  const groupThrottle = useMemo(() => {
    if (!canKill || !listed) return undefined;
    // A pressed chip asks on every render (each keystroke): its answer is kept per listing, and the
    // statement shapes of the group are worked out only on a click.
    const runsSql = new Map<string, boolean>();
    const canOf = (field: GroupField, value: string) => {
      const key = `${field}\u0000${value}`;
      let can = runsSql.get(key);
      if (can === undefined) runsSql.set(key, (can = groupMembers(listed, field, value).some((s) => s.sql !== '')));
      return can;
    };
    const sampleOf = (field: GroupField, value: string) => groupSample(groupMembers(listed, field, value));
    const { user, database } = view.serverFilter;
    const listing: ThrottleScope = { ...(user !== undefined ? { user } : {}), ...(database !== undefined ? { database } : {}) };
    return {
      can: canOf,
      open: (field: GroupField, value: string) => {
        const sample = sampleOf(field, value);
        if (!sample) return;
        const scope = field === 'user' ? { user: value } : field === 'database' && value !== '' ? { database: value } : listing;
        openThrottle({ sample, scope, group: `${field} ${value || '(none)'}` });
      },
    };
  }, [canKill, listed, view.serverFilter, openThrottle]);
  const killAndThrottle = useKillAndThrottleStep(instance.id, dialog.kind === 'kill-and-throttle' ? dialog.plan : null);

  useEffect(() => rememberInstance(instance.id), [instance.id]);
  useDocumentTitle(instance.environment === 'prod' ? `PROD ${instance.name}` : instance.name, filters.user, filters.database);

  const { openPreview: showPreview } = dialogs;
  const openPreview = useCallback(() => {
    const request = killRequestFor(shownOf(withTypedText(filters, typedText.get())));
    if (request) showPreview(request);
  }, [killRequestFor, shownOf, filters, typedText, showPreview]);
  // ids this listing has had: the rows listed now, and selected rows that have gone since. Only the
  // kill dialogs read them, so they are made while one is open, not for every listing.
  const readsListedIds = dialog.kind === 'preview' || dialog.kind === 'kill-and-throttle' || dialog.kind === 'paste';
  const listedIds = useMemo(() => (listed && readsListedIds ? new Set([...idsOf(listed), ...part.gone]) : undefined), [listed, readsListedIds, part.gone]);
  const listedNow = useMemo(() => (listed && dialog.kind === 'broad' ? idsOf(listed) : undefined), [listed, dialog.kind]);
  const rootCount = useMemo(() => (rootIds.size === 0 ? 0 : (listed?.filter((x) => rootIds.has(x.id)).length ?? 0)), [listed, rootIds]);
  const afterBroad = useRelistAfterKill({ isFetching: list.isFetching, dataUpdatedAt: list.dataUpdatedAt, errorUpdatedAt: list.errorUpdatedAt, ids: listedNow });
  const afterKill = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: sessionQueries.byInstance(instance.id) });
  }, [queryClient, instance.id]);

  useShortcuts({
    '/': () => document.querySelector<HTMLInputElement>('[data-filter-focus]')?.focus(),
    t: focusSessionsTable,
    r: view.refresh,
    k: openPreview,
    x: () => {
      const row = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('[data-session-id]');
      if (row) selection.click(Number(row.dataset.sessionId), false, []);
    },
  });

  // the dialogs' handlers are stable, so a closed dialog skips the view's renders (each keystroke)
  const { committed: dialogCommitted, close: closeDialog } = dialogs;
  const killCommitted = useCallback(
    (r: KillResult) => {
      // after a kill and throttle, nothing is left to offer a throttle for
      setLastKill(dialog.kind === 'kill-and-throttle' ? null : r);
      remove(r.outcomes.filter((o) => o.outcome === 'killed' || o.outcome === 'gone-before-kill').map((o) => o.sessionId));
      dialogCommitted();
      afterKill();
    },
    [dialog.kind, remove, dialogCommitted, afterKill],
  );
  const pasteCommitted = useCallback(() => {
    dialogCommitted();
    afterKill();
  }, [dialogCommitted, afterKill]);
  const { reset: resetBroad, killed: broadKilled } = afterBroad;
  const closeBroad = useCallback(() => {
    resetBroad();
    closeDialog();
  }, [resetBroad, closeDialog]);
  const broadCommitted = useCallback(() => {
    broadKilled();
    afterKill();
  }, [broadKilled, afterKill]);

  // made once per change of what they show, not per keystroke: the router's links cost a render each
  const { openPaste, openBroad } = dialogs;
  const canList = view.canList;
  const listingActions = useMemo(
    () => (
      <>
        <RootBlockersChip count={rootCount} pressed={rootsOnly} onToggle={() => setRootsOnly((v) => !v)} blockersHref={blockersHref()} />
        {canKill && (
          <Button size="sm" variant="ghost" onClick={openPaste}>
            Kill by pasted IDs…
          </Button>
        )}
        <Link className="self-center text-sm underline" to={throttlesPath(instance.id)}>
          Throttles
        </Link>
        {isAdmin && canList && (
          <Button size="sm" variant="ghost" onClick={openBroad}>
            Broad kill (admin)…
          </Button>
        )}
      </>
    ),
    [rootCount, rootsOnly, blockersHref, canKill, openPaste, instance.id, isAdmin, canList, openBroad],
  );

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="space-y-3 border-b border-slate-200 px-2 py-3 sm:px-4 dark:border-slate-800">
        <h1 className="sr-only">
          Sessions on {instance.name} ({instance.environment})
        </h1>
        <div className="flex flex-wrap items-end justify-between gap-3">
          <ServerFilterForm
            user={filters.user}
            database={filters.database}
            suggestions={view.suggestions}
            onSubmit={listBy}
          />
          <RefreshControl
            intervalSeconds={refreshing.seconds}
            onIntervalChange={refreshing.setSeconds}
            paused={refreshing.paused}
            pausedReason={dialogOpen ? 'a dialog is open' : null}
            onTogglePause={refreshing.togglePause}
            onRefresh={view.refresh}
            fetching={list.isFetching}
            updatedAt={list.dataUpdatedAt}
            disabled={!view.canList}
          />
        </div>
        {view.canList && (
          <>
            {/* on a phone the narrowing filters fold away; from md up they are always there */}
            <button type="button" className="text-sm underline md:hidden" aria-expanded={filtersOpen} aria-controls="client-filters" onClick={() => setFiltersOpen((o) => !o)}>
              {filtersOpen ? 'Hide filters' : 'More filters'}
            </button>
            <div id="client-filters" className={filtersOpen ? '' : 'hidden md:block'}>
              <ClientFilters filters={urlFilters} commands={view.commands} onChange={change} />
            </div>
          </>
        )}
        {listed && (
          <ShownListingBar filters={filters} typedText={typedText} shownOf={shownOf} total={listed.length} groups={view.groups} onPick={pickChip} selection={selection} throttle={groupThrottle}>
            {listingActions}
          </ShownListingBar>
        )}
      </div>

      <AfterKillThrottle result={lastKill} sessions={listed ?? []} onThrottle={throttleRow} onDismiss={() => setLastKill(null)} />

      <GoneSessions ids={part.gone} lastKnown={selection.lastKnown} onForget={() => selection.remove(part.gone)} />

      {!view.canList ? (
        <>
          <NeedFilter recent={view.recent} suggested={view.named.data} onPick={listBy} />
          {canKill && (
            <p className="text-center text-sm">
              <button type="button" className="underline" onClick={dialogs.openPaste}>
                Kill by pasted IDs…
              </button>
            </p>
          )}
        </>
      ) : (
        <ListingState isPending={list.isPending} error={list.error} hasData={listed !== undefined} onRetry={view.refresh}>
          <ShownSessions
            filters={filters}
            typedText={typedText}
            shownOf={shownOf}
            listedCount={listed?.length ?? 0}
            listedBy={view.serverFilter}
            onClearClientFilters={clearClientFilters}
            onSortChange={sortBy}
            selected={selection.selected}
            onRowClick={selection.click}
            onToggleAllShown={toggleAllShown}
            fetchedAt={view.fetchedAt}
            rootsOnly={rootsOnly}
            locks={tableLocks}
            onThrottleSimilar={canKill ? throttleRow : undefined}
          />
        </ListingState>
      )}

      <ShownSelectionBar
        filters={filters}
        typedText={typedText}
        shownOf={shownOf}
        partOf={view.partOf}
        liveCount={view.liveCount}
        goneCount={part.gone.length}
        tooMany={selection.selected.size > MAX_SESSION_IDS ? MAX_SESSION_IDS : null}
        canKill={canKill}
        onClear={selection.clear}
        onKill={openPreview}
      />

      <KillDialog
        instance={instance}
        canCommit={canKill}
        request={dialog.kind === 'preview' ? dialog.request : dialog.kind === 'kill-and-throttle' ? dialog.plan.request : null}
        also={killAndThrottle}
        listedIds={listedIds}
        {...(dialog.kind === 'preview' && dialog.pasted ? { rejected: dialog.pasted } : {})}
        onClose={dialogs.close}
        onCommitted={killCommitted}
      />
      <PasteIdsDialog
        open={dialog.kind === 'paste'}
        instance={instance}
        filter={view.serverFilter}
        listedIds={listedIds}
        isAdmin={isAdmin}
        text={dialogs.pastedText}
        onTextChange={dialogs.setPastedText}
        onClose={dialogs.close}
        onPreview={dialogs.previewPasted}
        onCommitted={pasteCommitted}
      />
      <ThrottleDialog instance={instance} target={dialog.kind === 'throttle' ? dialog.target : null} role={me.data?.role} onClose={dialogs.close} onKillAndThrottle={dialogs.openKillAndThrottle} />
      {isAdmin && (
        <BroadKillDialog
          open={dialog.kind === 'broad'}
          instance={instance}
          filter={view.serverFilter}
          relisted={afterBroad.relisted}
          onClose={closeBroad}
          onCommitted={broadCommitted}
        />
      )}
    </div>
  );
}

/** What the parts showing filtered rows read: the filters, the text being typed, the rows those leave. */
interface ShownProps {
  filters: SessionFilters;
  typedText: TypedTextStore;
  shownOf: (text: Pick<SessionFilters, 'q' | 'host'>) => readonly Session[];
}

/** The filters with the text being typed, and the rows they show: re-renders on each keystroke. */
function useShown({ filters, typedText, shownOf }: ShownProps) {
  const all = useTextFilters(filters, typedText);
  return { filters: all, shown: shownOf(all) };
}

function ShownListingBar({
  total,
  groups,
  onPick,
  selection,
  throttle,
  children,
  ...props
}: ShownProps & {
  total: number;
  groups: Record<GroupField, GroupCount[]>;
  onPick: (field: GroupField, value: string, on: boolean) => void;
  selection: { selected: ReadonlySet<number>; addAll: (ids: readonly number[]) => void; remove: (ids: readonly number[]) => void };
  throttle: ComponentProps<typeof ListingBar>['throttle'];
  children: ReactNode;
}) {
  const { filters, shown } = useShown(props);
  const { user, noDatabase, database, command, host } = filters;
  const active = useMemo(() => ({ user, database: noDatabase ? '' : database, command, host }), [user, noDatabase, database, command, host]);
  const { selected } = selection;
  return (
    <ListingBar
      total={total}
      shown={shown.length}
      groups={groups}
      active={active}
      onPick={onPick}
      allShownSelected={shown.length > 0 && shown.every((s) => selected.has(s.id))}
      onSelectShown={(select) => (select ? selection.addAll(idsOf(shown)) : selection.remove(idsOf(shown)))}
      throttle={throttle}
    >
      {children}
    </ListingBar>
  );
}

function ShownSessions({
  listedCount,
  listedBy,
  onClearClientFilters,
  rootsOnly,
  ...props
}: ShownProps & {
  listedCount: number;
  listedBy: ComponentProps<typeof NoSessions>['listedBy'];
  onClearClientFilters: () => void;
  onSortChange: (sort: Sort) => void;
  selected: ReadonlySet<number>;
  onRowClick: ComponentProps<typeof SessionsTable>['onRowClick'];
  onToggleAllShown: (ids: readonly number[], select: boolean) => void;
  fetchedAt: number;
  rootsOnly: boolean;
  locks: SessionLocks;
  onThrottleSimilar: ((s: Session) => void) | undefined;
}) {
  const { filters, shown } = useShown(props);
  const resetKey = useResetKey(JSON.stringify([filters.user, filters.database, filters.host, filters.command, filters.noDatabase, filters.minTime, filters.q, filters.sort, rootsOnly]), shown);
  if (shown.length === 0) return <NoSessions filtered={hasClientFilter(filters) && listedCount > 0} listedBy={listedBy} onClearClientFilters={onClearClientFilters} />;
  return (
    <SessionsTable
      sessions={shown}
      sort={filters.sort}
      onSortChange={props.onSortChange}
      selected={props.selected}
      onRowClick={props.onRowClick}
      onToggleAllShown={props.onToggleAllShown}
      fetchedAt={props.fetchedAt}
      resetKey={resetKey}
      locks={props.locks}
      onThrottleSimilar={props.onThrottleSimilar}
    />
  );
}

function ShownSelectionBar({ partOf, liveCount, goneCount, tooMany, canKill, onClear, onKill, ...props }: ShownProps & { partOf: (shown: readonly Session[]) => { hidden: readonly number[] } } & Omit<ComponentProps<typeof SelectionBar>, 'hiddenCount'>) {
  const { shown } = useShown(props);
  // the split by rows shown costs id sets of the listing: made only with something selected
  const hiddenCount = useMemo(() => (liveCount === 0 ? 0 : partOf(shown).hidden.length), [liveCount, partOf, shown]);
  return <SelectionBar liveCount={liveCount} hiddenCount={hiddenCount} goneCount={goneCount} tooMany={tooMany} canKill={canKill} onClear={onClear} onKill={onKill} />;
}
