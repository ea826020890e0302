// The SQL limit ("throttling") family of DAS-INCIDENT-API.md §4 for MySQL: the instance switch and
// its job, rules (create, list, delete) and the pattern helper. Each call validates its input,
// sends through the client's exchange (signing, deadlines, retry policy) and parses the answer.
import { z } from 'zod';
import { DasApiError } from './errors.ts';
import { SQL_LIMIT, SQL_LIMIT_TYPES, patternProblem, type SqlLimitSqlType } from './sql-limit-pattern.ts';
import { InstanceId } from './wire.ts';

export { SQL_LIMIT, SQL_LIMIT_TYPES, splitPattern, patternProblem, type SqlLimitSqlType } from './sql-limit-pattern.ts';

/** The switch as DAS reports it; `Switching` may show while a change job runs (§4.1). */
export type SqlLimitSwitchStatus = 'ON' | 'OFF' | 'Switching';
export type SqlLimitJobStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';

export interface SqlLimitJob {
  jobId: string;
  status: SqlLimitJobStatus;
  /** '' unless the job failed. */
  failReason: string;
}

export interface SqlLimitRuleInput {
  sqlType: SqlLimitSqlType;
  /** Keywords joined by `~`, the first one the statement type (`select~orders~sleep`). */
  pattern: string;
  /** 0 rejects every matching statement. */
  maxConcurrency: number;
  /** Stored and echoed by DAS; no effect documented for MySQL (§4.9). */
  maxWaiting?: number;
  /** End the sessions already running a matching statement when the rule is created. */
  hisSqlLimitSwitch?: boolean;
}

export interface SqlLimitRule {
  /** DAS sends rule ids as strings. */
  id: string;
  sqlType: string;
  pattern: string;
  maxConcurrency: number;
  maxWaiting?: number;
}

export interface ParseSqlLimitParams {
  instanceId: string;
  /** A sample statement, 1..1024 characters. */
  originalSql: string;
  useTemplate: boolean;
  keepOperators: boolean;
}

/** What the client's exchange gives this module (see DasClient). */
export interface SqlLimitExchange {
  send(operation: string, method: 'GET' | 'POST' | 'DELETE', segments: string[], query: Array<readonly [string, string]>, body?: string): Promise<SentAnswer>;
  check<T>(operation: string, schema: z.ZodType<T>, value: unknown): T;
  parse<T>(operation: string, schema: z.ZodType<T>, sent: SentAnswer): T;
}

export interface SentAnswer {
  status: number;
  text: string;
  requestId: string | undefined;
  attempts: number;
}

/** Quell's DAS calls are for MySQL instances (RDS for MySQL; the SDK enum also has PostgreSQL). */
const DATASTORE = 'MySQL';
const PAGE_LIMIT = 100;
/** Rules per instance are capped at 100: a few pages at most; this stops a DAS that ignores offset. */
const MAX_PAGES = 100;
const INT32_MAX = 2 ** 31 - 1;

// ---- what Quell accepts from its callers -----------------------------------------------------

const SqlType = z.enum(SQL_LIMIT_TYPES, `must be one of ${SQL_LIMIT_TYPES.join(', ')}`);

export const SqlLimitRuleInputSchema = z
  .object({
    sqlType: SqlType,
    pattern: z.string('must be a string'),
    maxConcurrency: z
      .number('must be a number')
      .int('must be an integer')
      .min(0, 'must be >= 0')
      .max(SQL_LIMIT.maxConcurrency, `must be <= ${SQL_LIMIT.maxConcurrency}`),
    maxWaiting: z.number('must be a number').int('must be an integer').min(0, 'must be >= 0').max(INT32_MAX, `must be <= ${INT32_MAX}`).optional(),
    hisSqlLimitSwitch: z.boolean('must be true or false').optional(),
  })
  .superRefine((rule, ctx) => {
    const problem = patternProblem(rule.sqlType, rule.pattern);
    if (problem) ctx.addIssue({ code: 'custom', path: ['pattern'], message: problem });
  });

export const CreateSqlLimitRulesSchema = z.object({
  instanceId: InstanceId,
  rules: z
    .array(SqlLimitRuleInputSchema, 'must be an array of rules')
    .min(1, 'must hold at least one rule')
    .max(SQL_LIMIT.rulesPerCall, `must hold at most ${SQL_LIMIT.rulesPerCall} rules per call`),
});

