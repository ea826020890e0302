import { MAX_SESSION_IDS } from '@quell/contracts/kill';

const MAX_ID = 2 ** 31 - 1;

/** Reads pasted session ids: separated by spaces, commas, semicolons or new lines; duplicates dropped. */
export function parseSessionIds(text: string): { ids: number[]; invalid: string[]; tooMany: boolean } {
  const ids: number[] = [];
  const seen = new Set<number>();
  const invalid: string[] = [];
  for (const token of text.split(/[\s,;]+/)) {
    if (!token) continue;
    if (!/^\d+$/.test(token) || Number(token) > MAX_ID) {
      invalid.push(token);
      continue;
    }
    const n = Number(token);
    if (!seen.has(n)) {
      seen.add(n);
      ids.push(n);
    }
  }
  return { ids, invalid, tooMany: ids.length > MAX_SESSION_IDS };
}
