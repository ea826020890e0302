// The one result line every benchmark prints last, so `./quell bench` can collect them into a table.
import os from 'node:os';

export interface BenchResult {
  /** Short name, e.g. "signing". */
  name: string;
  /** Which question of the benchmark plan it answers. */
  question: string;
  /** Quell's figure divided by the baseline's, oriented as in `target` (e.g. "≤ 1.5×"). */
  ratio: number | null;
  target: string;
  pass: boolean;
  /** Absolute numbers behind the ratio, with units in the keys. */
  figures: Record<string, number | string>;
  note?: string;
}

export const RESULT_PREFIX = 'BENCH_RESULT ';

export function report(result: BenchResult): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ ...result, cores: os.cpus().length })}\n`);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
