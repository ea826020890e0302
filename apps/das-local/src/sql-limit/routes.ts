// The SQL limit endpoints of DAS-INCIDENT-API.md §4.1–§4.7 on per-instance state, with the
// validation of §6. DAS documents no error code per failure: DAS.200100 (DAS.200103/200104 for
// offset/limit, DAS.200107 for datastore_type), HTTP 400, a message naming the field.
import { SQL_LIMIT, SQL_LIMIT_TYPES, patternProblem, type SqlLimitSqlType } from '@quell/das-client/sql-limit-pattern';
import { DAS } from '../errors.ts';
import { firstQuery, jsonObject, parseLimit, parseOffset } from '../server.ts';
import { governingRule, type SessionContext } from '@quell/das-client/sql-limit-matcher';
import type { SqlLimitOperation } from './operations.ts';
import { suggestPattern } from './parse-rule.ts';
import { SqlLimitError, type NewRule, type SqlLimitInstance, type StoredRule } from './state.ts';

export interface SqlLimitContext {
  state(instanceId: string): SqlLimitInstance;
  /**
   * Ends (KILL) the sessions whose running statement one of these rules governs, root's excepted
   * (his_sql_limit_switch). Returns how many were ended.
   */
  endMatchingSessions(instanceId: string, governs: (sql: string, session: SessionContext) => boolean): Promise<number>;
}

export interface SqlLimitReply {
  status: number;
  body: unknown;
}

const INT32_MAX = 2 ** 31 - 1;
/** das-local emulates MySQL-family instances; the docs list these values for the MySQL kernels. */
const MYSQL_DATASTORES = new Set(['MySQL', 'MariaDB', 'TaurusDB', 'GaussDB(for MySQL)']);

function datastoreType(value: unknown): void {
  if (value === undefined || value === null || value === '') throw DAS.invalidParameter('datastore_type is required.');
  if (typeof value !== 'string' || !MYSQL_DATASTORES.has(value)) throw DAS.invalidDatastoreType();
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw DAS.invalidParameter(`${field} must be an integer in [${min}, ${max}].`);
  }
  return value;
}

