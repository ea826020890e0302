import { useCallback, useEffect, useState } from 'react';
import { useBlocker } from 'react-router';
import type { KillPreviewRequest } from '@quell/contracts/kill';
import type { RejectedToken } from '@/features/kill/utils/parse-ids';
import type { KillAndThrottlePlan, ThrottleTarget } from '@/features/throttles/utils/throttle-target';

export type SessionsDialog =
  | { kind: 'none' }
  /** `pasted`: the preview came from the paste dialog (with the tokens that were not ids); cancelling goes back there. */
  | { kind: 'preview'; request: KillPreviewRequest; pasted?: readonly RejectedToken[]; committed?: boolean }
  | { kind: 'paste' }
  | { kind: 'broad' }
  /** "Throttle similar…" to the statement of a sample (a row, a group chip, a kill result). */
  | { kind: 'throttle'; target: ThrottleTarget }
  /** The kill preview of the sessions a throttle matches: its confirmation kills them and creates the throttle. */
  | { kind: 'kill-and-throttle'; plan: KillAndThrottlePlan };

/** Which dialog of the sessions page is open, and the pasted text, which outlives a cancelled preview. */
export function useSessionsDialogs() {
  const [dialog, setDialog] = useState<SessionsDialog>({ kind: 'none' });
  const [pastedText, setPastedText] = useState('');

  const openPreview = useCallback((request: KillPreviewRequest) => setDialog({ kind: 'preview', request }), []);
  const previewPasted = useCallback((request: KillPreviewRequest, rejected: readonly RejectedToken[]) => setDialog({ kind: 'preview', request, pasted: rejected }), []);
  const openPaste = useCallback(() => setDialog({ kind: 'paste' }), []);
  const openBroad = useCallback(() => setDialog({ kind: 'broad' }), []);
  const openThrottle = useCallback((target: ThrottleTarget) => setDialog({ kind: 'throttle', target }), []);
  const openKillAndThrottle = useCallback((plan: KillAndThrottlePlan) => setDialog({ kind: 'kill-and-throttle', plan }), []);
  const close = useCallback(() => {
    setDialog((d) => (d.kind === 'preview' && d.pasted && !d.committed ? { kind: 'paste' } : { kind: 'none' }));
  }, []);
  /** A kill was carried out: closing now goes back to the list, and the pasted ids are spent. */
  const committed = useCallback(() => {
    setDialog((d) => (d.kind === 'preview' ? { ...d, committed: true } : d));
    setPastedText('');
  }, []);

  // Browser Back while a dialog is open closes the dialog; the filters under it stay as they are
  const blocker = useBlocker(({ historyAction }) => dialog.kind !== 'none' && historyAction === 'POP');
  useEffect(() => {
    if (blocker.state !== 'blocked') return;
    blocker.reset();
    close();
  }, [blocker, close]);

  return { dialog, open: dialog.kind !== 'none', openPreview, previewPasted, openPaste, openBroad, openThrottle, openKillAndThrottle, close, committed, pastedText, setPastedText };
}
