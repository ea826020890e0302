import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeExactly, formatSdkDate } from '@quell/das-client/signer';
import { INSTANCE_ID, PROJECT_ID, call, officialSign, rawRequest } from '../test/official-signer.ts';
import { createDasServer, type DasServer } from './server.ts';

const AK = 'QTWAOYTTINDUT2QVKYUC';
const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
const TEMP = { ak: 'TEMPAKTEMPAKTEMPAK01', sk: 'tempSecretKeyTempSecretKey0123456789abcd', securityToken: 'gQpzdG9rZW4tZm9yLXRlc3Rz' };
const base = `/v3/${PROJECT_ID}/instances/${INSTANCE_ID}`;
const listUsers = { method: 'GET', path: `${base}/db-users`, query: [['offset', '0'], ['limit', '10']] as Array<[string, string]> };
const kill = {
  method: 'DELETE',
  path: `${base}/process`,
  body: { db_user_id: '2c250598-1e3c-4d31-bc19-be1d866247e6', process_ids: ['11212'], user: 'aaa', database: 'example' },
};

function expectApig401(res: { status: number; json: any; headers: Record<string, unknown> }, fragment: string) {
  expect(res.status).toBe(401);
  expect(res.json.error_code).toBe('APIGW.0301');
  expect(res.json.error_msg).toContain(fragment);
  expect(res.json.request_id).toMatch(/^[0-9a-f]{32}$/);
  expect(res.headers['x-request-id']).toBe(res.json.request_id);
}

