import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authorizeExactly, canonicalQuery, canonicalRequest, canonicalUri, encodeRfc3986, hmacSha256Hex, parseSdkDate, sha256Hex, signRequest } from './signer.ts';

const at = (sdkDate: string) => parseSdkDate(sdkDate)!;

describe('SDK-HMAC-SHA256 published vectors (DAS-API.md §2.6)', () => {
  it('V1: signing-guide GET example', () => {
    const headers = signRequest(
      {
        method: 'GET',
        url: new URL('https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0'),
        headers: { 'Content-Type': 'application/json' },
      },
      { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' },
      at('20191115T033655Z'),
    );
    expect(headers.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
    const { canonical } = canonicalRequest({
      method: 'GET',
      path: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
      query: [['limit', '2'], ['marker', '13551d6b-755d-4757-b956-536f674975c0']],
      headers: { 'content-type': 'application/json', host: 'service.region.example.com', 'x-sdk-date': '20191115T033655Z' },
      payloadHash: sha256Hex(''),
    });
    expect(sha256Hex(canonical)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
  });

  const python = { ak: 'AccessKey', sk: 'SecretKey' };
  const pythonUrl = new URL('https://service.endpoint.myhuaweicloud.com/resources?size=1');

  it('V2: Python SDK GET with empty body', () => {
    const headers = signRequest({ method: 'GET', url: pythonUrl }, python, at('20200608T023900Z'));
    expect(headers.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842',
    );
  });

  it('V3: Python SDK POST with a JSON body', () => {
    const body = '{"name":"test","id":1}';
    expect(sha256Hex(body)).toBe('8ed555081b9961769014bc1182c629bb0fe68d7b01c1fc1caab4dc791f377e8c');
    const headers = signRequest({ method: 'POST', url: pythonUrl, body }, python, at('20200608T023900Z'));
    expect(headers.Authorization).toContain('Signature=436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f');
  });

  it('V4: query canonicalization with reserved and unicode characters', () => {
    expect(
      canonicalQuery([
        ['limit', '1'],
        ['enable', 'true'],
        ['test', '一 (&=?!#%.*)'],
        ['path', '/tmp/123'],
        ['multi', '3'],
        ['multi', '1'],
        ['multi', '2'],
      ]),
    ).toBe('enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29');
  });

  it('V5: Go SDK signs only x-sdk-date; body hash covers the trailing newline', () => {
    const go = { ak: 'AccessKey', sk: 'SecretKey' };
    const sign = (method: string, url: string, body?: string) =>
      canonicalAndSign(method, new URL(url), go, '20060102T150405Z', body);
    expect(sign('GET', 'https://example.huaweicloud.com/path?limit=1')).toBe(
      '5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
    );
    expect(sign('POST', 'https://example.huaweicloud.com/path?key=value', '{"Name":"test","Id":1}\n')).toBe(
      'cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59',
    );
  });

  it('query is sorted by the raw name and value, then encoded (as every official signer does)', () => {
    // Sorting the encoded forms would put `a%3A` before `a0` and `%C3%A9` before `z`.
    expect(canonicalQuery([['a:', '1'], ['a0', '2'], ['é', '3'], ['z', '4']])).toBe('a0=2&a%3A=1&z=4&%C3%A9=3');
    expect(canonicalQuery([['k', 'é'], ['k', 'z'], ['k', ':'], ['k', '0']])).toBe('k=0&k=%3A&k=z&k=%C3%A9');
  });

  it('X-Sdk-Content-Sha256 replaces the body hash', () => {
    const url = new URL('https://h.example.com/p');
    const creds = { ak: 'AK', sk: 'SK' };
    const at20 = at('20200608T023900Z');
    const unsigned = signRequest({ method: 'POST', url, headers: { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' }, body: '{"a":1}' }, creds, at20);
    const unsignedOtherBody = signRequest({ method: 'POST', url, headers: { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' }, body: '{"a":2}' }, creds, at20);
    const hashed = signRequest({ method: 'POST', url, headers: {}, body: '{"a":1}' }, creds, at20);
    expect(unsigned.Authorization).toBe(unsignedOtherBody.Authorization);
    expect(unsigned.Authorization).not.toBe(hashed.Authorization);
  });

  it('canonical URI always ends with a slash and encodes each segment once', () => {
    expect(canonicalUri('/a/b')).toBe('/a/b/');
    expect(canonicalUri('/a/b/')).toBe('/a/b/');
    expect(canonicalUri('/a/my%20db')).toBe('/a/my%20db/');
  });
});

// V5: the Go signer signs only X-Sdk-Date (no host).
function canonicalAndSign(method: string, url: URL, creds: { ak: string; sk: string }, sdkDate: string, body?: string) {
  const auth = authorizeExactly({ method, url, headers: { 'X-Sdk-Date': sdkDate }, body }, creds);
  expect(auth).toContain('SignedHeaders=x-sdk-date,');
  return auth.replace(/^.*Signature=/, '');
}

describe('§2.7 worked DAS examples (official Node SDK pipeline)', () => {
  const creds = { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };
  const base = 'https://das.ap-southeast-1.myhuaweicloud.com/v3/054e292c9880d4992f02c0196d3ea468/instances/da304cd5bbb944de828759bc7be3d3fein01';
  const dasHeaders = { 'Content-Type': 'application/json', 'X-Project-Id': '054e292c9880d4992f02c0196d3ea468' };

  it('(a) kill sessions: DELETE with a JSON body', () => {
    const body = '{"db_user_id":"2c250598-1e3c-4d31-bc19-be1d866247e6","process_ids":["11212","3423222"],"user":"aaa","database":"example"}';
    expect(sha256Hex(body)).toBe('d71262facbb3a79d5ba65e0c177a7aecd9009ab7d684029589fc905d9a7e619b');
    const headers = signRequest({ method: 'DELETE', url: new URL(`${base}/process`), headers: dasHeaders, body }, creds, at('20240102T030405Z'));
    expect(headers.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=605a9b923767ff9cf99c7eea08612dff3c5e1a81d962937b08c90d5fa9daf1f3',
    );
  });

  it('(b) list sessions: GET with a space in the database name', () => {
    const url = new URL(`${base}/processes?db_user_id=2c250598-1e3c-4d31-bc19-be1d866247e6&user=root&database=my%20db&offset=0&limit=20`);
    const headers = signRequest({ method: 'GET', url, headers: dasHeaders }, creds, at('20240102T030405Z'));
    expect(headers.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=b90b2e24d977146d472da9d00d5d97db3dbdb006c1351386ec18830879b90d4d',
    );
  });
});

describe('encodeRfc3986 (long ids remembered once checked)', () => {
  it('passes long unreserved ids through, again and past the bound of the memo, and escapes every other long text each time', () => {
    const ids = Array.from({ length: 2500 }, (_, i) => `2c250598-1e3c-4d31-bc19-${String(i).padStart(12, '0')}`);
    for (let round = 0; round < 2; round++) for (const id of ids) expect(encodeRfc3986(id)).toBe(id);
    for (let round = 0; round < 2; round++) {
      expect(encodeRfc3986('2c250598-1e3c-4d31-bc19 000000000001')).toBe('2c250598-1e3c-4d31-bc19%20000000000001');
      expect(encodeRfc3986("it's (a) long name*!")).toBe('it%27s%20%28a%29%20long%20name%2A%21');
    }
  });
});

describe('hmacSha256Hex (two one-shot hashes over cached key blocks)', () => {
  const reference = (key: string, message: string) => createHmac('sha256', Buffer.from(key, 'utf8')).update(message, 'utf8').digest('hex');
  // ASCII keys take the string path, the others (non-ASCII, or longer than a block and so hashed
  // to arbitrary bytes) the byte-buffer path; switching keys must rebuild the cached blocks.
  const keys = ['MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc', '', 'k'.repeat(64), 'k'.repeat(65), 'clé secrète ✓', '\u007f\u0000~', '😀'.repeat(20)];
  const messages = ['SDK-HMAC-SHA256\n20260301T100000Z\n' + 'a'.repeat(64), '', 'ünïcødé 😀', 'x'.repeat(1000)];

  it('equals node:crypto HMAC-SHA256 for every key and message, in any order', () => {
    for (const message of messages) for (const key of keys) expect(hmacSha256Hex(key, message), `${key} / ${message.slice(0, 20)}`).toBe(reference(key, message));
    for (const key of [...keys].reverse()) for (const message of [...messages].reverse()) expect(hmacSha256Hex(key, message)).toBe(reference(key, message));
  });

  it('matches RFC 4231 test case 2', () => {
    expect(hmacSha256Hex('Jefe', 'what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});
