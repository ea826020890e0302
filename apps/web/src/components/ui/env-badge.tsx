import type { Environment } from '@quell/contracts/instances';

const STYLE: Record<Environment, string> = {
  prod: 'bg-red-700 text-white ring-red-900 dark:bg-red-600 dark:ring-red-300',
  staging: 'bg-amber-300 text-amber-950 ring-amber-500',
  dev: 'bg-slate-200 text-slate-800 ring-slate-400 dark:bg-slate-700 dark:text-slate-100',
  test: 'bg-sky-100 text-sky-900 ring-sky-400 dark:bg-sky-900 dark:text-sky-100',
};

/** Text plus colour, never colour alone: PROD is unmistakable. */
export function EnvBadge({ environment, className = '' }: { environment: Environment; className?: string }) {
  return (
    <span
      className={`inline-flex items-center rounded px-1.5 py-0.5 text-xs font-bold tracking-wide uppercase ring-1 ring-inset ${STYLE[environment]} ${className}`}
      title={`${environment} environment`}
    >
      {environment === 'prod' ? '⚠ PROD' : environment.toUpperCase()}
    </span>
  );
}