function ruleOption(value: unknown, at: number): NewRule {
  const field = (name: string) => `sql_limit_rules[${at}].${name}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw DAS.invalidParameter(`sql_limit_rules[${at}] must be an object.`);
  const r = value as Record<string, unknown>;
  if (typeof r.sql_type !== 'string' || !(SQL_LIMIT_TYPES as readonly string[]).includes(r.sql_type)) {
    throw DAS.invalidParameter(`${field('sql_type')} must be one of ${SQL_LIMIT_TYPES.join(', ')}.`);
  }
  const sqlType = r.sql_type as SqlLimitSqlType;
  if (typeof r.pattern !== 'string') throw DAS.invalidParameter(`${field('pattern')} is required.`);
  const problem = patternProblem(sqlType, r.pattern);
  if (problem) throw DAS.invalidParameter(`${field('pattern')} ${problem}.`);
  if (r.max_concurrency === undefined || r.max_concurrency === null) throw DAS.invalidParameter(`${field('max_concurrency')} is required.`);
  const maxConcurrency = integer(r.max_concurrency, field('max_concurrency'), 0, SQL_LIMIT.maxConcurrency);
  const hasWaiting = r.max_waiting !== undefined && r.max_waiting !== null;
  const maxWaiting = hasWaiting ? integer(r.max_waiting, field('max_waiting'), 0, INT32_MAX) : undefined;
  const his = r.his_sql_limit_switch;
  if (his !== undefined && his !== null && typeof his !== 'boolean') throw DAS.invalidParameter(`${field('his_sql_limit_switch')} must be true or false.`);
  return { sqlType, pattern: r.pattern, maxConcurrency, ...(maxWaiting === undefined ? {} : { maxWaiting }), hisSqlLimitSwitch: his === true };
}

function wireRule(r: StoredRule) {
  return { id: r.id, sql_type: r.sqlType, pattern: r.pattern, max_concurrency: r.maxConcurrency, ...(r.maxWaiting === undefined ? {} : { max_waiting: r.maxWaiting }) };
}

function requiredBoolean(body: Record<string, unknown>, field: string): boolean {
  const v = body[field];
  if (v === undefined || v === null) throw DAS.invalidParameter(`${field} is required.`);
  if (typeof v !== 'boolean') throw DAS.invalidParameter(`${field} must be true or false.`);
  return v;
}

export async function handleSqlLimit(
  operation: SqlLimitOperation,
  instanceId: string,
  query: Array<[string, string]>,
  rawBody: Buffer,
  ctx: SqlLimitContext,
): Promise<SqlLimitReply> {
  const state = ctx.state(instanceId);
  switch (operation) {
    case 'ShowSqlLimitSwitchStatus': {
      datastoreType(firstQuery(query, 'datastore_type'));
      return { status: 200, body: { switch_status: state.switchStatus() } };
    }
    case 'ChangeSqlLimitSwitchStatus': {
      const b = jsonObject(rawBody);
      datastoreType(b.datastore_type);
      if (b.switch_status === undefined || b.switch_status === null || b.switch_status === '') throw DAS.invalidParameter('switch_status is required.');
      if (b.switch_status !== 'ON' && b.switch_status !== 'OFF') throw DAS.invalidParameter('switch_status must be ON or OFF.');
      return { status: 200, body: { job_id: state.changeSwitch(b.switch_status).jobId } };
    }
    case 'ShowSqlLimitJobInfo': {
      const jobId = firstQuery(query, 'job_id');
      if (jobId === undefined || jobId === '') throw DAS.invalidParameter('job_id is required.');
      const job = state.job(jobId);
      if (!job) throw DAS.invalidParameter('job_id does not name a job of this instance.');
      return { status: 200, body: { job_id: job.jobId, job_status: job.status, fail_reason: job.failReason } };
    }
    case 'CreateSqlLimitRules': {
      const b = jsonObject(rawBody);
      datastoreType(b.datastore_type);
      const list = b.sql_limit_rules;
      if (!Array.isArray(list) || list.length === 0 || list.length > SQL_LIMIT.rulesPerCall) {
        throw DAS.invalidParameter(`sql_limit_rules must hold 1 to ${SQL_LIMIT.rulesPerCall} rules.`);
      }
      const rules = list.map(ruleOption);
      let added: StoredRule[];
      try {
        added = state.addRules(rules);
      } catch (err) {
        if (err instanceof SqlLimitError) throw DAS.invalidParameter(err.message);
        throw err;
      }
      const ending = added.filter((r) => r.hisSqlLimitSwitch);
      // Rules act only while the switch is ON, and so does ending the sessions they govern.
      if (ending.length > 0 && state.isOn()) {
        // The console text: root sessions are never ended this way.
        await ctx.endMatchingSessions(instanceId, (sql, session) => session.user !== 'root' && governingRule(sql, session, ending, state.options) !== undefined);
      }
      return { status: 200, body: undefined };
    }
    case 'ListSqlLimitRules': {
      datastoreType(firstQuery(query, 'datastore_type'));
      const offset = parseOffset(firstQuery(query, 'offset'));
      const limit = parseLimit(firstQuery(query, 'limit'), 100);
      const all = state.listRules();
      return { status: 200, body: { sql_limit_rules: all.slice(offset, offset + limit).map(wireRule), total_count: all.length } };
    }
    case 'DeleteSqlLimitRules': {
      const b = jsonObject(rawBody);
      datastoreType(b.datastore_type);
      const ids = b.sql_limit_rule_ids;
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 64)) {
        throw DAS.invalidParameter('sql_limit_rule_ids must be a non-empty array of rule id strings.');
      }
      state.deleteRules(ids as string[]);
      return { status: 200, body: undefined };
    }
    case 'ParseSqlLimitRules': {
      const b = jsonObject(rawBody);
      datastoreType(b.datastore_type);
      const sql = b.original_sql;
      if (typeof sql !== 'string' || sql.length === 0) throw DAS.invalidParameter('original_sql is required.');
      if (sql.length > SQL_LIMIT.originalSqlLength) throw DAS.invalidParameter(`original_sql must be at most ${SQL_LIMIT.originalSqlLength} characters.`);
      const outcome = suggestPattern(sql, { useTemplate: requiredBoolean(b, 'use_template'), keepOperators: requiredBoolean(b, 'keep_operators') });
      if ('problem' in outcome) throw DAS.invalidParameter(outcome.problem);
      return { status: 200, body: { rule: outcome.rule } };
    }
  }
}
