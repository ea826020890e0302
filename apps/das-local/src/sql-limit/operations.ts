// The SQL limit operations das-local answers (DAS-INCIDENT-API.md §1), and their routes.

export const SQL_LIMIT_OPERATIONS = [
  'ShowSqlLimitSwitchStatus',
  'ChangeSqlLimitSwitchStatus',
  'ShowSqlLimitJobInfo',
  'CreateSqlLimitRules',
  'ListSqlLimitRules',
  'DeleteSqlLimitRules',
  'ParseSqlLimitRules',
] as const;
export type SqlLimitOperation = (typeof SQL_LIMIT_OPERATIONS)[number];

const ROUTES: Record<string, Partial<Record<string, SqlLimitOperation>>> = {
  switch: { GET: 'ShowSqlLimitSwitchStatus', POST: 'ChangeSqlLimitSwitchStatus' },
  job: { GET: 'ShowSqlLimitJobInfo' },
  rules: { POST: 'CreateSqlLimitRules', GET: 'ListSqlLimitRules', DELETE: 'DeleteSqlLimitRules' },
  parse: { POST: 'ParseSqlLimitRules' },
};

/** `rest` = the path segments after `/v3/{project}/instances/{instance}`. */
export function matchSqlLimitRoute(method: string, rest: readonly string[]): SqlLimitOperation | undefined {
  if (rest.length !== 2 || rest[0] !== 'sql-limit') return undefined;
  const byMethod = Object.hasOwn(ROUTES, rest[1]!) ? ROUTES[rest[1]!]! : undefined;
  return byMethod && Object.hasOwn(byMethod, method) ? byMethod[method] : undefined;
}

export function isSqlLimitOperation(operation: string): operation is SqlLimitOperation {
  return (SQL_LIMIT_OPERATIONS as readonly string[]).includes(operation);
}
