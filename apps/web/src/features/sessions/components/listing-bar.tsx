import type { ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { formatCount } from '@/lib/format';
import type { GroupCount, GroupField } from '../utils/filter-sessions';
import { GroupChips, type GroupThrottle } from './group-chips';

interface Props {
  total: number;
  /** How many rows the filters show. */
  shown: number;
  groups: Record<GroupField, GroupCount[]>;
  active: Partial<Record<GroupField, string | undefined>>;
  onPick: (field: GroupField, value: string, on: boolean) => void;
  allShownSelected: boolean;
  onSelectShown: (select: boolean) => void;
  /** "Throttle similar…" from a group chip. */
  throttle?: GroupThrottle | undefined;
  /** More actions on the listing (the kill dialogs), after the select button. */
  children?: ReactNode;
}

/** Counts and group chips of the listing, and what can be done with the rows shown. */
export function ListingBar({ total, shown, groups, active, onPick, allShownSelected, onSelectShown, throttle, children }: Props) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-2">
      <GroupChips total={total} shown={shown} groups={groups} active={active} onPick={onPick} throttle={throttle} />
      <div className="flex flex-wrap gap-2">
        {shown > 0 &&
          (allShownSelected ? (
            <Button size="sm" onClick={() => onSelectShown(false)}>
              Deselect all {formatCount(shown)} shown
            </Button>
          ) : (
            <Button size="sm" onClick={() => onSelectShown(true)}>
              Select all {formatCount(shown)} matching
            </Button>
          ))}
        {children}
      </div>
    </div>
  );
}
