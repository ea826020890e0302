// Mounts a handler for one route of the contracts route table: role and CSRF → parse every input with the
// route's schemas (one 400 naming each bad field) → the handler with typed input → the reply, checked
// against the route's response schema when asked (in tests).
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { RouteDef } from '@quell/contracts/routes';
import type { FieldIssue } from '@quell/contracts/errors';
import type { AuthContext } from '../auth/sessions.ts';
import { toFieldIssues, ValidationError } from '../errors.ts';
import { authOf, requireRole } from '../middleware/guards.ts';

type Parsed<R, K extends string> = R extends { readonly [P in K]: infer S extends z.ZodType } ? z.output<S> : Record<string, never>;

export interface HandlerInput<R extends RouteDef> {
  params: Parsed<R, 'params'>;
  query: Parsed<R, 'query'>;
  body: Parsed<R, 'body'>;
  headers: Parsed<R, 'headers'>;
  /** The logged-in user; on anonymous routes only when there is one. */
  auth: R['access'] extends 'anonymous' ? AuthContext | undefined : AuthContext;
  req: Request;
  /** For what the route table does not describe: cookies, extra headers, another status (readyz: 503). */
  res: Response;
}

export type Reply<R extends RouteDef> = R['response'] extends z.ZodType ? z.output<R['response']> : void;

/**
 * A JSON reply already serialised, in parts (a large listing, serialised page by page so the rows
 * need not all be held as objects, then as one string, then as one buffer). `T` is what it parses to.
 */
export class SerializedJson<T> {
  declare readonly parsesTo?: T;
  constructor(readonly parts: readonly Buffer[]) {}
}

export type RouteHandler<R extends RouteDef> = (input: HandlerInput<R>) => Reply<R> | SerializedJson<Reply<R>> | Promise<Reply<R> | SerializedJson<Reply<R>>>;

export interface Mount {
  <R extends RouteDef>(router: Router, route: R, handler: RouteHandler<R>): void;
  /** Every route mounted so far, in order. */
  readonly mounted: readonly RouteDef[];
}

export interface MountOptions {
  /** Check every success against the route's response schema (a mismatch is a 500): on in tests. */
  checkResponses: boolean;
}

/** Drops empty values (an empty text box means "no filter"); a key the route does not know is a 400. Repeated keys stay arrays and fail their schema. */
function queryInput(req: Request, schema: z.ZodObject, issues: FieldIssue[]): Record<string, unknown> {
  const known = Object.keys(schema.shape);
  const q = req.query as Record<string, unknown>;
  for (const k of Object.keys(q)) if (!known.includes(k)) issues.push({ field: `query.${k}`, message: 'is not a known parameter' });
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== ''));
}

function parseInto(schema: z.ZodType | undefined, value: unknown, prefix: string, issues: FieldIssue[]): unknown {
  if (!schema) return {};
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  issues.push(...toFieldIssues(result.error, prefix));
  return undefined;
}

export function createMount(options: MountOptions): Mount {
  const mounted: RouteDef[] = [];
  const mount = <R extends RouteDef>(router: Router, route: R, handler: RouteHandler<R>): void => {
    if (mounted.includes(route)) throw new Error(`${route.method} ${route.path} is mounted twice`);
    mounted.push(route);
    const guards: RequestHandler[] = route.access === 'anonymous' ? [] : [requireRole(route.access === 'any' ? 'viewer' : route.access)];
    const run: RequestHandler = async (req, res) => {
      const issues: FieldIssue[] = [];
      const params = parseInto(route.params, req.params, '', issues);
      const query = route.query ? parseInto(route.query, queryInput(req, route.query, issues), 'query', issues) : {};
      const body = parseInto(route.body, req.body ?? {}, '', issues);
      const headers = parseInto(route.headers, req.headers, 'headers', issues);
      if (issues.length > 0) throw new ValidationError(issues);
      const auth = route.access === 'anonymous' ? res.locals.auth : authOf(res);
      res.status(route.status);
      const input = { params, query, body, headers, auth, req, res } as HandlerInput<R>;
      const reply: unknown = await handler(input);
      if (options.checkResponses && route.response) {
        const checked = route.response.safeParse(reply instanceof SerializedJson ? JSON.parse(Buffer.concat(reply.parts).toString('utf8')) : reply);
        if (!checked.success) {
          const where = toFieldIssues(checked.error, 'response').map((i) => `${i.field}: ${i.message}`).join('; ');
          throw new Error(`${route.method} ${route.path} answered outside its response schema: ${where}`);
        }
      }
      if (reply instanceof SerializedJson) {
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Content-Length', reply.parts.reduce((n, p) => n + p.length, 0));
        for (const part of reply.parts) res.write(part);
        res.end();
      } else if (route.response === null) res.end();
      else if (route.contentType) {
        if (!res.get('Content-Type')) res.setHeader('Content-Type', route.contentType);
        res.send(reply);
      } else res.json(reply);
    };
    const method = route.method.toLowerCase() as 'get' | 'post' | 'delete';
    router[method](route.path, ...guards, run);
  };
  Object.defineProperty(mount, 'mounted', { get: () => [...mounted] });
  return mount as Mount;
}
