import { useId, type InputHTMLAttributes, type KeyboardEvent, type ReactNode } from 'react';

/** Enter in a text field of a kill, throttle or approval form never submits anything. */
export function swallowEnter(e: KeyboardEvent) {
  if (e.key === 'Enter') e.preventDefault();
}

export const inputClass =
  'h-9 w-full rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-900 placeholder:text-slate-400 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 aria-invalid:border-red-600';

export function TextField({ label, hint, error, className = '', ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: ReactNode; error?: string | null }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-1 block text-xs font-medium text-slate-700 dark:text-slate-300">
        {label}
      </label>
      <input id={id} className={inputClass} aria-invalid={error ? true : undefined} aria-describedby={hint || error ? hintId : undefined} {...props} />
      {(hint || error) && (
        <p id={hintId} className={`mt-1 text-xs ${error ? 'text-red-700 dark:text-red-400' : 'text-slate-500 dark:text-slate-400'}`}>
          {error ?? hint}
        </p>
      )}
    </div>
  );
}
