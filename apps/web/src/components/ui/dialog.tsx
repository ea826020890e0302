import { useEffect, useId, useRef, type ReactNode } from 'react';

interface ReturnTarget {
  /** What had focus when the dialog opened. */
  element: HTMLElement | null;
  /** The dialog that element was in, when one dialog opened from another. */
  dialog: HTMLDialogElement | null;
}
const returnTargets = new WeakMap<HTMLDialogElement, ReturnTarget>();

const focusable = (el: HTMLElement | null): el is HTMLElement => el !== null && el.isConnected && !el.closest('[inert], dialog:not([open])') && !(el as HTMLButtonElement).disabled;

/**
 * Focus goes back where it was when the dialog opened. When that element is gone (the selection bar
 * after a kill) or sat in a dialog that has closed since, it goes where that dialog would return it,
 * and at last to the page's main region.
 */
function returnFocus(dialog: HTMLDialogElement) {
  // entries stay after closing: a dialog opened from this one may still need to follow the chain
  let target = returnTargets.get(dialog);
  for (let hops = 0; target && hops < 5; hops++) {
    if (focusable(target.element)) {
      target.element.focus();
      return;
    }
    target = target.dialog && !target.dialog.open ? returnTargets.get(target.dialog) : undefined;
  }
  document.querySelector<HTMLElement>('main')?.focus();
}

/**
 * A native modal <dialog>: the browser traps focus, Escape closes it, and it is announced as a dialog
 * named by its title.
 */
export function Dialog({ open, onClose, title, children, className = '' }: { open: boolean; onClose: () => void; title: ReactNode; children: ReactNode; className?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (open && !el.open) {
      const from = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      returnTargets.set(el, { element: from, dialog: from?.closest('dialog') ?? null });
      el.showModal();
    }
    if (!open && el.open) {
      el.close();
      returnFocus(el);
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className={`m-auto w-[min(56rem,calc(100vw-2rem))] rounded-lg border border-slate-300 bg-white p-0 text-slate-900 shadow-2xl dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 ${className}`}
    >
      {open && (
        <div className="flex max-h-[calc(100vh-4rem)] flex-col">
          <h2 id={titleId} className="border-b border-slate-200 px-5 py-3 text-lg font-semibold dark:border-slate-700">
            {title}
          </h2>
          {children}
        </div>
      )}
    </dialog>
  );
}
