import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { InstanceSummary } from '@quell/contracts/instances';
import { EnvBadge } from '@/components/ui/env-badge';
import { ErrorPanel } from '@/components/ui/error-panel';
import { inputClass } from '@/components/ui/field';
import { SkeletonRows } from '@/components/ui/skeleton';
import { useInstances } from '../api/instance-queries';
import { useRecentInstances } from '../hooks/use-recent-instances';

const ENV_ORDER = { prod: 0, staging: 1, test: 2, dev: 3 } as const;

export function matchesInstance(i: InstanceSummary, q: string): boolean {
  const t = q.trim().toLowerCase();
  if (!t) return true;
  return [i.id, i.name, i.environment, i.region ?? ''].some((f) => f.toLowerCase().includes(t));
}

const sessionsPath = (instance: InstanceSummary) => `/instances/${encodeURIComponent(instance.id)}/sessions`;

function InstanceLink({ instance }: { instance: InstanceSummary }) {
  return (
    <Link
      to={sessionsPath(instance)}
      className={`flex items-center justify-between gap-3 rounded-md border px-3 py-2 hover:bg-slate-50 dark:hover:bg-slate-900 ${
        instance.environment === 'prod' ? 'border-red-300 dark:border-red-800' : 'border-slate-200 dark:border-slate-700'
      }`}
    >
      <span>
        <span className="font-medium">{instance.name}</span>
        <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">
          {instance.id}
          {instance.region ? ` · ${instance.region}` : ''}
        </span>
      </span>
      <EnvBadge environment={instance.environment} />
    </Link>
  );
}

export function InstancePicker() {
  const instances = useInstances();
  const { ids: recentIds } = useRecentInstances();
  const [q, setQ] = useState('');
  const navigate = useNavigate();
  const all = instances.data?.instances;
  const filtered = useMemo(
    () => (all ?? []).filter((i) => matchesInstance(i, q)).sort((a, b) => ENV_ORDER[a.environment] - ENV_ORDER[b.environment] || a.name.localeCompare(b.name)),
    [all, q],
  );
  const recent = useMemo(() => recentIds.map((id) => all?.find((i) => i.id === id)).filter((i): i is InstanceSummary => i !== undefined), [all, recentIds]);
  const only = q.trim() && filtered.length === 1 ? filtered[0] : undefined;

  return (
    <div className="mx-auto max-w-3xl space-y-6 p-6">
      <h1 className="text-2xl font-semibold">Pick an instance</h1>
      <div>
        <label htmlFor="instance-search" className="mb-1 block text-sm font-medium">
          Search instances
        </label>
        <input
          id="instance-search"
          type="search"
          className={inputClass}
          placeholder="name, id, environment or region"
          value={q}
          autoFocus
          aria-describedby={only ? 'instance-search-only' : undefined}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            // Enter opens the one instance the search leaves
            if (e.key === 'Enter' && only) {
              e.preventDefault();
              void navigate(sessionsPath(only));
            }
          }}
        />
        {only && (
          <p id="instance-search-only" className="mt-1 text-xs text-slate-600 dark:text-slate-400">
            Press <kbd className="rounded border px-1">Enter</kbd> to open {only.name}.
          </p>
        )}
      </div>
      {instances.isPending && <SkeletonRows rows={5} label="Loading instances" />}
      {instances.isError && <ErrorPanel title="Could not load the instances" error={instances.error} />}
      {recent.length > 0 && !q && (
        <section aria-labelledby="recent-instances">
          <h2 id="recent-instances" className="mb-2 text-sm font-semibold text-slate-600 dark:text-slate-300">
            Recent
          </h2>
          <ul className="grid gap-2 sm:grid-cols-2">
            {recent.map((i) => (
              <li key={i.id}>
                <InstanceLink instance={i} />
              </li>
            ))}
          </ul>
        </section>
      )}
      {all && (
        <section aria-labelledby="all-instances">
          <h2 id="all-instances" className="mb-2 text-sm font-semibold text-slate-600 dark:text-slate-300">
            {q ? `${filtered.length} matching` : 'All instances'}
          </h2>
          {filtered.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">No instance matches “{q}”.</p>
          ) : (
            <ul className="space-y-2">
              {filtered.map((i) => (
                <li key={i.id}>
                  <InstanceLink instance={i} />
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
