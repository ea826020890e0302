import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DasClient, type DasClientOptions } from './client.ts';
import { DasApiError, DasRequestError } from './errors.ts';
import { formatSdkDate, parseAuthorization, parseSdkDate } from './signer.ts';
import { startRecordingServer, type RecordedRequest, type RecordingServer, type Reply } from './testing/recording-server.ts';
import type { DasAttemptEvent } from './types.ts';

const PROJECT = '054e292c9880d4992f02c0196d3ea468';
const INSTANCE = 'da304cd5bbb944de828759bc7be3d3fein01';
const DB_USER = '2c250598-1e3c-4d31-bc19-be1d866247e6';
const AK = 'QTWAOYTTINDUT2QVKYUC';
const SK = 'CANARY-SK-7d1e5b0a9c4f4e2b8a61f0c3d2e1b4a5';
const TOKEN = 'CANARY-TOKEN-9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const BASE_PATH = `/v3/${PROJECT}/instances/${INSTANCE}`;

function wireProcess(id: number, overrides: Record<string, unknown> = {}) {
  return {
    id: String(id),
    user: 'app',
    host: `10.0.0.8:${50000 + (id % 1000)}`,
    database: 'shop',
    command: 'Query',
    time: String(id % 300),
    state: 'executing',
    sql: 'select sleep(100)',
    trx_executed_time: String(id % 7),
    ...overrides,
  };
}

let server: RecordingServer;
let client: DasClient | undefined;
let sleeps: number[];
let credentialCalls: number;
let events: DasAttemptEvent[];
let clock: number;

beforeEach(async () => {
  server = await startRecordingServer(SK);
  sleeps = [];
  credentialCalls = 0;
  events = [];
  clock = Date.parse('2026-03-01T10:00:00Z');
});

afterEach(async () => {
  client?.close();
  client = undefined;
  await server.close();
});

function makeClient(overrides: Partial<DasClientOptions> = {}): DasClient {
  client = new DasClient({
    endpoint: server.url,
    projectId: PROJECT,
    credentials: () => {
      credentialCalls++;
      return { ak: AK, sk: SK };
    },
    // Each signature reads the clock once; advancing it makes every attempt's X-Sdk-Date distinct.
    now: () => new Date((clock += 1000)),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    onAttempt: (e) => events.push(e),
    ...overrides,
  });
  return client;
}

const dasError = (status: number, code: string, msg: string, headers: Record<string, string> = {}): Reply => ({
  status,
  body: { error_code: code, error_msg: msg },
  headers: { 'X-Request-Id': `req-${code}`, ...headers },
});

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('endpoint resolution', () => {
  const creds = () => ({ ak: AK, sk: SK });
  it('maps regions through the SDK table, including na-mexico-1 → la-south-2', () => {
    expect(new DasClient({ region: 'ap-southeast-1', projectId: PROJECT, credentials: creds }).endpoint).toBe('https://das.ap-southeast-1.myhuaweicloud.com');
    expect(new DasClient({ region: 'na-mexico-1', projectId: PROJECT, credentials: creds }).endpoint).toBe('https://das.la-south-2.myhuaweicloud.com');
    expect(new DasClient({ region: 'cn-north-4', projectId: PROJECT, credentials: creds }).endpoint).toBe('https://das.cn-north-4.myhuaweicloud.com');
  });

  it('lets an explicit endpoint win and strips trailing slashes', () => {
    expect(new DasClient({ endpoint: 'http://127.0.0.1:8787/', region: 'ap-southeast-1', projectId: PROJECT, credentials: creds }).endpoint).toBe('http://127.0.0.1:8787');
  });

  it('refuses unknown regions, missing endpoints and malformed settings', () => {
    expect(() => new DasClient({ region: 'ap-southeast-2', projectId: PROJECT, credentials: creds })).toThrow(/not in the DAS endpoint table/);
    expect(() => new DasClient({ projectId: PROJECT, credentials: creds })).toThrow(/endpoint or region/);
    expect(() => new DasClient({ endpoint: 'ftp://x', projectId: PROJECT, credentials: creds })).toThrow(/http/);
    expect(() => new DasClient({ endpoint: 'https://x/?a=1', projectId: PROJECT, credentials: creds })).toThrow(/without query/);
    expect(() => new DasClient({ endpoint: 'https://x', projectId: '../etc', credentials: creds })).toThrow(/projectId/);
  });
});

