// Which SQL limit rule applies to a statement (DAS-INCIDENT-API.md §4.8), as a pure function of the
// statement text, the session's user and current database, and the rules. No I/O.
//
// Statement type and table detection come from a small tokenizer (comments, quoted strings and
// identifiers are understood; grammar is not): approximate in the ways listed in the README.
import { splitPattern, type SqlLimitSqlType } from './sql-limit-pattern.ts';

export interface MatchableRule {
  id: string;
  sqlType: SqlLimitSqlType;
  /** The trimmed keywords of the pattern, in order. */
  keywords: readonly string[];
}

export interface MatchOptions {
  /** `rds_sqlfilter_case_sensitive=ON`: byte-exact keywords (default OFF: ASCII case-folded). */
  caseSensitive?: boolean;
  /** Older kernels do not throttle `root` (§4.8 rule 6); current ones do (default false). */
  exemptRoot?: boolean;
}

export interface SessionContext {
  /** The MySQL account name of the session. */
  user: string;
  /** The session's current database ('' or undefined when none). */
  database?: string | undefined;
}

export const SYSTEM_SCHEMAS: ReadonlySet<string> = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);

export function keywordsOf(pattern: string): string[] {
  return splitPattern(pattern);
}

// ---- tokens ----------------------------------------------------------------------------------

type TokenKind = 'word' | 'quoted' | 'string' | 'punct';
interface Token {
  kind: TokenKind;
  /** Words upper-cased; quoted identifiers unquoted; strings and punctuation as written. */
  text: string;
  /** Parenthesis depth at the token. */
  depth: number;
}

/** Tokens of a statement: comments dropped, strings kept as one token, identifiers unquoted. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === '#' || (c === '-' && sql[i + 1] === '-' && (i + 2 >= n || /\s/.test(sql[i + 2]!)))) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      let text = '';
      while (j < n) {
        const d = sql[j]!;
        if (d === '\\' && c !== '`' && j + 1 < n) {
          text += sql[j + 1];
          j += 2;
        } else if (d === c && sql[j + 1] === c) {
          text += c;
          j += 2;
        } else if (d === c) {
          j++;
          break;
        } else {
          text += d;
          j++;
        }
      }
      tokens.push({ kind: c === '`' ? 'quoted' : 'string', text, depth });
      i = j;
    } else if (/[A-Za-z0-9_$\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j]!)) j++;
      tokens.push({ kind: 'word', text: sql.slice(i, j).toUpperCase(), depth });
      i = j;
    } else {
      if (c === ')') depth = Math.max(0, depth - 1);
      tokens.push({ kind: 'punct', text: c, depth });
      if (c === '(') depth++;
      i++;
    }
  }
  return tokens;
}

// ---- statement type --------------------------------------------------------------------------

const TYPES: ReadonlySet<string> = new Set(['SELECT', 'UPDATE', 'DELETE', 'INSERT']);

/**
 * SELECT, UPDATE, DELETE or INSERT by the first keyword (after comments and opening parentheses);
 * `WITH … SELECT` is the type of its main statement. Anything else (REPLACE, EXPLAIN, CALL, SET,
 * DDL …) is never throttled: undefined.
 */
export function statementType(tokens: readonly Token[]): SqlLimitSqlType | undefined {
  const first = tokens.find((t) => !(t.kind === 'punct' && t.text === '('));
  if (!first || first.kind !== 'word') return undefined;
  if (TYPES.has(first.text)) return first.text as SqlLimitSqlType;
  if (first.text !== 'WITH') return undefined;
  const main = tokens.find((t) => t !== first && t.kind === 'word' && t.depth === first.depth && TYPES.has(t.text));
  return main?.text as SqlLimitSqlType | undefined;
}

// ---- referenced tables -----------------------------------------------------------------------

export interface TableRef {
  schema?: string;
  name: string;
}

