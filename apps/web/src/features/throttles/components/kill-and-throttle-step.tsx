import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { CommitRequest, KillResult } from '@quell/contracts/kill';
import type { KillAndThrottleResult, ThrottleSpec } from '@quell/contracts/throttles';
import { ErrorPanel } from '@/components/ui/error-panel';
import { formatClock, plural } from '@/lib/format';
import { useCommitAndThrottle } from '../api/throttle-queries';
import type { KillAndThrottlePlan } from '../utils/throttle-target';
import { throttlesPath } from './throttles-panel';

/** The throttle a kill preview's confirmation also creates: what the kill dialog commits with the kill. */
export interface KillAndThrottleStep {
  label: string;
  summary: ReactNode;
  commit: (input: { previewId: string; body: CommitRequest; idempotencyKey: string }) => Promise<KillResult>;
  outcome: ReactNode;
  reason: string;
}

/** The kill preview of a plan's sessions commits them and the throttle together; the throttle's outcome is shown with the kill's. */
export function useKillAndThrottleStep(instanceId: string, plan: KillAndThrottlePlan | null): KillAndThrottleStep | undefined {
  const commitAndThrottle = useCommitAndThrottle(instanceId);
  const [state, setState] = useState<{ plan: KillAndThrottlePlan | null; answer: KillAndThrottleResult | null }>({ plan, answer: null });
  let answer = state.answer;
  if (state.plan !== plan) {
    // another plan: no answer yet
    answer = null;
    setState({ plan, answer: null });
  }
  if (!plan) return undefined;
  return {
    label: 'and throttle',
    reason: plan.reason,
    summary: <ThrottleSummary throttle={plan.throttle} />,
    commit: async ({ previewId, body, idempotencyKey }) => {
      const r = await commitAndThrottle({ previewId, body: { ...body, throttle: plan.throttle }, idempotencyKey });
      setState({ plan, answer: r });
      return r.kill;
    },
    outcome: answer ? <ThrottleOutcome instanceId={instanceId} answer={answer} /> : null,
  };
}

function ThrottleSummary({ throttle: t }: { throttle: ThrottleSpec }) {
  const until = new Date(Date.now() + t.durationMinutes * 60_000);
  return (
    <section aria-labelledby="also-throttle" className="rounded-md border border-sky-300 bg-sky-50 p-2 text-sm dark:border-sky-800 dark:bg-sky-950/40">
      <h3 id="also-throttle" className="font-semibold">
        Then throttled
      </h3>
      <p>
        {t.sqlType} statements matching <code className="font-mono break-all">{t.pattern}</code>:{' '}
        {t.maxConcurrency === 0 ? 'every one refused' : `at most ${t.maxConcurrency.toLocaleString('en-US')} running at once, the others refused`} with MySQL
        error 1317, for {plural(t.durationMinutes, 'minute')} (removed automatically at about {formatClock(until)}).
        {t.acknowledgeProtected && ' Protected users’ statements are throttled too, as you accepted.'}
      </p>
      <p className="text-xs text-slate-600 dark:text-slate-400">If the throttle cannot be created, the kill still stands and the reason is shown.</p>
    </section>
  );
}

function ThrottleOutcome({ instanceId, answer }: { instanceId: string; answer: KillAndThrottleResult }) {
  if (answer.throttle) {
    return (
      <p role="status" className="rounded-md border border-sky-300 bg-sky-50 p-2 text-sm dark:border-sky-800 dark:bg-sky-950/40">
        Throttled until {formatClock(new Date(answer.throttle.expiresAt))}: <code className="font-mono break-all">{answer.throttle.pattern}</code>.{' '}
        <Link className="underline" to={throttlesPath(instanceId, answer.throttle.id)}>
          See it in the Throttles panel
        </Link>
      </p>
    );
  }
  return <ErrorPanel title="The sessions were killed, but the throttle could not be created" error={new Error(answer.throttleError?.message ?? 'no throttle was created')} />;
}
