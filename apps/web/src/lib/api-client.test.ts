import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ApiError, api, buildUrl, errorFromResponse, setCsrfToken } from './api-client';
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

describe('api', () => {
  it('validates a successful response with the schema', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, { n: 'not a number' })));
    const p = api.get('/api/x', { schema: z.object({ n: z.number() }) });
    await expect(p).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('returns parsed data and builds the query string', async () => {
    const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => jsonResponse(200, { n: 3 }));
    vi.stubGlobal('fetch', fetchMock);
    const data = await api.get('/api/x', { schema: z.object({ n: z.number() }), query: { user: 'app', database: undefined, limit: 5 } });
    expect(data).toEqual({ n: 3 });
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/x?user=app&limit=5');
  });

  it('sends the CSRF token on POST but not on GET', async () => {
    const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => jsonResponse(200, {}));
    vi.stubGlobal('fetch', fetchMock);
    setCsrfToken('tok-1');
    await api.get('/api/a', { schema: z.object({}) });
    await api.post('/api/b', { schema: z.object({}), body: { a: 1 } });
    const getHeaders = fetchMock.mock.calls[0]?.[1]?.headers as Record<string, string>;
    const postHeaders = fetchMock.mock.calls[1]?.[1]?.headers as Record<string, string>;
    expect(getHeaders['X-CSRF-Token']).toBeUndefined();
    expect(postHeaders['X-CSRF-Token']).toBe('tok-1');
    expect(fetchMock.mock.calls[1]?.[1]?.body).toBe('{"a":1}');
  });

  it('turns a network failure into a NETWORK ApiError', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));
    await expect(api.get('/api/x', { schema: z.object({}) })).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
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