/** Words that end a table list or cannot be an alias. */
const CLAUSE_WORDS: ReadonlySet<string> = new Set([
  'WHERE', 'GROUP', 'ORDER', 'LIMIT', 'HAVING', 'WINDOW', 'UNION', 'EXCEPT', 'INTERSECT', 'FOR', 'LOCK', 'INTO', 'ON', 'USING',
  'JOIN', 'INNER', 'LEFT', 'RIGHT', 'OUTER', 'CROSS', 'NATURAL', 'STRAIGHT_JOIN', 'FULL', 'SET', 'VALUES', 'VALUE', 'SELECT',
  'PARTITION', 'USE', 'IGNORE', 'FORCE', 'RETURNING', 'PROCEDURE', 'AS', 'LATERAL', 'DUPLICATE', 'FROM', 'WITH', 'TABLE',
]);
/** Functions whose argument syntax uses FROM (`EXTRACT(YEAR FROM d)`): that FROM names no table. */
const FROM_FUNCTIONS: ReadonlySet<string> = new Set(['EXTRACT', 'TRIM', 'SUBSTRING', 'SUBSTR', 'POSITION', 'OVERLAY', 'MID']);
const INSERT_MODIFIERS: ReadonlySet<string> = new Set(['LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'IGNORE', 'INTO']);
const UPDATE_MODIFIERS: ReadonlySet<string> = new Set(['LOW_PRIORITY', 'IGNORE']);

const isName = (t: Token | undefined): t is Token => t !== undefined && (t.kind === 'quoted' || (t.kind === 'word' && !CLAUSE_WORDS.has(t.text) && !/^\d/.test(t.text)));

/** Reads `name`, `schema.name` at `i`; returns the ref and the index after it, or undefined. */
function readTable(tokens: readonly Token[], i: number): { ref: TableRef; next: number } | undefined {
  const a = tokens[i];
  if (!isName(a)) return undefined;
  const name = (t: Token) => (t.kind === 'quoted' ? t.text : t.text.toLowerCase());
  if (tokens[i + 1]?.kind === 'punct' && tokens[i + 1]!.text === '(') return undefined; // a function (JSON_TABLE(…))
  if (tokens[i + 1]?.kind === 'punct' && tokens[i + 1]!.text === '.' && (tokens[i + 2]?.kind === 'quoted' || tokens[i + 2]?.kind === 'word')) {
    return { ref: { schema: name(a), name: name(tokens[i + 2]!) }, next: i + 3 };
  }
  if (a.kind === 'word' && a.text === 'DUAL') return { ref: { name: '' }, next: i + 1 };
  return { ref: { name: name(a) }, next: i + 1 };
}

/** Reads a comma-separated table list (each with an optional alias) starting at `i`. */
function readTableList(tokens: readonly Token[], i: number, out: TableRef[]): void {
  for (;;) {
    const t = readTable(tokens, i);
    if (!t) return;
    if (t.ref.name !== '') out.push(t.ref);
    let j = t.next;
    if (tokens[j]?.kind === 'word' && tokens[j]!.text === 'AS') j += 2;
    else if (isName(tokens[j])) j += 1;
    if (tokens[j]?.kind === 'punct' && tokens[j]!.text === ',') i = j + 1;
    else return;
  }
}

/**
 * Tables the statement names after FROM and JOIN, after UPDATE, and after INSERT [INTO] (system
 * tables included, `DUAL` not). Approximate: a column or alias in an unusual position may be taken
 * for a table, and a table named only inside a view or function is not seen.
 */
export function referencedTables(tokens: readonly Token[]): TableRef[] {
  const out: TableRef[] = [];
  const type = statementType(tokens);
  // Which function (if any) opened each parenthesis level.
  const openers: Array<string | undefined> = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'punct' && t.text === '(') {
      const prev = tokens[i - 1];
      openers[t.depth] = prev?.kind === 'word' ? prev.text : undefined;
      continue;
    }
    if (t.kind !== 'word') continue;
    const insideFromFunction = t.depth > 0 && FROM_FUNCTIONS.has(openers[t.depth - 1] ?? '');
    if ((t.text === 'FROM' && !insideFromFunction) || t.text === 'JOIN') {
      readTableList(tokens, i + 1, out);
    } else if (t.text === 'UPDATE' && type === 'UPDATE' && i === tokens.findIndex((x) => x.kind === 'word' && x.text === 'UPDATE')) {
      let j = i + 1;
      while (tokens[j]?.kind === 'word' && UPDATE_MODIFIERS.has(tokens[j]!.text)) j++;
      readTableList(tokens, j, out);
    } else if (t.text === 'INSERT' && type === 'INSERT') {
      let j = i + 1;
      while (tokens[j]?.kind === 'word' && INSERT_MODIFIERS.has(tokens[j]!.text)) j++;
      const target = readTable(tokens, j);
      if (target && target.ref.name !== '') out.push(target.ref);
    }
  }
  return out;
}

// ---- the decision ----------------------------------------------------------------------------

export type ExemptionReason = 'no-table' | 'system-schema' | 'root';

/** Why a statement is never throttled (§4.8 rule 6), or undefined. */
export function exemption(tokens: readonly Token[], session: SessionContext, options: MatchOptions = {}): ExemptionReason | undefined {
  if (options.exemptRoot && session.user === 'root') return 'root';
  const tables = referencedTables(tokens);
  if (tables.length === 0) return 'no-table';
  const current = (session.database ?? '').toLowerCase();
  if (tables.some((t) => SYSTEM_SCHEMAS.has(t.schema ?? current))) return 'system-schema';
  return undefined;
}

const foldAscii = (s: string) => s.replace(/[a-z]+/g, (m) => m.toUpperCase());

/** Every keyword occurs in `sql`, in order, each search starting right after the previous match. */
export function keywordsInOrder(sql: string, keywords: readonly string[], caseSensitive = false): boolean {
  return inOrder(caseSensitive ? sql : foldAscii(sql), keywords, caseSensitive);
}

/** keywordsInOrder on text already folded (when not case-sensitive): fold a statement once for all rules. */
function inOrder(text: string, keywords: readonly string[], caseSensitive: boolean): boolean {
  let from = 0;
  for (const k of keywords) {
    const at = text.indexOf(caseSensitive ? k : foldAscii(k), from);
    if (at === -1) return false;
    from = at + k.length;
  }
  return true;
}

/**
 * The rule that governs this statement, or undefined when none does: statements of a throttled type
 * only, exemptions first, then the newest rule of that type whose keywords match (older matching
 * rules are ignored). `rules` are in creation order, oldest first.
 */
export function governingRule<R extends MatchableRule>(sql: string, session: SessionContext, rules: readonly R[], options: MatchOptions = {}): R | undefined {
  if (rules.length === 0) return undefined;
  const tokens = tokenize(sql);
  const type = statementType(tokens);
  if (type === undefined) return undefined;
  const caseSensitive = options.caseSensitive ?? false;
  const text = caseSensitive ? sql : foldAscii(sql);
  let chosen: R | undefined;
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i]!;
    if (r.sqlType === type && inOrder(text, r.keywords, caseSensitive)) {
      chosen = r;
      break;
    }
  }
  if (chosen === undefined || exemption(tokens, session, options) !== undefined) return undefined;
  return chosen;
}
