import { useEffect, useId, useRef, type ReactNode } from 'react';

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
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
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
