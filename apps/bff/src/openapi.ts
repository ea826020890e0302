// The OpenAPI 3.1 document: one operation per entry of the contracts route table (z.toJSONSchema).
import { z } from 'zod';
import { ApiErrorBody } from '@quell/contracts/errors';
import { CSRF_HEADER, IDEMPOTENCY_HEADER, needsCsrf, routes, type RouteDef } from '@quell/contracts/routes';

function schema(s: z.ZodType, io: 'input' | 'output' = 'output'): unknown {
  const json = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

const json = (s: z.ZodType, io: 'input' | 'output' = 'output') => ({ content: { 'application/json': { schema: schema(s, io) } } });

/** The route table's header keys are lower-case; the document spells them as clients send them. */
const HEADER_NAMES: Record<string, string> = { 'idempotency-key': IDEMPOTENCY_HEADER };

/** Express-style `:name` parameters → OpenAPI `{name}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

function parameters(r: RouteDef): unknown[] {
  const fields = (o: z.ZodObject | undefined) => Object.entries(o?.shape ?? {}) as Array<[string, z.ZodType]>;
  return [
    ...fields(r.params).map(([name, s]) => ({ name, in: 'path', required: true, schema: schema(s, 'input') })),
    ...fields(r.query).map(([name, s]) => ({ name, in: 'query', required: !s.safeParse(undefined).success, schema: schema(s, 'input') })),
    ...(needsCsrf(r) ? [{ name: CSRF_HEADER, in: 'header', required: true, schema: { type: 'string' } }] : []),
    ...fields(r.headers).map(([name, s]) => ({ name: HEADER_NAMES[name] ?? name, in: 'header', required: !s.safeParse(undefined).success, schema: schema(s, 'output') })),
  ];
}

function success(r: RouteDef): Record<string, unknown> {
  if (r.response === null) return { description: 'ok' };
  if (r.contentType) return { description: 'ok', content: { [r.contentType.split(';')[0]!]: { schema: schema(r.response) } } };
  return { description: 'ok', ...json(r.response) };
}

export function buildOpenApi(): Record<string, unknown> {
  const errorResponse = { description: 'error', ...json(ApiErrorBody) };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of Object.values(routes) as RouteDef[]) {
    const params = parameters(r);
    const p = (paths[openApiPath(r.path)] ??= {});
    p[r.method.toLowerCase()] = {
      summary: r.summary,
      'x-quell-role': r.access,
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, ...json(r.body, 'input') } } : {}),
      responses: { [String(r.status)]: success(r), default: errorResponse },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Quell BFF', version: '1.0.0', description: `Cookie session auth; state-changing routes need ${CSRF_HEADER} from ${routes.me.path}.` },
    paths,
  };
}