describe('signature verification (DAS-API.md §2.5) with the official Node SDK signer', () => {
  let das: DasServer;
  let url: string;
  const logs: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    das = createDasServer({
      projectId: PROJECT_ID,
      credentials: [{ ak: AK, sk: SK }, TEMP],
      instances: [{ instanceId: INSTANCE_ID, host: '127.0.0.1', port: 3306 }],
      registryPath: ':memory:',
      registryKey: 'test-registry-key',
      log: (l) => logs.push(l),
    });
    ({ url } = await das.listen(0, '127.0.0.1'));
  });
  afterAll(() => das.close());

  it('accepts a GET with a query, signed by the SDK', async () => {
    const res = await call(url, { ...listUsers, ak: AK, sk: SK });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ total: 0, db_users: [] });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('accepts a DELETE with a JSON body (auth passes, then DAS rejects the unknown db user)', async () => {
    const res = await call(url, { ...kill, ak: AK, sk: SK });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error_code: 'DAS.200112', error_msg: 'The db_user_id value is invalid!' });
  });

  it('accepts any signed-header set, as long as x-sdk-date is signed', async () => {
    const res = await call(url, { ...listUsers, headers: { 'X-Language': 'en-us', 'X-Anything': 'some value' }, ak: AK, sk: SK });
    expect(res.status).toBe(200);
  });

  it('accepts a Go-SDK-style request that signs only x-sdk-date (no host), and the exact body bytes with a trailing newline', async () => {
    const target = new URL(`${url}${kill.path}`);
    const body = `${JSON.stringify(kill.body)}\n`;
    const headers = { 'X-Sdk-Date': formatSdkDate(new Date()) };
    const Authorization = authorizeExactly({ method: 'DELETE', url: target, headers, body }, { ak: AK, sk: SK });
    expect(Authorization).toContain('SignedHeaders=x-sdk-date,');
    const res = await rawRequest(url, 'DELETE', kill.path, { ...headers, Authorization, 'Content-Type': 'application/json' }, body);
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe('DAS.200112');
    const trimmed = await rawRequest(url, 'DELETE', kill.path, { ...headers, Authorization }, body.trimEnd());
    expectApig401(trimmed, 'verify aksk signature fail');
  });

  it('uses a signed X-Sdk-Content-Sha256 instead of hashing the body', async () => {
    const s = officialSign(url, { ...kill, headers: { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' }, ak: AK, sk: SK });
    const res = await rawRequest(url, 'DELETE', s.path, s.headers, JSON.stringify({ ...kill.body, user: 'someone-else' }));
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe('DAS.200112');
  });

  it('answers 413 APIG.0201 to a body over 1 MiB', async () => {
    const s = officialSign(url, { ...kill, ak: AK, sk: SK });
    const res = await rawRequest(url, 'DELETE', s.path, s.headers, 'x'.repeat(1024 * 1024 + 1));
    expect(res.status).toBe(413);
    expect(res.json.error_code).toBe('APIG.0201');
    expect(res.json.request_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses one changed byte in the path', async () => {
    const s = officialSign(url, { ...listUsers, ak: AK, sk: SK });
    const res = await rawRequest(url, 'GET', s.path.replace('db-users', 'db-userz'), s.headers);
    // db-userz is not a route at all: the gateway answers 404 before checking the signature.
    expect(res.status).toBe(404);
    const changedPid = s.path.replace(PROJECT_ID, `${PROJECT_ID.slice(0, -1)}1`);
    expectApig401(await rawRequest(url, 'GET', changedPid, s.headers), 'verify aksk signature fail');
  });

  it('refuses one changed byte in the query', async () => {
    const s = officialSign(url, { ...listUsers, ak: AK, sk: SK });
    expectApig401(await rawRequest(url, 'GET', s.path.replace('limit=10', 'limit=11'), s.headers), 'verify aksk signature fail');
  });

  it('refuses one changed byte in a signed header', async () => {
    const s = officialSign(url, { ...listUsers, ak: AK, sk: SK });
    const headers = { ...s.headers, 'X-Project-Id': `${PROJECT_ID.slice(0, -1)}1` };
    expectApig401(await rawRequest(url, 'GET', s.path, headers), 'verify aksk signature fail');
  });

  it('refuses one changed byte in the body', async () => {
    const s = officialSign(url, { ...kill, ak: AK, sk: SK });
    const tampered = s.body!.replace('11212', '11213');
    expectApig401(await rawRequest(url, 'DELETE', s.path, s.headers, tampered), 'verify aksk signature fail');
    // and the untampered bytes pass
    expect((await rawRequest(url, 'DELETE', s.path, s.headers, s.body)).status).toBe(400);
  });

  it('refuses a date 16 minutes off either way, accepts 14 minutes', async () => {
    for (const minutes of [16, -16]) {
      const date = formatSdkDate(new Date(Date.now() + minutes * 60_000));
      const res = await call(url, { ...listUsers, headers: { 'X-Sdk-Date': date }, ak: AK, sk: SK });
      expectApig401(res, 'signature expired');
      expect(res.json.error_msg).toContain(`signature time:${date}`);
    }
    const ok = await call(url, { ...listUsers, headers: { 'X-Sdk-Date': formatSdkDate(new Date(Date.now() - 14 * 60_000)) }, ak: AK, sk: SK });
    expect(ok.status).toBe(200);
  });

  it('refuses an unknown AK, a wrong SK, a missing or malformed Authorization', async () => {
    expectApig401(await call(url, { ...listUsers, ak: 'UNKNOWNAKUNKNOWNAK00', sk: SK }), 'ak:UNKNOWNAKUNKNOWNAK00,err:ak not exist');
    expectApig401(await call(url, { ...listUsers, ak: AK, sk: `${SK}x` }), 'verify aksk signature fail');
    const s = officialSign(url, { ...listUsers, ak: AK, sk: SK });
    const { Authorization: _a, ...noAuth } = s.headers;
    expectApig401(await rawRequest(url, 'GET', s.path, noAuth), 'Authorization');
    expectApig401(await rawRequest(url, 'GET', s.path, { ...noAuth, Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }), 'Authorization');
  });

  it('requires x-sdk-date to be signed', async () => {
    const s = officialSign(url, { ...listUsers, ak: AK, sk: SK });
    const auth = s.headers.Authorization!.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=content-type;host');
    expectApig401(await rawRequest(url, 'GET', s.path, { ...s.headers, Authorization: auth }), 'x-sdk-date');
  });

  it('temporary credentials: accepted with the signed X-Security-Token, refused without or with a wrong one', async () => {
    expect((await call(url, { ...listUsers, ...TEMP })).status).toBe(200);
    const { securityToken: _t, ...noToken } = TEMP;
    expectApig401(await call(url, { ...listUsers, ...noToken }), 'security token');
    expectApig401(await call(url, { ...listUsers, ...TEMP, securityToken: `${TEMP.securityToken}x` }), 'security token');
  });

  it('never puts SK or security token in a response or a log line', async () => {
    await call(url, { ...listUsers, ak: AK, sk: `${SK}x` });
    await call(url, { ...listUsers, ...TEMP, securityToken: 'wrong-token' });
    const dump = JSON.stringify(logs);
    expect(dump).not.toContain(SK);
    expect(dump).not.toContain(TEMP.sk);
    expect(dump).not.toContain(TEMP.securityToken);
    expect(logs.some((l) => l.status === 401)).toBe(true);
  });
});

describe('AK lockout', () => {
  it('locks an AK for 5 minutes after 5 consecutive failures, then lets it in again', async () => {
    let clock = Date.now();
    const das = createDasServer({
      projectId: PROJECT_ID,
      credentials: [{ ak: AK, sk: SK }],
      instances: [{ instanceId: INSTANCE_ID, host: '127.0.0.1', port: 3306 }],
      registryPath: ':memory:',
      registryKey: 'k',
      lockout: true,
      now: () => new Date(clock),
    });
    const { url } = await das.listen();
    try {
      const sign = () => ({ ...listUsers, headers: { 'X-Sdk-Date': formatSdkDate(new Date(clock)) }, ak: AK, sk: SK });
      // 4 failures, then a success resets the count
      for (let i = 0; i < 4; i++) expect((await call(url, { ...sign(), sk: 'bad' })).status).toBe(401);
      expect((await call(url, sign())).status).toBe(200);
      for (let i = 0; i < 5; i++) expect((await call(url, { ...sign(), sk: 'bad' })).status).toBe(401);
      const locked = await call(url, sign());
      expectApig401(locked, 'AK access failed to reach the limit,forbidden');
      clock += 4 * 60_000;
      expectApig401(await call(url, sign()), 'AK access failed to reach the limit');
      clock += 61_000;
      expect((await call(url, sign())).status).toBe(200);
    } finally {
      await das.close();
    }
  });

  it('does not lock when lockout is off (the default)', async () => {
    const das = createDasServer({
      projectId: PROJECT_ID,
      credentials: [{ ak: AK, sk: SK }],
      instances: [{ instanceId: INSTANCE_ID, host: '127.0.0.1', port: 3306 }],
      registryPath: ':memory:',
      registryKey: 'k',
    });
    const { url } = await das.listen();
    try {
      for (let i = 0; i < 6; i++) expect((await call(url, { ...listUsers, ak: AK, sk: 'bad' })).status).toBe(401);
      expect((await call(url, { ...listUsers, ak: AK, sk: SK })).status).toBe(200);
    } finally {
      await das.close();
    }
  });
});
