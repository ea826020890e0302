// Sorts one text column of a listing off the main thread (see sort-ahead.ts): the same textOrder
// the table uses on a click, so either way gives the same order.
import { textOrder } from './sort-sessions';

self.onmessage = (e: MessageEvent<{ job: number; values: string[] }>) => {
  const sorted = textOrder(e.data.values);
  self.postMessage({ job: e.data.job, ...sorted }, { transfer: [sorted.order.buffer, sorted.sameAsPrevious.buffer] });
};
