import { describe, expect, it } from 'vitest';
import { exemption, governingRule, keywordsInOrder, keywordsOf, referencedTables, statementType, tokenize, type MatchableRule } from './sql-limit-matcher.ts';

const app = { user: 'app', database: 'shop' };
let nextId = 1;
const rule = (sqlType: MatchableRule['sqlType'], pattern: string): MatchableRule => ({ id: String(nextId++), sqlType, keywords: keywordsOf(pattern) });
const typeOf = (sql: string) => statementType(tokenize(sql));
const tablesOf = (sql: string) => referencedTables(tokenize(sql));

describe('keywords: order and substring (§4.8 rule 3)', () => {
  it('needs every keyword, in order, each found after the previous match', () => {
    const k = keywordsOf('select~a~and~b');
    expect(keywordsInOrder('select * from t where a>1 and b>2', k)).toBe(true);
    expect(keywordsInOrder('select * from t where b>2 and a>1', k)).toBe(false);
    expect(keywordsInOrder('select * from t where a>1', k)).toBe(false);
  });

  it('matches substrings, not tokens', () => {
    const k = keywordsOf('select~999');
    expect(keywordsInOrder('select * from t limit 9999', k)).toBe(true);
    expect(keywordsInOrder('select * from t limit 9,99', k)).toBe(false);
    expect(keywordsInOrder('select * from t limit 9,999', k)).toBe(true);
    expect(keywordsInOrder('select * from orders_archive', keywordsOf('select~orders'))).toBe(true);
  });

  it('resumes after the previous match, so a repeated keyword needs two occurrences', () => {
    expect(keywordsInOrder('select a from t', keywordsOf('select~select'))).toBe(false);
    expect(keywordsInOrder('select (select 1) from t', keywordsOf('select~select'))).toBe(true);
  });

  it('searches the raw text: comments and literals count', () => {
    expect(keywordsInOrder("select * from t where note = 'nightly'", keywordsOf('select~nightly'))).toBe(true);
    expect(keywordsInOrder('select /* checkout */ * from t', keywordsOf('select~checkout'))).toBe(true);
  });

  it('keeps inner whitespace literal after trimming the edges', () => {
    expect(keywordsInOrder('select * from  t4', keywordsOf('select~ from  t4 '))).toBe(true);
    expect(keywordsInOrder('select * from t4', keywordsOf('select~from  t4'))).toBe(false);
  });
});

describe('case (§4.8 rule 4)', () => {
  it('folds ASCII case by default', () => {
    expect(keywordsInOrder('SELECT * FROM Orders', keywordsOf('select~orders'))).toBe(true);
    expect(keywordsInOrder('select * from orders', keywordsOf('SELECT~ORDERS'))).toBe(true);
  });

  it('folds ASCII only: other letters must match as written', () => {
    expect(keywordsInOrder('select * from ÉTÉ', keywordsOf('select~été'))).toBe(false);
    expect(keywordsInOrder('select * from été', keywordsOf('SELECT~été'))).toBe(true);
  });

  it('is byte-exact when case-sensitive', () => {
    expect(keywordsInOrder('SELECT * FROM Orders', keywordsOf('select~orders'), true)).toBe(false);
    expect(keywordsInOrder('select * FROM Orders', keywordsOf('select~Orders'), true)).toBe(true);
  });

  it('applies to the whole decision', () => {
    const r = rule('SELECT', 'select~orders');
    expect(governingRule('SELECT * FROM Orders', app, [r])).toBe(r);
    expect(governingRule('SELECT * FROM Orders', app, [r], { caseSensitive: true })).toBeUndefined();
  });
});

describe('statement type (§4.8 rule 5)', () => {
  it.each([
    ['select 1 from t', 'SELECT'],
    ['  \n\tSELECT 1 from t', 'SELECT'],
    ['/* report */ select 1 from t', 'SELECT'],
    ['-- report\nselect 1 from t', 'SELECT'],
    ['# report\nselect 1 from t', 'SELECT'],
    ['(select a from t) union (select a from u)', 'SELECT'],
    ['with x as (select 1 from t) select * from x', 'SELECT'],
    ['WITH RECURSIVE c (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) SELECT * FROM c', 'SELECT'],
    ['with x as (select id from t) update t join x using (id) set v = 1', 'UPDATE'],
    ['update t set v = 1', 'UPDATE'],
    ['update t1 join t2 on t1.id = t2.id set t1.v = 2', 'UPDATE'],
    ['delete from t where id = 1', 'DELETE'],
    ['delete t1 from t1 join t2 using (id)', 'DELETE'],
    ['insert into t values (1)', 'INSERT'],
    ['insert into t select * from u', 'INSERT'],
    ['replace into t values (1)', undefined],
    ['explain select * from t', undefined],
    ['call p()', undefined],
    ['set @a = 1', undefined],
    ['create table x (id int)', undefined],
    ['', undefined],
  ])('%s → %s', (sql, type) => {
    expect(typeOf(sql)).toBe(type);
  });

  it('applies a rule only to statements of its type', () => {
    const r = rule('UPDATE', 'update~orders');
    expect(governingRule('update orders set v = 1', app, [r])).toBe(r);
    // "update" and "orders" both occur, but this is a SELECT
    expect(governingRule('select * from orders where note = "update"', app, [r])).toBeUndefined();
    const ins = rule('INSERT', 'insert~orders');
    expect(governingRule('insert into orders select * from staging', app, [ins])).toBe(ins);
    expect(governingRule('replace into orders select * from staging', app, [ins])).toBeUndefined();
  });
});