/** DAS rule ids are short decimal strings; the alphabet check also keeps odd bytes out of the body. */
const RuleId = z.string('must be a string').regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"');

export const DeleteSqlLimitRulesSchema = z.object({
  instanceId: InstanceId,
  ruleIds: z
    .array(RuleId, 'must be an array of rule ids')
    .min(1, 'must list at least one rule id')
    .max(SQL_LIMIT.rulesPerInstance, `must list at most ${SQL_LIMIT.rulesPerInstance} rule ids`),
});

export const ChangeSqlLimitSwitchSchema = z.object({ instanceId: InstanceId, status: z.enum(['ON', 'OFF'], 'must be ON or OFF') });
export const SqlLimitInstanceSchema = z.object({ instanceId: InstanceId });
export const ShowSqlLimitJobSchema = z.object({
  instanceId: InstanceId,
  jobId: z.string('must be a string').regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"'),
});
export const ParseSqlLimitSchema = z.object({
  instanceId: InstanceId,
  originalSql: z
    .string('must be a string')
    .min(1, 'must not be empty')
    .max(SQL_LIMIT.originalSqlLength, `must be at most ${SQL_LIMIT.originalSqlLength} characters`),
  useTemplate: z.boolean('must be true or false'),
  keepOperators: z.boolean('must be true or false'),
});

// ---- what Quell accepts from DAS -------------------------------------------------------------

const WireInt = z.union([z.number().int(), z.string().regex(/^-?\d{1,10}$/).transform(Number)]);
const WireId = z.union([z.string().min(1), z.number().int().nonnegative().transform(String)]);

export const SwitchStatusResponse = z.object({ switch_status: z.enum(['ON', 'OFF', 'Switching']) });
export const JobIdResponse = z.object({ job_id: WireId });
export const JobInfoResponse = z.object({
  job_id: WireId,
  job_status: z.enum(['RUNNING', 'COMPLETED', 'FAILED']),
  fail_reason: z.string().nullish(),
});
export const SqlLimitRuleWire = z.object({
  id: WireId,
  sql_type: z.string(),
  pattern: z.string(),
  max_concurrency: WireInt,
  max_waiting: WireInt.nullish(),
});
export const ListSqlLimitRulesResponse = z.object({
  sql_limit_rules: z.array(SqlLimitRuleWire).nullish(),
  total_count: WireInt.nullish(),
});
export const ParseSqlLimitResponse = z.object({ rule: z.string() });

function toRule(r: z.infer<typeof SqlLimitRuleWire>): SqlLimitRule {
  return {
    id: r.id,
    sqlType: r.sql_type,
    pattern: r.pattern,
    maxConcurrency: r.max_concurrency,
    ...(r.max_waiting === null || r.max_waiting === undefined ? {} : { maxWaiting: r.max_waiting }),
  };
}

const path = (instanceId: string, ...rest: string[]) => ['instances', instanceId, 'sql-limit', ...rest];

// ---- the operations --------------------------------------------------------------------------

/** ShowSqlLimitSwitchStatus (a read). */
export async function showSwitchStatus(x: SqlLimitExchange, params: { instanceId: string }): Promise<SqlLimitSwitchStatus> {
  const operation = 'ShowSqlLimitSwitchStatus';
  const p = x.check(operation, SqlLimitInstanceSchema, params);
  const sent = await x.send(operation, 'GET', path(p.instanceId, 'switch'), [['datastore_type', DATASTORE]]);
  return x.parse(operation, SwitchStatusResponse, sent).switch_status;
}

/** ChangeSqlLimitSwitchStatus (a write, sent once): asynchronous, poll the returned job. */
export async function changeSwitchStatus(x: SqlLimitExchange, params: { instanceId: string; status: 'ON' | 'OFF' }): Promise<{ jobId: string; requestId: string | undefined }> {
  const operation = 'ChangeSqlLimitSwitchStatus';
  const p = x.check(operation, ChangeSqlLimitSwitchSchema, params);
  const body = JSON.stringify({ datastore_type: DATASTORE, switch_status: p.status });
  const sent = await x.send(operation, 'POST', path(p.instanceId, 'switch'), [], body);
  return { jobId: x.parse(operation, JobIdResponse, sent).job_id, requestId: sent.requestId };
}

