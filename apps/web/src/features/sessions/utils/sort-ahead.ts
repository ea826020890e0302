import type { Session } from '@quell/contracts/sessions';
import { whenIdle } from '@/lib/after-paint';
import { hasTextOrder, rememberTextOrder, TEXT_SORT_KEYS, textColumn, type TextOrder } from './sort-sessions';

// One worker for the page, made on first use; null where there is none (a test DOM) or it failed.
let worker: Worker | null | undefined;
function sortWorker(): Worker | null {
  if (worker === undefined) {
    try {
      worker = typeof Worker === 'undefined' ? null : new Worker(new URL('./text-sort.worker.ts', import.meta.url), { type: 'module' });
    } catch {
      worker = null;
    }
  }
  return worker;
}

// Which column's answer the worker's next message is: an answer for a stopped listing is dropped.
let lastJob = 0;

/**
 * Works out the ascending order of a listing by each text column in a worker, one column after the
 * other, so a click on a text header finds it made instead of sorting up to 100 000 texts then.
 * The main thread only copies one column to the worker at a time, when idle. A click before a column is done
 * sorts it there, as without the worker. Returns what stops the rest (a newer listing, say).
 */
export function sortTextColumnsAhead(sessions: readonly Session[]): () => void {
  if (worker === null || typeof Worker === 'undefined') return () => {};
  const pending = TEXT_SORT_KEYS.filter((k) => !hasTextOrder(sessions, k));
  let stopped = false;
  let cancelIdle: (() => void) | undefined;
  // each column is copied to the worker while the page is idle, never in the middle of a keystroke;
  // the worker itself is made then too (starting one costs the first frame milliseconds)
  const next = () => {
    cancelIdle = whenIdle(() => {
      const key = pending.shift();
      if (stopped || key === undefined) return;
      const w = sortWorker();
      if (!w) return;
      w.onerror = () => {
        // a worker that cannot run (blocked, say) is not tried again: clicks sort on the main thread
        worker = null;
        stopped = true;
      };
      if (hasTextOrder(sessions, key)) return next();
      const job = ++lastJob;
      w.onmessage = (e: MessageEvent<TextOrder & { job: number }>) => {
        if (e.data.job !== job) return;
        if (!hasTextOrder(sessions, key)) rememberTextOrder(sessions, key, { order: e.data.order, sameAsPrevious: e.data.sameAsPrevious });
        next();
      };
      w.postMessage({ job, values: textColumn(sessions, key) });
    });
  };
  next();
  return () => {
    stopped = true;
    cancelIdle?.();
  };
}
