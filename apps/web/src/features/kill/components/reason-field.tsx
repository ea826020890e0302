import { useId } from 'react';
import { inputClass, swallowEnter } from '@/components/ui/field';
import { MIN_REASON, QUICK_REASONS, reasonIsValid } from '../utils/kill-rules';

export function ReasonField({ value, onChange, disabled, autoFocus }: { value: string; onChange: (v: string) => void; disabled?: boolean; autoFocus?: boolean }) {
  const id = useId();
  const touched = value.length > 0;
  const invalid = touched && !reasonIsValid(value);
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium">
        Reason
      </label>
      <input
        id={id}
        className={inputClass}
        value={value}
        maxLength={500}
        disabled={disabled}
        autoFocus={autoFocus}
        placeholder="INC-4211 runaway report query"
        aria-describedby={`${id}-hint`}
        aria-invalid={invalid || undefined}
        onKeyDown={swallowEnter}
        onChange={(e) => onChange(e.target.value)}
      />
      <div id={`${id}-hint`} className="mt-1 flex flex-wrap items-center gap-1 text-xs text-slate-600 dark:text-slate-400">
        <span>Recorded in the audit log; at least {MIN_REASON} characters. Quick picks:</span>
        {QUICK_REASONS.map((r) => (
          <button
            key={r}
            type="button"
            disabled={disabled}
            className="rounded-full border border-slate-300 px-2 py-0.5 hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800"
            onClick={() => onChange(r.endsWith(': ') ? r : value.trim() && !QUICK_REASONS.some((q) => q === value) ? `${value.trim()} (${r.toLowerCase()})` : r)}
          >
            {r.replace(/: $/, '')}
          </button>
        ))}
      </div>
    </div>
  );
}

export function TypedConfirmField({ instanceName, value, onChange, disabled, why }: { instanceName: string; value: string; onChange: (v: string) => void; disabled?: boolean; why: string }) {
  const id = useId();
  return (
    <div className="rounded-md border border-red-300 bg-red-50 p-3 dark:border-red-800 dark:bg-red-950/30">
      <label htmlFor={id} className="mb-1 block text-sm font-medium">
        Type the instance name to confirm
      </label>
      <p id={`${id}-why`} className="mb-1 text-xs text-slate-700 dark:text-slate-300">
        {why} Type <code className="rounded bg-white px-1 font-bold dark:bg-slate-800">{instanceName}</code> exactly.
      </p>
      <input
        id={id}
        className={`${inputClass} font-mono`}
        value={value}
        disabled={disabled}
        autoComplete="off"
        spellCheck={false}
        aria-describedby={`${id}-why`}
        onPaste={(e) => e.preventDefault()}
        onKeyDown={swallowEnter}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}