/** ShowSqlLimitJobInfo (a read). */
export async function showJobInfo(x: SqlLimitExchange, params: { instanceId: string; jobId: string }): Promise<SqlLimitJob> {
  const operation = 'ShowSqlLimitJobInfo';
  const p = x.check(operation, ShowSqlLimitJobSchema, params);
  const sent = await x.send(operation, 'GET', path(p.instanceId, 'job'), [['job_id', p.jobId]]);
  const job = x.parse(operation, JobInfoResponse, sent);
  return { jobId: job.job_id, status: job.job_status, failReason: job.fail_reason ?? '' };
}

/**
 * CreateSqlLimitRules (a write, sent once): 1..5 rules. DAS answers 200 without a body and does not
 * return the new ids: list the rules afterwards to learn them.
 */
export async function createRules(x: SqlLimitExchange, params: { instanceId: string; rules: SqlLimitRuleInput[] }): Promise<{ requestId: string | undefined }> {
  const operation = 'CreateSqlLimitRules';
  const p = x.check(operation, CreateSqlLimitRulesSchema, params);
  const rules = p.rules.map((r) => ({
    sql_type: r.sqlType,
    pattern: r.pattern,
    max_concurrency: r.maxConcurrency,
    ...(r.maxWaiting === undefined ? {} : { max_waiting: r.maxWaiting }),
    ...(r.hisSqlLimitSwitch === undefined ? {} : { his_sql_limit_switch: r.hisSqlLimitSwitch }),
  }));
  const sent = await x.send(operation, 'POST', path(p.instanceId, 'rules'), [], JSON.stringify({ datastore_type: DATASTORE, sql_limit_rules: rules }));
  return { requestId: sent.requestId };
}

/** ListSqlLimitRules (a read), every page (limit 100). */
export async function listRules(x: SqlLimitExchange, params: { instanceId: string }): Promise<SqlLimitRule[]> {
  const operation = 'ListSqlLimitRules';
  const p = x.check(operation, SqlLimitInstanceSchema, params);
  const all: SqlLimitRule[] = [];
  for (let offset = 0, pages = 0; ; pages++) {
    if (pages === MAX_PAGES) {
      throw new DasApiError({ operation, httpStatus: 200, kind: 'invalid-response', retryable: false, message: `${operation}: more than ${MAX_PAGES} full pages; DAS paging does not seem to advance` });
    }
    const query: Array<readonly [string, string]> = [
      ['datastore_type', DATASTORE],
      ['offset', String(offset)],
      ['limit', String(PAGE_LIMIT)],
    ];
    const page = x.parse(operation, ListSqlLimitRulesResponse, await x.send(operation, 'GET', path(p.instanceId, 'rules'), query));
    const rules = (page.sql_limit_rules ?? []).map(toRule);
    all.push(...rules);
    offset += rules.length;
    if (rules.length < PAGE_LIMIT) return all;
    if (page.total_count !== null && page.total_count !== undefined && offset >= page.total_count) return all;
  }
}

/** DeleteSqlLimitRules (a write, sent once; DELETE with a JSON body). */
export async function deleteRules(x: SqlLimitExchange, params: { instanceId: string; ruleIds: string[] }): Promise<{ requestId: string | undefined }> {
  const operation = 'DeleteSqlLimitRules';
  const p = x.check(operation, DeleteSqlLimitRulesSchema, params);
  const body = JSON.stringify({ datastore_type: DATASTORE, sql_limit_rule_ids: p.ruleIds });
  const sent = await x.send(operation, 'DELETE', path(p.instanceId, 'rules'), [], body);
  return { requestId: sent.requestId };
}

/** ParseSqlLimitRules: a suggested pattern for a sample statement ("for reference only"). A POST, so sent once. */
export async function parseRule(x: SqlLimitExchange, params: ParseSqlLimitParams): Promise<string> {
  const operation = 'ParseSqlLimitRules';
  const p = x.check(operation, ParseSqlLimitSchema, params);
  const body = JSON.stringify({ datastore_type: DATASTORE, original_sql: p.originalSql, use_template: p.useTemplate, keep_operators: p.keepOperators });
  const sent = await x.send(operation, 'POST', path(p.instanceId, 'parse'), [], body);
  return x.parse(operation, ParseSqlLimitResponse, sent).rule;
}
