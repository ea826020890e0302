// The SQL limit rule grammar of DAS-INCIDENT-API.md §4.8–§4.9: one definition, used by the client
// (validation before sending) and by das-local (validation and matching).

/** The statement types a MySQL rule can throttle (§4.4; QUERY_ID/QUERY_STR are PostgreSQL kinds). */
export const SQL_LIMIT_TYPES = ['SELECT', 'UPDATE', 'DELETE', 'INSERT'] as const;
export type SqlLimitSqlType = (typeof SQL_LIMIT_TYPES)[number];

export const SQL_LIMIT = {
  rulesPerCall: 5,
  rulesPerInstance: 100,
  keywordsPerRule: 128,
  patternLength: 1024,
  maxConcurrency: 1_000_000_000,
  /** ParseSqlLimitRules `original_sql` (§4.7). */
  originalSqlLength: 1024,
} as const;

// The kernel's trim_str: space, tab, CR and LF only (other whitespace stays part of the keyword).
const EDGE_WHITESPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;

/** `pattern` split on `~`, each keyword trimmed of leading and trailing whitespace; inner whitespace stays. */
export function splitPattern(pattern: string): string[] {
  return pattern.split('~').map((k) => k.replace(EDGE_WHITESPACE, ''));
}

/** Why DAS would refuse this pattern for this type, or undefined when it is a valid rule pattern. */
export function patternProblem(sqlType: SqlLimitSqlType, pattern: string): string | undefined {
  if (pattern.length === 0) return 'must not be empty';
  if (pattern.length > SQL_LIMIT.patternLength) return `must be at most ${SQL_LIMIT.patternLength} characters`;
  const keywords = splitPattern(pattern);
  if (keywords.length > SQL_LIMIT.keywordsPerRule) return `must have at most ${SQL_LIMIT.keywordsPerRule} keywords`;
  if (keywords.some((k) => k.length === 0)) return 'must not contain an empty keyword (check for a leading, trailing or doubled "~")';
  // ASCII case only, as the kernel compares ('ſelect' is not 'select').
  if (keywords[0]!.replace(/[a-z]+/g, (m) => m.toUpperCase()) !== sqlType) return `must start with the statement type (${sqlType.toLowerCase()}~…)`;
  return undefined;
}
