import { useCallback, useDeferredValue, useEffect, useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { MAX_SESSION_IDS, type KillPreviewRequest } from '@quell/contracts/kill';
import { sessionQueries } from '../api/session-queries';
import { filterSessions, groupCounts } from '../utils/filter-sessions';
import { filterOptions } from '../utils/name-suggestions';
import { partitionSelection } from '../utils/selection';
import { hasServerFilter, type SessionFilters } from '../utils/session-filters';
import { useRecentFilters } from './use-recent-filters';
import { useSelection } from './use-selection';

/**
 * What the sessions page shows for `filters`: the listing (by the server filter), the rows the client
 * filters leave, the group counts, the selection and how it splits into shown / hidden / gone.
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
  // the typed text filters follow the keystrokes at low priority, so the field never waits for the table
  const q = useDeferredValue(filters.q);
  const host = useDeferredValue(filters.host);
  const shown = useMemo(() => {
    const matching = filterSessions(listed ?? [], { q, host, command: filters.command, noDatabase: filters.noDatabase, minTime: filters.minTime });
    return onlyIds ? matching.filter((s) => onlyIds.has(s.id)) : matching;
  }, [listed, q, host, filters.command, filters.noDatabase, filters.minTime, onlyIds]);
  const groups = useMemo(() => groupCounts(listed ?? []), [listed]);
  const commands = useMemo(() => groups.command.map((g) => g.value).sort(), [groups]);

  // a selection belongs to one listing: a new user/database filter starts a new one
  const selection = useSelection(`${instanceId}\u0000${filters.user ?? ''}\u0000${filters.database ?? ''}`, listed);
  const part = useMemo(
    () => partitionSelection(selection.selected, new Set((listed ?? []).map((s) => s.id)), new Set(shown.map((s) => s.id))),
    [selection.selected, listed, shown],
  );
  const liveCount = part.visible.length + part.hidden.length;
  const allShownSelected = shown.length > 0 && shown.every((s) => selection.selected.has(s.id));

  const refresh = useCallback(() => {
    if (canList) void list.refetch();
  }, [canList, list]);

  /** The preview request for the selection, or null when there is nothing (or too much) to preview. */
  const killRequest = useMemo((): KillPreviewRequest | null => {
    if (!canList || liveCount === 0) return null;
    const ids = [...part.visible, ...part.hidden, ...part.gone];
    if (ids.length > MAX_SESSION_IDS) return null;
    return { ...(filters.user ? { user: filters.user } : {}), ...(filters.database ? { database: filters.database } : {}), sessionIds: ids };
  }, [canList, liveCount, part, filters.user, filters.database]);

  // names to suggest in the user/database fields: open transactions, recent filters, recent kills, the listing
  const named = useQuery(sessionQueries.suggestions(instanceId));
  const suggestions = useMemo(() => filterOptions(named.data, recent, groups), [named.data, recent, groups]);

  // a row's start is counted back from when the server listed it, not from when the browser got it
  const fetchedAt = list.data ? Date.parse(list.data.fetchedAt) || list.dataUpdatedAt : 0;

  return { serverFilter, canList, recent, suggestions, named, list, listed, shown, groups, commands, selection, part, liveCount, allShownSelected, refresh, killRequest, fetchedAt };
}
