import type { ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { ErrorPanel } from '@/components/ui/error-panel';
import { SkeletonRows } from '@/components/ui/skeleton';

interface Props {
  isPending: boolean;
  error: Error | null;
  hasData: boolean;
  onRetry: () => void;
  /** The listing itself, once there is one (possibly from before a failed refresh). */
  children: ReactNode;
}

/** Loading, a failed first listing, or the listing (with a note when only the last refresh failed). */
export function ListingState({ isPending, error, hasData, onRetry, children }: Props) {
  if (isPending) return <SkeletonRows rows={12} label="Loading sessions" />;
  if (error && !hasData) {
    return (
      <div className="p-4">
        <ErrorPanel
          title="Could not list the sessions"
          error={error}
          action={
            <Button size="sm" onClick={onRetry}>
              Try again
            </Button>
          }
        />
      </div>
    );
  }
  return (
    <>
      {error && (
        <div className="px-4 pt-2">
          <ErrorPanel title="The last refresh failed; showing the previous list" error={error} />
        </div>
      )}
      {children}
    </>
  );
}
