import { MAX_SESSION_IDS } from '@quell/contracts/kill';

const MAX_ID = 2 ** 31 - 1;

export interface RejectedToken {
  token: string;
  why: string;
}

export interface ParsedIds {
  ids: number[];
  /** Each token that is not a session id, with why, in the order pasted. */
  rejected: RejectedToken[];
  tooMany: boolean;
}

/** A `mysql` table border: `+------+------+`. */
const TABLE_BORDER = /^\+[-+]*\+$/;
/** Words of `KILL [CONNECTION | QUERY] <id>;` that are not the id. */
const KILL_WORDS = /^(kill|connection|query)$/i;

function why(token: string): string | null {
  if (/^-\d+$/.test(token)) return 'negative';
  if (!/^\d+$/.test(token)) return 'not a number';
  const n = Number(token);
  if (n === 0) return '0 is not a session id';
  if (n > MAX_ID) return `above the largest session id (${MAX_ID})`;
  return null;
}

/** The tokens of one pasted line: the first cell of a `mysql` table row, or the words of a list or of KILL statements. */
function tokensOf(line: string): string[] {
  const t = line.trim();
  if (!t || TABLE_BORDER.test(t)) return [];
  if (t.startsWith('|')) {
    const first = t.split('|')[1]?.trim() ?? '';
    // the header row of `SHOW PROCESSLIST` / information_schema.processlist
    return /^id$/i.test(first) || first === '' ? [] : [first];
  }
  return t.split(/[\s,;]+/).filter((w) => w && !KILL_WORDS.test(w));
}

/**
 * Reads the session ids in pasted text as runbooks hold them: separated by commas, spaces, semicolons
 * or new lines, as `KILL 445; KILL 446;`, or as rows copied from a `mysql` table (`| 445 | app | … |`).
 * Duplicates are dropped; a token that is not an id is listed with why and does not stop the rest.
 */
export function parseSessionIds(text: string): ParsedIds {
  const ids: number[] = [];
  const seen = new Set<number>();
  const rejected: RejectedToken[] = [];
  for (const line of text.split(/\r?\n/)) {
    for (const token of tokensOf(line)) {
      const problem = why(token);
      if (problem) {
        rejected.push({ token, why: problem });
        continue;
      }
      const n = Number(token);
      if (!seen.has(n)) {
        seen.add(n);
        ids.push(n);
      }
    }
  }
  return { ids, rejected, tooMany: ids.length > MAX_SESSION_IDS };
}