describe('referenced tables', () => {
  it.each<[string, Array<{ schema?: string; name: string }>]>([
    ['select sleep(5)', []],
    ['select 1 from dual', []],
    ['select * from t', [{ name: 't' }]],
    ['select * from shop.orders o join `mysql`.`user` u on 1', [{ schema: 'shop', name: 'orders' }, { schema: 'mysql', name: 'user' }]],
    ['select * from a, b as bb, c cc where 1', [{ name: 'a' }, { name: 'b' }, { name: 'c' }]],
    ['select * from (select 1 from t) x', [{ name: 't' }]],
    ['select extract(year from d) as y', []],
    ["select trim(leading 'x' from s)", []],
    ['select * from json_table(\'[]\', "$[*]" columns (a int path "$")) j', []],
    ['update low_priority t1, t2 set t1.v = 1', [{ name: 't1' }, { name: 't2' }]],
    ['insert ignore into shop.t values (1)', [{ schema: 'shop', name: 't' }]],
    ['insert t values (1)', [{ name: 't' }]],
    ['select a into @x from t', [{ name: 't' }]],
    ["select 'from x' as s", []],
  ])('%s', (sql, tables) => {
    expect(tablesOf(sql)).toEqual(tables);
  });
});

describe('exemptions (§4.8 rule 6)', () => {
  it('never throttles a statement that reads no table', () => {
    const r = rule('SELECT', 'select~sleep');
    expect(exemption(tokenize('select sleep(5)'), app)).toBe('no-table');
    expect(governingRule('select sleep(5)', app, [r])).toBeUndefined();
    expect(governingRule('select sleep(5) from orders limit 1', app, [r])).toBe(r);
  });

  it('never throttles a statement that touches a system schema, named or current', () => {
    const r = rule('SELECT', 'select~from');
    expect(governingRule('select * from information_schema.processlist', app, [r])).toBeUndefined();
    expect(governingRule('select * from orders join mysql.user u on 1', app, [r])).toBeUndefined();
    expect(governingRule('select * from PERFORMANCE_SCHEMA.threads', app, [r])).toBeUndefined();
    expect(governingRule('select * from user', { user: 'app', database: 'mysql' }, [r])).toBeUndefined();
    expect(governingRule('select * from sys_log', { user: 'app', database: 'shop' }, [r])).toBe(r);
    expect(governingRule('select * from shop.orders', { user: 'app', database: 'sys' }, [r])).toBe(r);
  });

  it('throttles root unless the older-kernel exemption is on', () => {
    const r = rule('SELECT', 'select~orders');
    expect(governingRule('select * from orders', { user: 'root' }, [r])).toBe(r);
    expect(governingRule('select * from orders', { user: 'root' }, [r], { exemptRoot: true })).toBeUndefined();
    expect(governingRule('select * from orders', { user: 'app' }, [r], { exemptRoot: true })).toBe(r);
  });
});

describe('which rule (§4.8 rule 7)', () => {
  it('the newest matching rule of the type wins; older matching rules are ignored', () => {
    const older = rule('SELECT', 'select~orders');
    const newer = rule('SELECT', 'select~orders~status');
    const newestOtherType = rule('UPDATE', 'update~orders');
    const rules = [older, newer, newestOtherType];
    expect(governingRule('select * from orders where status = 1', app, rules)).toBe(newer);
    expect(governingRule('select * from orders where id = 1', app, rules)).toBe(older);
    const newest = rule('SELECT', 'select~from');
    expect(governingRule('select * from orders where status = 1', app, [...rules, newest])).toBe(newest);
  });

  it('no rules, no match, or no type: none', () => {
    expect(governingRule('select * from orders', app, [])).toBeUndefined();
    expect(governingRule('select * from customers', app, [rule('SELECT', 'select~orders')])).toBeUndefined();
    expect(governingRule('explain select * from orders', app, [rule('SELECT', 'select~orders')])).toBeUndefined();
  });
});