describe('ListProcesses', () => {
  function pagingServer(total: number, reportedCount = total) {
    server.setHandler((req) => {
      const offset = Number(req.query.get('offset'));
      const limit = Number(req.query.get('limit'));
      const processes = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => wireProcess(offset + i + 1));
      return { status: 200, body: { processes, count: reportedCount }, headers: { 'X-Request-Id': `page-${offset}` } };
    });
  }

  it('walks every page with limit=100, signed, and converts wire strings to numbers', async () => {
    pagingServer(250);
    const processes = await makeClient().listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app', database: 'my db' });
    expect(processes).toHaveLength(250);
    expect(server.requests.map((r) => [r.method, r.path, r.query.get('offset'), r.query.get('limit')])).toEqual([
      ['GET', `${BASE_PATH}/processes`, '0', '100'],
      ['GET', `${BASE_PATH}/processes`, '100', '100'],
      ['GET', `${BASE_PATH}/processes`, '200', '100'],
    ]);
    for (const r of server.requests) {
      expect(r.signatureValid).toBe(true);
      expect(r.query.get('db_user_id')).toBe(DB_USER);
      expect(r.query.get('user')).toBe('app');
      expect(r.query.get('database')).toBe('my db');
      expect(r.headers['x-project-id']).toBe(PROJECT);
      expect(parseAuthorization(r.headers.authorization)!.signedHeaders).toEqual(['content-type', 'host', 'x-project-id', 'x-sdk-date']);
    }
    expect(processes[0]).toEqual({
      id: 1,
      user: 'app',
      host: '10.0.0.8:50001',
      database: 'shop',
      command: 'Query',
      time: 1,
      state: 'executing',
      sql: 'select sleep(100)',
      trxExecutedTime: 1,
    });
    expect(processes.map((p) => p.id)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });

  it('honours count: no further page once offset reaches it', async () => {
    pagingServer(300, 100);
    const processes = await makeClient().listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' });
    expect(processes).toHaveLength(100);
    expect(server.requests).toHaveLength(1);
  });

  it('with limit, asks for one page of that size and stops there', async () => {
    pagingServer(250);
    const processes = await makeClient().listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app', limit: 1 });
    expect(processes.map((p) => p.id)).toEqual([1]);
    expect(server.requests.map((r) => [r.query.get('offset'), r.query.get('limit')])).toEqual([['0', '1']]);
    const c = makeClient();
    for (const limit of [0, 101, 1.5]) expect(await rejectionOf(c.listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app', limit }))).toMatchObject({ name: 'DasRequestError' });
  });

  it('stops on a short page even when count claims more, and on an empty page', async () => {
    pagingServer(130, 1000);
    expect(await makeClient().listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, database: 'shop' })).toHaveLength(130);
    expect(server.requests).toHaveLength(2);
  });

  it('stops a DAS that ignores offset instead of paging forever', async () => {
    server.setHandler(() => ({ status: 200, body: { processes: Array.from({ length: 100 }, (_, i) => wireProcess(i + 1)) } }));
    const err = await rejectionOf(makeClient().listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' }));
    expect(err).toMatchObject({ kind: 'invalid-response' });
    expect(server.requests).toHaveLength(1000);
  }, 60_000);

  it('is an async iterator over pages', async () => {
    pagingServer(201);
    const sizes: Array<[number, number]> = [];
    for await (const page of makeClient().listProcessPages({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' })) sizes.push([page.offset, page.processes.length]);
    expect(sizes).toEqual([[0, 100], [100, 100], [200, 1]]);
  });

  describe('with pagesInFlight', () => {
    const params = { instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' };
    /** `rows(offset)` is what exists from that offset on; later pages answer sooner, so answers come out of order. */
    function slowServer(rows: (offset: number) => { total: number; count: number } | 'fail') {
      server.setHandler((req) => {
        const offset = Number(req.query.get('offset'));
        const delayMs = Math.max(1, 40 - offset / 50);
        const r = rows(offset);
        if (r === 'fail') return { ...dasError(500, 'DAS.200001', 'internal error'), delayMs };
        const processes = Array.from({ length: Math.max(0, Math.min(100, r.total - offset)) }, (_, i) => wireProcess(offset + i + 1));
        return { status: 200, body: { processes, count: r.count }, delayMs };
      });
    }
    const offsets = () => server.requests.map((r) => Number(r.query.get('offset')));

    it('keeps the order and never has more pages in flight than asked', async () => {
      slowServer(() => ({ total: 1000, count: 1000 }));
      const processes = await makeClient().listProcesses(params, { pagesInFlight: 4 });
      expect(processes.map((p) => p.id)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      expect(offsets().sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i * 100));
      expect(server.peakInFlight()).toBe(4);
    });

    it('is one page at a time by default', async () => {
      slowServer(() => ({ total: 500, count: 500 }));
      expect(await makeClient().listProcesses(params)).toHaveLength(500);
      expect(server.peakInFlight()).toBe(1);
    });

    it('sends nothing ahead until a page has told count', async () => {
      server.setHandler((req) => {
        const offset = Number(req.query.get('offset'));
        return { status: 200, body: { processes: Array.from({ length: offset < 300 ? 100 : 0 }, (_, i) => wireProcess(offset + i + 1)) }, delayMs: 5 };
      });
      expect(await makeClient().listProcesses(params, { pagesInFlight: 4 })).toHaveLength(300);
      expect(offsets()).toEqual([0, 100, 200, 300]);
      expect(server.peakInFlight()).toBe(1);
    });

    it('stops at the failing page: the pages before it come, the error is thrown, nothing more is sent', async () => {
      slowServer((offset) => (offset === 500 ? 'fail' : { total: 2000, count: 2000 }));
      const sizes: number[] = [];
      const err = await rejectionOf(
        (async () => {
          for await (const page of makeClient().listProcessPages(params, { pagesInFlight: 4 })) sizes.push(page.processes.length);
        })(),
      );
      expect(err).toMatchObject({ name: 'DasApiError', httpStatus: 500, errorCode: 'DAS.200001' });
      expect(sizes).toEqual([100, 100, 100, 100, 100]);
      const sent = server.requests.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.requests.length).toBe(sent);
      expect(Math.max(...offsets())).toBeLessThanOrEqual(800);
    });

    it('ends where one at a time ends when count shrinks, ignoring what was asked past the end (a failure too)', async () => {
      const shrinking = (offset: number) => (offset === 0 ? { total: 1000, count: 1000 } : offset >= 400 ? ('fail' as const) : { total: 350, count: 350 });
      slowServer(shrinking);
      const oneAtATime = await makeClient().listProcesses(params);
      slowServer(shrinking);
      const ahead = await makeClient().listProcesses(params, { pagesInFlight: 4 });
      expect(ahead).toEqual(oneAtATime);
      expect(ahead.map((p) => p.id)).toEqual(Array.from({ length: 350 }, (_, i) => i + 1));
    });

    it('follows a count that grows while paging', async () => {
      const growing = (offset: number) => (offset === 0 ? { total: 650, count: 300 } : { total: 650, count: 650 });
      slowServer(growing);
      const processes = await makeClient().listProcesses(params, { pagesInFlight: 4 });
      expect(processes.map((p) => p.id)).toEqual(Array.from({ length: 650 }, (_, i) => i + 1));
      expect(offsets().sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 400, 500, 600]);
    });

    it('still stops a DAS that ignores offset, at the same number of pages', async () => {
      server.setHandler(() => ({ status: 200, body: { processes: Array.from({ length: 100 }, (_, i) => wireProcess(i + 1)), count: 1_000_000 } }));
      const err = await rejectionOf(makeClient().listProcesses(params, { pagesInFlight: 4 }));
      expect(err).toMatchObject({ kind: 'invalid-response' });
      expect(server.requests).toHaveLength(1000);
    }, 60_000);

    it('refuses a bound outside 1..8 before sending anything', async () => {
      const c = makeClient();
      for (const pagesInFlight of [0, 9, 1.5]) expect(await rejectionOf(c.listProcesses(params, { pagesInFlight }))).toBeInstanceOf(TypeError);
      expect(server.requests).toHaveLength(0);
    });
  });

  describe("in order 'descending'", () => {
    const params = { instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' };
    const descending = { order: 'descending' as const, pagesInFlight: 4 };
    const taken = async (options: Parameters<DasClient['listProcessPages']>[1]) => {
      const pages: Array<[number, number[]]> = [];
      for await (const page of makeClient().listProcessPages(params, options)) pages.push([page.offset, page.processes.map((p) => p.id)]);
      return pages;
    };
    const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

    it('takes the first page, then the others from the last offset down, each with its offset', async () => {
      pagingServer(450);
      const pages = await taken(descending);
      expect(pages.map(([offset]) => offset)).toEqual([0, 400, 300, 200, 100]);
      expect(pages[1]).toEqual([400, ids(401, 450)]);
      expect(pages[4]).toEqual([100, ids(101, 200)]);
      expect(pages.flatMap(([, p]) => p).sort((a, b) => a - b)).toEqual(ids(1, 450));
    });

    it('asks for the first page alone, then at most pagesInFlight, in the order they are taken', async () => {
      server.setHandler((req) => {
        const offset = Number(req.query.get('offset'));
        // Lower offsets answer sooner, so answers come out of the order they are taken in.
        return { status: 200, body: { processes: Array.from({ length: Math.max(0, Math.min(100, 1000 - offset)) }, (_, i) => wireProcess(offset + i + 1)), count: 1000 }, delayMs: 1 + offset / 50 };
      });
      const pages = await taken(descending);
      expect(pages.map(([offset]) => offset)).toEqual([0, 900, 800, 700, 600, 500, 400, 300, 200, 100]);
      expect(server.requests.map((r) => Number(r.query.get('offset')))).toEqual([0, 900, 800, 700, 600, 500, 400, 300, 200, 100]);
      expect(server.peakInFlight()).toBe(4);
    });

    it('one at a time without pagesInFlight', async () => {
      pagingServer(350);
      expect((await taken({ order: 'descending' })).map(([offset]) => offset)).toEqual([0, 300, 200, 100]);
      expect(server.peakInFlight()).toBe(1);
    });

    it('keeps to the first count: a page come back short or empty is not the end, and nothing past the count is asked for', async () => {
      server.setHandler((req) => {
        const offset = Number(req.query.get('offset'));
        // 500 sessions when the first page is asked for, 250 afterwards.
        const total = offset === 0 ? 500 : 250;
        return { status: 200, body: { processes: Array.from({ length: Math.max(0, Math.min(100, total - offset)) }, (_, i) => wireProcess(offset + i + 1)), count: total } };
      });
      const pages = await taken(descending);
      expect(pages.map(([offset, p]) => [offset, p.length])).toEqual([[0, 100], [400, 0], [300, 0], [200, 50], [100, 100]]);
    });

    it('is one page when the first page holds the whole count or comes back short', async () => {
      pagingServer(100);
      expect((await taken(descending)).map(([offset]) => offset)).toEqual([0]);
      pagingServer(1000, 100);
      expect((await taken(descending)).map(([offset]) => offset)).toEqual([0]);
      pagingServer(40, 1000);
      expect((await taken(descending)).map(([offset]) => offset)).toEqual([0]);
    });

    it('without a count on the first page, goes on ascending', async () => {
      server.setHandler((req) => {
        const offset = Number(req.query.get('offset'));
        return { status: 200, body: { processes: Array.from({ length: Math.max(0, Math.min(100, 250 - offset)) }, (_, i) => wireProcess(offset + i + 1)) } };
      });
      expect((await taken(descending)).map(([offset]) => offset)).toEqual([0, 100, 200]);
    });

    it('stops at a failing page: the pages before it come, the error is thrown, nothing more is sent', async () => {
      server.setHandler((req) => {
        const offset = Number(req.query.get('offset'));
        if (offset === 600) return dasError(500, 'DAS.200001', 'internal error');
        return { status: 200, body: { processes: Array.from({ length: 100 }, (_, i) => wireProcess(offset + i + 1)), count: 1000 }, delayMs: 5 };
      });
      const offsets: number[] = [];
      const err = await rejectionOf(
        (async () => {
          for await (const page of makeClient().listProcessPages(params, descending)) offsets.push(page.offset);
        })(),
      );
      expect(err).toMatchObject({ name: 'DasApiError', httpStatus: 500 });
      expect(offsets).toEqual([0, 900, 800, 700]);
      // What was in flight with the failing page (4 at a time) was sent; nothing below it after the failure.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.requests.map((r) => Number(r.query.get('offset')))).toEqual([0, 900, 800, 700, 600, 500, 400, 300]);
    });

    it('stops a count beyond 1 000 pages before asking for any more', async () => {
      server.setHandler(() => ({ status: 200, body: { processes: Array.from({ length: 100 }, (_, i) => wireProcess(i + 1)), count: 1_000_000 } }));
      expect(await rejectionOf(taken(descending))).toMatchObject({ kind: 'invalid-response' });
      expect(server.requests).toHaveLength(1);
    });

    it('refuses an unknown order before sending anything', async () => {
      expect(await rejectionOf(makeClient().listProcesses(params, { order: 'random' as never }))).toBeInstanceOf(TypeError);
      expect(server.requests).toHaveLength(0);
    });
  });

  it('tolerates null fields and numbers on the wire but rejects a non-numeric id', async () => {
    server.setHandler(() => ({
      status: 200,
      body: { processes: [wireProcess(7, { database: null, trx_executed_time: '', time: 42, sql: null })], count: '1' },
    }));
    const [p] = await makeClient().listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' });
    expect(p).toMatchObject({ id: 7, database: '', time: 42, sql: '', trxExecutedTime: 0 });

    server.setHandler(() => ({ status: 200, body: { processes: [wireProcess(1, { id: 'abc' })], count: 1 } }));
    const err = await rejectionOf(makeClient().listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' }));
    expect(err).toBeInstanceOf(DasApiError);
    expect(err).toMatchObject({ kind: 'invalid-response', httpStatus: 200, retryable: false });

    server.setHandler(() => ({ status: 200, body: '<html>not json</html>' }));
    expect(await rejectionOf(makeClient().listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' }))).toMatchObject({ kind: 'invalid-response' });
  });

  it('validates parameters before sending anything', async () => {
    const c = makeClient();
    const cases: Array<Parameters<DasClient['listProcesses']>[0]> = [
      { instanceId: INSTANCE, dbUserId: DB_USER },
      { instanceId: INSTANCE, dbUserId: 'not-a-uuid', user: 'app' },
      { instanceId: '../../etc', dbUserId: DB_USER, user: 'app' },
      { instanceId: INSTANCE, dbUserId: DB_USER, user: '' },
    ];
    for (const params of cases) {
      const err = await rejectionOf(c.listProcesses(params));
      expect(err).toBeInstanceOf(DasRequestError);
    }
    expect(((await rejectionOf(c.listProcesses(cases[0]!))) as DasRequestError).message).toMatch(/user or database/);
    expect(server.requests).toHaveLength(0);
    expect(credentialCalls).toBe(0);
  });
});

describe('DeleteProcess (kill)', () => {
  it('sends the documented JSON body with string ids and returns the request id', async () => {
    server.setHandler(() => ({ status: 200, headers: { 'X-Request-Id': 'kill-1' } }));
    const result = await makeClient().deleteProcess({ instanceId: INSTANCE, dbUserId: DB_USER, processIds: [11212, 3423222], user: 'aaa', database: 'example' });
    expect(result).toEqual({ requestId: 'kill-1' });
    const [req] = server.requests;
    expect(req!.method).toBe('DELETE');
    expect(req!.path).toBe(`${BASE_PATH}/process`);
    expect(req!.body).toBe('{"db_user_id":"2c250598-1e3c-4d31-bc19-be1d866247e6","process_ids":["11212","3423222"],"user":"aaa","database":"example"}');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.signatureValid).toBe(true);
  });

  it('validates ids in [0, 2^31-1] and requires a filter', async () => {
    const c = makeClient();
    const bad = [
      { instanceId: INSTANCE, dbUserId: DB_USER },
      { instanceId: INSTANCE, dbUserId: DB_USER, processIds: [] },
      { instanceId: INSTANCE, dbUserId: DB_USER, processIds: [2 ** 31] },
      { instanceId: INSTANCE, dbUserId: DB_USER, processIds: [-1] },
      { instanceId: INSTANCE, dbUserId: DB_USER, processIds: [1.5] },
      { instanceId: INSTANCE, dbUserId: 'x', processIds: [1] },
    ];
    for (const params of bad) expect(await rejectionOf(c.deleteProcess(params))).toBeInstanceOf(DasRequestError);
    expect(server.requests).toHaveLength(0);
    await c.deleteProcess({ instanceId: INSTANCE, dbUserId: DB_USER, processIds: [0, 2 ** 31 - 1] });
    expect(JSON.parse(server.requests[0]!.body).process_ids).toEqual(['0', '2147483647']);
  });

  it.each([
    [503, 'DAS.500000', false],
    [504, 'APIG.0202', false],
    [429, 'APIG.0308', true],
    [400, 'DAS.200002', true],
    [500, 'DAS.500000', false],
  ])('is never retried (HTTP %i %s); retryable=%s', async (status, code, retryable) => {
    server.setHandler(() => dasError(status, code, 'try later'));
    const err = await rejectionOf(makeClient().deleteProcess({ instanceId: INSTANCE, dbUserId: DB_USER, processIds: [1] }));
    expect(err).toMatchObject({ httpStatus: status, errorCode: code, retryable, attempts: 1 });
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('goes over a fresh connection, while reads reuse a keep-alive one', async () => {
    server.setHandler((req) => (req.method === 'GET' ? { status: 200, body: { processes: [], count: 0 } } : { status: 200 }));
    const c = makeClient();
    const list = () => c.listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' });
    await list();
    await list();
    expect(server.connections()).toBe(1);
    await c.deleteProcess({ instanceId: INSTANCE, dbUserId: DB_USER, processIds: [1] });
    await c.deleteProcess({ instanceId: INSTANCE, dbUserId: DB_USER, processIds: [2] });
    expect(server.connections()).toBe(3);
  });

  it('is not retried after a total timeout, and says the outcome is unknown', async () => {
    server.setHandler(() => ({ status: 200, hang: true }));
    const err = await rejectionOf(makeClient({ timeoutMs: 300 }).deleteProcess({ instanceId: INSTANCE, dbUserId: DB_USER, processIds: [1] }));
    expect(err).toMatchObject({ kind: 'timeout', timeoutPhase: 'total', retryable: false, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });
});

describe('read retries (DAS-API.md §4)', () => {
  const list = (c: DasClient) => c.listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' });

  it.each([
    ['503', dasError(503, 'DAS.500001', 'unavailable')],
    ['502', { status: 502, body: '<html>bad gateway</html>' }],
    ['504', dasError(504, 'APIG.0202', 'backend timeout')],
    ['429', dasError(429, 'APIG.0308', 'throttled')],
    ['DAS.200002', dasError(400, 'DAS.200002', 'Frequent requests.')],
  ] as Array<[string, Reply]>)('retries %s and re-signs every attempt with fresh credentials', async (_name, failure) => {
    server.setHandler((_req, i) => (i < 2 ? failure : { status: 200, body: { processes: [wireProcess(5)], count: 1 } }));
    const processes = await list(makeClient());
    expect(processes.map((p) => p.id)).toEqual([5]);
    expect(server.requests).toHaveLength(3);
    expect(credentialCalls).toBe(3);
    const dates = server.requests.map((r) => r.headers['x-sdk-date']);
    const auths = server.requests.map((r) => r.headers.authorization);
    expect(new Set(dates).size).toBe(3);
    expect(new Set(auths).size).toBe(3);
    expect(server.requests.every((r) => r.signatureValid)).toBe(true);
    // equal-jitter exponential backoff with random()=0.5: base 200 → 150, 300
    expect(sleeps).toEqual([150, 300]);
    expect(events.map((e) => e.next)).toEqual(['retry', 'retry', 'none']);
  });

  it('gives up after 3 attempts with a retryable error', async () => {
    server.setHandler(() => dasError(503, 'DAS.500001', 'unavailable'));
    const err = await rejectionOf(list(makeClient()));
    expect(err).toBeInstanceOf(DasApiError);
    expect(err).toMatchObject({ httpStatus: 503, errorCode: 'DAS.500001', requestId: 'req-DAS.500001', retryable: true, attempts: 3, kind: 'das' });
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('honours maxAttempts and a longer Retry-After', async () => {
    server.setHandler(() => dasError(429, 'APIG.0308', 'throttled', { 'Retry-After': '2' }));
    await rejectionOf(list(makeClient({ maxAttempts: 2 })));
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
  });

  it('does not retry when the backoff would not fit in the total deadline', async () => {
    server.setHandler(() => dasError(429, 'APIG.0308', 'throttled', { 'Retry-After': '60' }));
    const err = await rejectionOf(list(makeClient({ timeoutMs: 5_000 })));
    expect(err).toMatchObject({ httpStatus: 429, retryable: true, attempts: 1 });
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it.each([
    [500, 'DAS.500000'],
    [400, 'DAS.200112'],
    [404, 'APIG.0101'],
  ])('does not retry HTTP %i %s', async (status, code) => {
    server.setHandler(() => dasError(status, code, 'no'));
    const err = await rejectionOf(list(makeClient()));
    expect(err).toMatchObject({ httpStatus: status, errorCode: code, retryable: false, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('never retries a 401 signature failure (the AK locks after 5)', async () => {
    server.setHandler(() => ({
      status: 401,
      body: { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail', request_id: 'gw-1' },
    }));
    const err = await rejectionOf(list(makeClient()));
    expect(err).toMatchObject({ httpStatus: 401, kind: 'gateway', errorCode: 'APIGW.0301', requestId: 'gw-1', retryable: false, attempts: 1 });
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('distinguishes gateway errors from DAS errors', async () => {
    server.setHandler(() => dasError(400, 'DAS.200100', 'The parameter is invalid.'));
    expect(await rejectionOf(list(makeClient()))).toMatchObject({ kind: 'das', errorMsg: 'The parameter is invalid.' });
    server.setHandler(() => dasError(400, 'APIG.0201', 'bad request'));
    expect(await rejectionOf(list(makeClient()))).toMatchObject({ kind: 'gateway' });
  });
});

describe('credentials', () => {
  it('sends and signs X-Security-Token and asks the provider before every attempt (rotation)', async () => {
    let n = 0;
    server.setHandler((_r, i) => (i === 0 ? dasError(503, 'DAS.500001', 'x') : { status: 200, body: { processes: [], count: 0 } }));
    await makeClient({
      credentials: () => {
        n++;
        return { ak: `ROTATEDAK${n}`, sk: SK, securityToken: `${TOKEN}-${n}` };
      },
    }).listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' });
    expect(server.requests).toHaveLength(2);
    server.requests.forEach((r: RecordedRequest, i) => {
      expect(r.headers['x-security-token']).toBe(`${TOKEN}-${i + 1}`);
      const auth = parseAuthorization(r.headers.authorization)!;
      expect(auth.ak).toBe(`ROTATEDAK${i + 1}`);
      expect(auth.signedHeaders).toContain('x-security-token');
      expect(r.signatureValid).toBe(true);
    });
  });

  it('refuses an unusable credentials value without echoing it', async () => {
    const err = await rejectionOf(
      makeClient({ credentials: () => ({ ak: '', sk: SK }) }).listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' }),
    );
    expect(err).toBeInstanceOf(DasRequestError);
    expect(JSON.stringify(err)).not.toContain(SK);
    expect(server.requests).toHaveLength(0);
  });
});

describe('clock skew', () => {
  const FIFTEEN_MIN = 15 * 60 * 1000;
  // Like the gateway: refuse an X-Sdk-Date more than 15 minutes away from the server clock.
  function skewCheckingServer(ok: Reply) {
    server.setHandler((req) => {
      const signedAt = parseSdkDate(String(req.headers['x-sdk-date']))!.getTime();
      const serverNow = Date.now();
      if (Math.abs(serverNow - signedAt) > FIFTEEN_MIN) {
        return {
          status: 401,
          body: {
            error_code: 'APIGW.0301',
            error_msg: `Incorrect IAM authentication information: signature expired, signature time:${req.headers['x-sdk-date']},server time:${formatSdkDate(new Date(serverNow))}`,
          },
        };
      }
      return ok;
    });
  }

  it('re-signs once with the server time from the Date header and keeps the offset', async () => {
    skewCheckingServer({ status: 200, body: { processes: [], count: 0 } });
    clock = Date.now() - 3 * 60 * 60 * 1000; // local clock 3 h behind
    const c = makeClient();
    await c.listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.headers['x-sdk-date']).not.toBe(server.requests[0]!.headers['x-sdk-date']);
    expect(server.requests[1]!.signatureValid).toBe(true);
    expect(Math.abs(c.clockOffsetMs - 3 * 60 * 60 * 1000)).toBeLessThan(60_000);
    expect(events.map((e) => e.next)).toEqual(['resign', 'none']);
    expect(sleeps).toEqual([]);

    await c.listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' });
    expect(server.requests).toHaveLength(3); // the offset was kept: first attempt accepted
  });

  it('applies to the kill too (the gateway refused it before DAS saw it), once only', async () => {
    skewCheckingServer({ status: 200 });
    clock = Date.now() + 2 * 60 * 60 * 1000;
    await makeClient().deleteProcess({ instanceId: INSTANCE, dbUserId: DB_USER, processIds: [9] });
    expect(server.requests).toHaveLength(2);

    // A server whose clock never matches: one re-sign, then the 401 is surfaced.
    server.requests.length = 0;
    server.setHandler(() => ({
      status: 401,
      body: { error_code: 'APIGW.0301', error_msg: 'signature expired' },
    }));
    const err = await rejectionOf(makeClient().deleteProcess({ instanceId: INSTANCE, dbUserId: DB_USER, processIds: [9] }));
    expect(err).toMatchObject({ httpStatus: 401, kind: 'gateway', retryable: false, attempts: 2 });
    expect(server.requests).toHaveLength(2);
  });

  it('does not re-sign a 401 that is not about expiry', async () => {
    server.setHandler(() => ({ status: 401, body: { error_code: 'APIGW.0301', error_msg: 'verify aksk signature fail' } }));
    await rejectionOf(makeClient().listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' }));
    expect(server.requests).toHaveLength(1);
  });
});

describe('DB users', () => {
  const USER_2 = '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b';

  it('register / list (all pages) / show / update / delete', async () => {
    const users = Array.from({ length: 150 }, (_, i) => ({ db_user_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, db_username: `u${i}` }));
    server.setHandler((req) => {
      if (req.method === 'POST') return { status: 200, body: { db_user_id: USER_2 } };
      if (req.method === 'GET' && req.path.endsWith('/db-users')) {
        const offset = Number(req.query.get('offset'));
        return { status: 200, body: { total: users.length, db_users: users.slice(offset, offset + Number(req.query.get('limit'))) } };
      }
      if (req.method === 'GET') return { status: 200, body: { db_user: { db_user_id: USER_2, db_username: 'root' } } };
      return { status: 200, body: { result: 'OK' } };
    });
    const c = makeClient();
    expect(await c.registerDbUser(INSTANCE, 'root', 'pw with spaces & "quotes"')).toBe(USER_2);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ db_username: 'root', db_user_password: 'pw with spaces & "quotes"', datastore_type: 'MySQL' });

    const listed = await c.listDbUsers(INSTANCE);
    expect(listed).toHaveLength(150);
    expect(listed[149]).toEqual({ dbUserId: users[149]!.db_user_id, dbUsername: 'u149' });
    expect(server.requests.slice(1, 3).map((r) => r.query.get('offset'))).toEqual(['0', '100']);

    expect(await c.showDbUser(INSTANCE, USER_2)).toEqual({ dbUserId: USER_2, dbUsername: 'root' });
    await c.updateDbUser(INSTANCE, USER_2, 'root', 'new-pw');
    await c.deleteDbUser(INSTANCE, USER_2);
    expect(server.requests.slice(3).map((r) => [r.method, r.path])).toEqual([
      ['GET', `${BASE_PATH}/db-users/${USER_2}`],
      ['PUT', `${BASE_PATH}/db-users/${USER_2}`],
      ['DELETE', `${BASE_PATH}/db-users/${USER_2}`],
    ]);
    expect(JSON.parse(server.requests[4]!.body)).toEqual({ db_username: 'root', db_user_password: 'new-pw' });
    expect(server.requests.every((r) => r.signatureValid)).toBe(true);
  });

  it('surfaces DAS.220003 (user gone) as a DAS error and does not retry writes', async () => {
    server.setHandler(() => dasError(400, 'DAS.220003', 'database user does not exist'));
    const err = await rejectionOf(makeClient().deleteDbUser(INSTANCE, USER_2));
    expect(err).toMatchObject({ kind: 'das', errorCode: 'DAS.220003', httpStatus: 400, retryable: false });
    server.setHandler(() => dasError(503, 'DAS.500001', 'x'));
    await rejectionOf(makeClient().registerDbUser(INSTANCE, 'root', 'pw'));
    expect(server.requests).toHaveLength(2);
  });
});

describe('no secret ever leaks into an error, message or event', () => {
  function assertClean(value: unknown, secrets: string[]) {
    const views = [
      JSON.stringify(value),
      inspect(value, { depth: 10, showHidden: true }),
      String(value),
      value instanceof Error ? `${value.message}\n${value.stack}\n${inspect(value.cause, { depth: 10, showHidden: true })}` : '',
    ];
    for (const view of views) for (const secret of secrets) expect(view).not.toContain(secret);
  }

  it('redacts the AK when the gateway echoes it (unknown AK)', async () => {
    server.setHandler(() => ({ status: 401, body: { error_code: 'APIGW.0301', error_msg: `Incorrect IAM authentication information: Get secretKey failed, ak:${AK},err:ak not exist`, request_id: 'r1' } }));
    const err = await rejectionOf(makeClient().listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' }));
    expect(err).toBeInstanceOf(DasApiError);
    expect((err as DasApiError).errorMsg).toBe('Incorrect IAM authentication information: Get secretKey failed, ak:[REDACTED],err:ak not exist');
    assertClean(err, [AK]);
  });

  it('redacts SK, token and Authorization even when the server echoes them back', async () => {
    let lastAuth = '';
    server.setHandler((req) => {
      lastAuth = String(req.headers.authorization);
      return {
        status: 400,
        body: {
          error_code: `DAS.200100 ${SK}`,
          error_msg: `bad request: auth=${req.headers.authorization} token=${req.headers['x-security-token']} sk=${SK}`,
        },
      };
    });
    const err = await rejectionOf(
      makeClient({ credentials: () => ({ ak: AK, sk: SK, securityToken: TOKEN }) }).listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' }),
    );
    expect(err).toBeInstanceOf(DasApiError);
    expect((err as DasApiError).errorMsg).toContain('[REDACTED]');
    assertClean(err, [SK, TOKEN, lastAuth, 'Signature=']);
    assertClean(events, [SK, TOKEN, lastAuth, 'Signature=']);
  });

  it('keeps network, timeout, validation and invalid-response errors clean', async () => {
    const credentials = () => ({ ak: AK, sk: SK, securityToken: TOKEN });
    const secrets = [SK, TOKEN, 'Signature='];
    server.setHandler(() => ({ status: 200, hang: true }));
    assertClean(await rejectionOf(makeClient({ credentials, timeoutMs: 200 }).deleteProcess({ instanceId: INSTANCE, dbUserId: DB_USER, processIds: [1] })), secrets);
    server.setHandler(() => ({ status: 200, body: `{"processes":[{"id":"x"}],"echo":"${SK}"}` }));
    assertClean(await rejectionOf(makeClient({ credentials }).listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' })), secrets);
    assertClean(await rejectionOf(makeClient({ credentials }).registerDbUser('bad id!', 'root', SK)), [...secrets]);
    const closed = new DasClient({ endpoint: 'http://127.0.0.1:1', projectId: PROJECT, credentials, maxAttempts: 1 });
    assertClean(await rejectionOf(closed.listProcesses({ instanceId: INSTANCE, dbUserId: DB_USER, user: 'app' })), secrets);
    closed.close();
    assertClean(makeClient({ credentials }), secrets);
  });
});
