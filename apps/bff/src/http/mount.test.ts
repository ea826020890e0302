// The one mount function, on routes of its own: what it parses, refuses, checks and sends.
import express, { Router } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RouteDef } from '@quell/contracts/routes';
import { createLogger } from '../logger.ts';
import { errorHandler } from '../middleware/error-handler.ts';
import { requestId } from '../middleware/request-id.ts';
import { createMount, SerializedJson, type RouteHandler } from './mount.ts';

const echo = {
  method: 'POST',
  path: '/things/:thingId',
  summary: 'echo',
  access: 'anonymous',
  params: z.object({ thingId: z.string().regex(/^\d+$/, 'must be digits') }),
  query: z.object({ colour: z.string().optional(), size: z.coerce.number().int().optional() }),
  body: z.object({ name: z.string().min(1, 'is required') }).strict(),
  headers: z.object({ 'x-token': z.string({ error: 'is required' }) }),
  response: z.object({ thingId: z.string(), name: z.string(), colour: z.string().optional(), size: z.number().optional(), token: z.string() }),
  status: 201,
} as const satisfies RouteDef;

const listing = { method: 'GET', path: '/list', summary: 'list', access: 'anonymous', response: z.object({ items: z.array(z.number()) }), status: 200 } as const satisfies RouteDef;
const members = { method: 'GET', path: '/members', summary: 'members only', access: 'operator', response: z.object({ ok: z.boolean() }), status: 200 } as const satisfies RouteDef;

function appWith(checkResponses: boolean, listHandler: RouteHandler<typeof listing>) {
  const mount = createMount({ checkResponses });
  const r = Router();
  mount(r, echo, ({ params, query, body, headers }) => ({ thingId: params.thingId, name: body.name, ...query, token: headers['x-token'] }));
  mount(r, listing, listHandler);
  mount(r, members, () => ({ ok: true }));
  const app = express();
  app.use(requestId, express.json(), r, errorHandler(createLogger('silent')));
  return { app, mount };
}

const fields = (res: request.Response) => (res.body.error?.details?.issues ?? []).map((i: { field: string }) => i.field);

describe('createMount', () => {
  it('hands the handler parsed params, query, body and headers, and answers with the route status', async () => {
    const { app } = appWith(true, () => ({ items: [] }));
    const res = await request(app).post('/things/42?colour=red&size=3').set('X-Token', 't').send({ name: 'n' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ thingId: '42', name: 'n', colour: 'red', size: 3, token: 't' });
  });

  it('an empty query value means "not given"; an unknown parameter is a 400 naming it', async () => {
    const { app } = appWith(true, () => ({ items: [] }));
    const empty = await request(app).post('/things/1?colour=&size=').set('X-Token', 't').send({ name: 'n' });
    expect(empty.body).toEqual({ thingId: '1', name: 'n', token: 't' });
    const unknown = await request(app).post('/things/1?shape=round').set('X-Token', 't').send({ name: 'n' });
    expect(unknown.status).toBe(400);
    expect(fields(unknown)).toEqual(['query.shape']);
  });

  it('names every bad field of every input in one 400, before the handler runs', async () => {
    const { app } = appWith(true, () => ({ items: [] }));
    const res = await request(app).post('/things/abc?size=big').send({ name: '' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(fields(res)).toEqual(['thingId', 'query.size', 'name', 'headers.x-token']);
  });

  it('sends a reply serialised in parts as one JSON body with its length, and checks it like any other', async () => {
    const parts = (...texts: string[]) => new SerializedJson<{ items: number[] }>(texts.map((t) => Buffer.from(t)));
    const res = await request(appWith(true, () => parts('{"items":[', '1,2', ',3', ']}')).app).get('/list');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-length']).toBe(String('{"items":[1,2,3]}'.length));
    expect(res.body).toEqual({ items: [1, 2, 3] });
    const bad = await request(appWith(true, () => parts('{"items":["one"]}')).app).get('/list');
    expect(bad.status).toBe(500);
  });

  it('checks the role before anything else', async () => {
    const { app } = appWith(true, () => ({ items: [] }));
    const res = await request(app).get('/members');
    expect(res.status).toBe(401);
  });

  it('with response checks on, an answer outside the response schema is a 500, not a broken contract on the wire', async () => {
    const bad = () => ({ items: ['one'] }) as unknown as { items: number[] };
    const checked = await request(appWith(true, bad).app).get('/list');
    expect(checked.status).toBe(500);
    expect(checked.body.error.code).toBe('INTERNAL');
    const unchecked = await request(appWith(false, bad).app).get('/list');
    expect(unchecked.status).toBe(200);
    expect(unchecked.body).toEqual({ items: ['one'] });
  });

  it('lists what it mounted and refuses to mount a route twice', () => {
    const { mount } = appWith(true, () => ({ items: [] }));
    expect(mount.mounted).toEqual([echo, listing, members]);
    expect(() => mount(Router(), listing, () => ({ items: [] }))).toThrow(/mounted twice/);
  });
});
