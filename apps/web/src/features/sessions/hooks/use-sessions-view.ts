import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Session } from '@quell/contracts/sessions';
import { useQuery } from '@tanstack/react-query';
import { MAX_SESSION_IDS, type KillPreviewRequest } from '@quell/contracts/kill';
import { whenIdleInPieces } from '@/lib/after-paint';
import { sessionQueries } from '../api/session-queries';
import { carryFilterKeys, countGroups, filterListing, groupCounts, prepareFilterKeys, type Filtered } from '../utils/filter-sessions';
import { filterOptions } from '../utils/name-suggestions';
import { idsOf, partitionSelection } from '../utils/selection';
import { hasServerFilter, type SessionFilters } from '../utils/session-filters';
import { sortTextColumnsAhead } from '../utils/sort-ahead';
import { isListedOrder, sortOrder } from '../utils/sort-sessions';
import { useRecentFilters } from './use-recent-filters';
import { useSelection } from './use-selection';

const NONE: readonly Session[] = [];
const NO_PARTS: ReturnType<typeof partitionSelection> = { visible: [], hidden: [], gone: [] };
const NO_GROUPS = groupCounts(NONE);

/**
 * What the sessions page shows for `filters`: the listing (by the server filter), the rows the client
 * filters leave (in the table's order) for the typed text (`shownOf`), the group counts, the selection
 * and how it splits into shown / hidden / gone.
 * `onlyIds`, when given, narrows the shown rows further (the root blockers, say).
 */
export function useSessionsView(instanceId: string, filters: SessionFilters, refetchInterval: number | false, onlyIds?: ReadonlySet<number>) {
  const serverFilter = useMemo(() => ({ user: filters.user, database: filters.database }), [filters.user, filters.database]);
  const canList = hasServerFilter(serverFilter);
  const { recent, remember } = useRecentFilters(instanceId);

  const list = useQuery({ ...sessionQueries.list(instanceId, serverFilter), refetchInterval, refetchIntervalInBackground: false });
  useEffect(() => {
    if (list.isSuccess) remember(serverFilter);
  }, [list.isSuccess, serverFilter, remember]);

  const listed = list.data?.sessions;
  // Sorted once per listing and sort; the filters then keep that order, so a keystroke never sorts.
  const sortId = filters.sort.id;
  const sortDesc = filters.sort.desc;
  const sorted = useMemo(() => {
    const source = listed ?? NONE;
    const order = sortOrder(source, { id: sortId, desc: sortDesc });
    // already in that order (by ID, as listed): the listing itself, with the filter keys it has
    if (isListedOrder(order)) return source;
    const rows: Session[] = [];
    for (let i = 0; i < order.length; i++) rows.push(source[order[i]!]!);
    carryFilterKeys(source, order, rows);
    return rows;
  }, [listed, sortId, sortDesc]);
  // The client filters, but for the typed text: that comes with each keystroke, read by the parts
  // that show the filtered rows (see useTextFilters), so a keystroke re-renders only those.
  const lastFiltered = useRef<Filtered | undefined>(undefined);
  const { command, noDatabase, minTime } = filters;
  const shownOf = useMemo(() => {
    let last: { q: string | undefined; host: string | undefined; rows: readonly Session[] } | undefined;
    // each reader asks in the same render: the rows are filtered once per text
    return ({ q, host }: Pick<SessionFilters, 'q' | 'host'>): readonly Session[] => {
      if (last && last.q === q && last.host === host) return last.rows;
      const filtered = filterListing(sorted, { q, host, command, noDatabase, minTime }, lastFiltered.current);
      lastFiltered.current = filtered;
      const rows = onlyIds ? filtered.rows.filter((s) => onlyIds.has(s.id)) : filtered.rows;
      last = { q, host, rows };
      return rows;
    };
  }, [sorted, command, noDatabase, minTime, onlyIds]);
  // The group chips count a new listing once the page is idle after the table has painted, not before
  // the table, and in pieces, never long in the way of a keystroke (until then they show the last
  // listing's counts).
  const [groups, setGroups] = useState(NO_GROUPS);
  useEffect(() => {
    if (!listed) return;
    return whenIdleInPieces(countGroups(listed), setGroups);
  }, [listed]);
  // The text filters' lower-cased keys are made in pieces once the page is idle after the table has
  // painted, not on the first keystroke (one that comes first makes the rest itself). A sorted copy of
  // a listing that has its keys takes them over (carryFilterKeys) instead of lower-casing again.
  useEffect(() => {
    if (!sorted.length) return;
    return whenIdleInPieces(prepareFilterKeys(sorted));
  }, [sorted]);
  // A click on a text header should find its order made: the worker sorts each text column ahead.
  useEffect(() => {
    if (!listed?.length) return;
    return sortTextColumnsAhead(listed);
  }, [listed]);
  const commands = useMemo(() => groups.command.map((g) => g.value).sort(), [groups]);

  // a selection belongs to one listing: a new user/database filter starts a new one
  const selection = useSelection(`${instanceId}\u0000${filters.user ?? ''}\u0000${filters.database ?? ''}`, listed);
  // with nothing selected (the usual case) no id sets of 100 000 rows are built on a keystroke
  const listedIds = useMemo(() => (selection.selected.size === 0 ? undefined : new Set(idsOf(listed ?? NONE))), [selection.selected, listed]);
  /** The selection split into shown / hidden / gone, for the rows `shown`. */
  const partOf = useCallback(
    (shown: readonly Session[]) => (listedIds === undefined ? NO_PARTS : partitionSelection(selection.selected, listedIds, new Set(idsOf(shown)))),
    [selection.selected, listedIds],
  );
  // what does not depend on the rows shown: which selected sessions are listed, which have gone
  const part = useMemo(() => partOf(NONE), [partOf]);
  const liveCount = part.visible.length + part.hidden.length;
  // stable while the listing is: the query's result object is new on every render, its refetch is not
  const { refetch } = list;
  const refresh = useCallback(() => {
    if (canList) void refetch();
  }, [canList, refetch]);

  /** The preview request for the selection (with the rows `shown`), or null when there is nothing (or too much) to preview. */
  const killRequestFor = useCallback(
    (shown: readonly Session[]): KillPreviewRequest | null => {
      if (!canList || liveCount === 0) return null;
      const p = partOf(shown);
      const ids = [...p.visible, ...p.hidden, ...p.gone];
      if (ids.length > MAX_SESSION_IDS) return null;
      return { ...(filters.user ? { user: filters.user } : {}), ...(filters.database ? { database: filters.database } : {}), sessionIds: ids };
    },
    [canList, liveCount, partOf, filters.user, filters.database],
  );

  // names to suggest in the user/database fields: open transactions, recent filters, recent kills, the listing
  const named = useQuery(sessionQueries.suggestions(instanceId));
  const suggestions = useMemo(() => filterOptions(named.data, recent, groups), [named.data, recent, groups]);

  // a row's start is counted back from when the server listed it, not from when the browser got it
  const fetchedAt = list.data ? Date.parse(list.data.fetchedAt) || list.dataUpdatedAt : 0;

  return { serverFilter, canList, recent, suggestions, named, list, listed, shownOf, groups, commands, selection, part, partOf, liveCount, refresh, killRequestFor, fetchedAt };
}
