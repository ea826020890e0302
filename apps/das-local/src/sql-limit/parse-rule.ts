// ParseSqlLimitRules (DAS-INCIDENT-API.md §4.7): a pattern suggested from a sample statement. DAS's
// exact tokenizer is unknown; this one keeps the documented examples: words in their original case,
// from the statement's type keyword on, `*` and other punctuation dropped, string and number
// literals dropped (so the pattern also matches the statement with other values), operators kept
// only with keep_operators.
import { SQL_LIMIT } from '@quell/das-client/sql-limit-pattern';
import { statementType, tokenize } from '@quell/das-client/sql-limit-matcher';

const OPERATORS = new Set(['=', '<', '>', '<=', '>=', '<>', '!=', '<=>']);

export type ParseOutcome = { rule: string } | { problem: string };

export function suggestPattern(sql: string, options: { useTemplate: boolean; keepOperators: boolean }): ParseOutcome {
  const type = statementType(tokenize(sql));
  if (options.useTemplate && type === undefined) return { problem: 'original_sql is not a SELECT, UPDATE, DELETE or INSERT statement.' };
  const words: string[] = [];
  // Case-preserving scan: comments and literals out, words and (optionally) operators in.
  const scan = /\/\*[\s\S]*?(?:\*\/|$)|(?:--\s|#)[^\n]*|'(?:[^'\\]|\\.|'')*'?|"(?:[^"\\]|\\.|"")*"?|`((?:[^`]|``)*)`?|([A-Za-z_$\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)|\d[\w.]*|(<=>|<=|>=|<>|!=|[=<>])|[\s\S]/g;
  for (let m = scan.exec(sql); m !== null; m = scan.exec(sql)) {
    if (m[1] !== undefined) words.push(m[1].replace(/``/g, '`'));
    else if (m[2] !== undefined) words.push(m[2]);
    else if (m[3] !== undefined && options.keepOperators && OPERATORS.has(m[3])) words.push(m[3]);
  }
  const start = type === undefined ? 0 : words.findIndex((w) => w.toUpperCase() === type);
  const kept: string[] = [];
  let length = 0;
  for (const w of words.slice(Math.max(0, start))) {
    const k = w.replace(/~/g, '');
    if (k.trim() === '') continue;
    if (kept.length === SQL_LIMIT.keywordsPerRule || length + k.length + (kept.length ? 1 : 0) > SQL_LIMIT.patternLength) break;
    length += k.length + (kept.length ? 1 : 0);
    kept.push(k);
  }
  if (kept.length === 0) return { problem: 'original_sql holds no keyword.' };
  return { rule: kept.join('~') };
}
