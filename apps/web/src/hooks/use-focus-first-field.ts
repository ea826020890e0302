import { useEffect, type RefObject } from 'react';

const FIELD = 'input:not([type=hidden]):not([type=checkbox]):not(:disabled), select:not(:disabled), textarea:not(:disabled)';
/** Pages load their data first: give up if no field appears by then. */
const GIVE_UP_MS = 10_000;

/**
 * Focuses the first text field inside `container` once it appears, each time `trigger` changes to a
 * non-null value (a new page after sign-in). Never takes focus the operator has already put somewhere.
 */
export function useFocusFirstField(container: RefObject<HTMLElement | null>, trigger: string | null) {
  useEffect(() => {
    const root = container.current;
    if (!trigger || !root) return;
    const settle = (): boolean => {
      const active = document.activeElement;
      if (active && active !== document.body && active !== root) return true;
      const field = root.querySelector<HTMLElement>(FIELD);
      field?.focus();
      return field !== null;
    };
    if (settle()) return;
    const observer = new MutationObserver(() => {
      if (settle()) observer.disconnect();
    });
    observer.observe(root, { childList: true, subtree: true });
    const timer = setTimeout(() => observer.disconnect(), GIVE_UP_MS);
    return () => {
      observer.disconnect();
      clearTimeout(timer);
    };
  }, [container, trigger]);
}
