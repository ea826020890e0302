import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { RouteDef } from '@quell/contracts/routes';
import { ApiError, buildUrl, callApi, errorFromResponse, setCsrfToken } from './api-client';
import { errorMessage } from './error-message';

const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

afterEach(() => setCsrfToken(null));

describe('errorFromResponse', () => {
  it('reads the contract error body', async () => {
    const err = await errorFromResponse(
      jsonResponse(502, {
        error: {
          code: 'UPSTREAM_ERROR',
          message: 'DAS refused the kill',
          requestId: 'req-1',
          details: { upstream: { httpStatus: 400, errorCode: 'DAS.0001', errorMsg: 'bad thread', dasRequestId: 'das-9' } },
        },
      }),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(502);
    expect(err.code).toBe('UPSTREAM_ERROR');
    expect(err.message).toBe('DAS refused the kill');
    expect(err.requestId).toBe('req-1');
    expect(err.details?.upstream?.dasRequestId).toBe('das-9');
  });

  it('keeps field issues of a validation error', async () => {
    const err = await errorFromResponse(
      jsonResponse(400, { error: { code: 'VALIDATION_FAILED', message: 'bad input', requestId: 'r', details: { issues: [{ field: 'sessionIds.2', message: 'must be a number' }] } } }),
    );
    expect(err.details?.issues).toEqual([{ field: 'sessionIds.2', message: 'must be a number' }]);
  });

  it('survives a body that is not the contract shape', async () => {
    const err = await errorFromResponse(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'x-request-id': 'hdr-7' } }));
    expect(err.code).toBe('BAD_RESPONSE');
    expect(err.status).toBe(502);
    expect(err.requestId).toBe('hdr-7');
    expect(err.message).toContain('502');
  });

  it('maps a bare 401 to UNAUTHENTICATED', async () => {
    const err = await errorFromResponse(new Response('', { status: 401 }));
    expect(err.code).toBe('UNAUTHENTICATED');
  });
});

// Routes of the test's own, shaped like entries of the contracts route table.
const getThing = { method: 'GET', path: '/x/:thingId', summary: 'x', access: 'viewer', params: z.object({ thingId: z.string() }), query: z.object({ user: z.string().optional(), database: z.string().optional(), limit: z.number().optional() }), response: z.object({ n: z.number() }), status: 200 } as const satisfies RouteDef;
const postThing = { method: 'POST', path: '/b', summary: 'b', access: 'viewer', body: z.object({ a: z.number() }), response: z.object({}), status: 200 } as const satisfies RouteDef;
const removeThing = { method: 'DELETE', path: '/c', summary: 'c', access: 'viewer', response: null, status: 204 } as const satisfies RouteDef;

describe('callApi', () => {
  it('validates a successful response with the route response schema', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, { n: 'not a number' })));
    const p = callApi(getThing, { params: { thingId: '1' } });
    await expect(p).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('returns parsed data, fills and encodes the path, and builds the query string', async () => {
    const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => jsonResponse(200, { n: 3 }));
    vi.stubGlobal('fetch', fetchMock);
    const data = await callApi(getThing, { params: { thingId: 'a/b' }, query: { user: 'app', database: undefined, limit: 5 } });
    expect(data).toEqual({ n: 3 });
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/x/a%2Fb?user=app&limit=5');
    expect(fetchMock.mock.calls[0]?.[1]?.method).toBe('GET');
  });

  it('sends the CSRF token on POST and DELETE but not on GET; a 204 resolves to nothing', async () => {
    const fetchMock = vi.fn(async (url: string, _init?: RequestInit) => (url === '/c' ? new Response(null, { status: 204 }) : jsonResponse(200, url === '/b' ? {} : { n: 1 })));
    vi.stubGlobal('fetch', fetchMock);
    setCsrfToken('tok-1');
    await callApi(getThing, { params: { thingId: '1' } });
    await callApi(postThing, { body: { a: 1 } });
    expect(await callApi(removeThing, {})).toBeUndefined();
    const headersOf = (i: number) => fetchMock.mock.calls[i]?.[1]?.headers as Record<string, string>;
    expect(headersOf(0)['X-CSRF-Token']).toBeUndefined();
    expect(headersOf(1)['X-CSRF-Token']).toBe('tok-1');
    expect(headersOf(2)['X-CSRF-Token']).toBe('tok-1');
    expect(fetchMock.mock.calls[1]?.[1]?.body).toBe('{"a":1}');
    expect(fetchMock.mock.calls[2]?.[1]?.method).toBe('DELETE');
  });

  it('a schema given by the caller replaces the table one', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, { n: 2 })));
    const strict = z.object({ n: z.number().max(1) });
    await expect(callApi(getThing, { params: { thingId: '1' }, schema: strict })).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('turns a network failure into a NETWORK ApiError', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));
    await expect(callApi(getThing, { params: { thingId: '1' } })).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
  });
});

describe('errorMessage', () => {
  it('gives operator text per code and falls back to the message', () => {
    expect(errorMessage(new ApiError({ status: 410, code: 'PREVIEW_EXPIRED', message: 'x' }))).toMatch(/preview expired/i);
    expect(errorMessage(new Error('plain'))).toBe('plain');
    expect(errorMessage(undefined)).toMatch(/something went wrong/i);
  });
});

describe('buildUrl', () => {
  it('drops empty values', () => {
    expect(buildUrl('/a', { x: '', y: null, z: 'q r' })).toBe('/a?z=q+r');
    expect(buildUrl('/a')).toBe('/a');
  });
});
