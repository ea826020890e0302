import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, dasEndpointFor, loadConfig, loadInventory, requiresApproval } from './config.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'quell-config-'));
const SECRET = 's3cret-value-that-must-never-be-printed-0123456789';
const good = {
  id: 'demo-local',
  name: 'demo-local',
  environment: 'dev',
  endpoint: 'http://127.0.0.1:8787',
  projectId: '0123456789abcdef0123456789abcdef',
  instanceId: 'da304cd5bbb944de828759bc7be3d3fein01',
  dbUserId: '2c250598-1e3c-4d31-bc19-be1d866247e6',
};
function write(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}
const yamlInventory = write(
  'inventory.yaml',
  `instances:
  - id: demo-local
    name: demo-local
    environment: dev
    endpoint: http://127.0.0.1:8787
    projectId: 0123456789abcdef0123456789abcdef
    instanceId: da304cd5bbb944de828759bc7be3d3fein01
    dbUserId: 2c250598-1e3c-4d31-bc19-be1d866247e6
    protectedUsers: [backup_agent]
    protectedHosts: ["10.0.0.9"]
  - id: cloud
    name: cloud prod
    environment: prod
    region: ap-southeast-1
    projectId: 0123456789abcdef0123456789abcdef
    instanceId: da304cd5bbb944de828759bc7be3d3fein02
    dbUserId: 2c250598-1e3c-4d31-bc19-be1d866247e7
    blastRadiusCap: 5
`,
);
const baseEnv = { QUELL_INVENTORY: yamlInventory, QUELL_USERS_FILE: path.join(dir, 'users.json'), QUELL_AK: 'AKVALUE', QUELL_SK: SECRET, QUELL_SESSION_SECRET: SECRET };

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env, dir);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads a valid environment with defaults, and freezes it', () => {
    const c = loadConfig(baseEnv, dir);
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.cookieSecure).toBe(false);
    expect(c.sessionIdleMinutes).toBe(30);
    expect(c.dataDir).toBe(path.join(dir, '.quell/data'));
    expect(c.webDist.endsWith(path.join('apps', 'web', 'dist'))).toBe(true);
    expect(c.instances).toHaveLength(2);
    expect(c.instances[0]!.blastRadiusCap).toBe(20);
    expect(c.instances[1]!.protectedUsers).toEqual([]);
    expect(dasEndpointFor(c.instances[1]!)).toBe('https://das.ap-southeast-1.myhuaweicloud.com');
    expect(dasEndpointFor({ region: 'na-mexico-1' })).toBe('https://das.la-south-2.myhuaweicloud.com');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads secrets from *_FILE variables, and refuses both forms at once', () => {
    const skFile = write('sk', `${SECRET}\n`);
    expect(loadConfig({ ...baseEnv, QUELL_SK: undefined, QUELL_SK_FILE: skFile }, dir).credentials.sk).toBe(SECRET);
    expect(problems({ ...baseEnv, QUELL_SK_FILE: skFile })).toEqual(['QUELL_SK: set either QUELL_SK or QUELL_SK_FILE, not both']);
    expect(problems({ ...baseEnv, QUELL_SK: undefined, QUELL_SK_FILE: path.join(dir, 'missing') })).toEqual(['QUELL_SK_FILE: cannot read the file it names']);
  });

  it('reads notification destinations, their URL and signing secret from *_FILE too; a bad one is named, never shown', () => {
    const slackUrl = 'https://hooks.slack.com/services/T0/B0/slack-token-that-is-a-secret';
    const signing = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const env = {
      ...baseEnv,
      QUELL_PUBLIC_URL: 'https://quell.example.com',
      QUELL_NOTIFY_DESTINATIONS: 'team-slack,siem',
      QUELL_NOTIFY_TEAM_SLACK_TYPE: 'slack',
      QUELL_NOTIFY_TEAM_SLACK_URL_FILE: write('slack-url', `${slackUrl}\n`),
      QUELL_NOTIFY_SIEM_TYPE: 'webhook',
      QUELL_NOTIFY_SIEM_URL: 'https://siem.example.com/quell',
      QUELL_NOTIFY_SIEM_SECRET_FILE: write('siem-secret', signing),
    };
    expect(loadConfig(env, dir).notify).toEqual({
      publicUrl: 'https://quell.example.com',
      destinations: [
        { name: 'team-slack', type: 'slack', url: slackUrl },
        { name: 'siem', type: 'webhook', url: 'https://siem.example.com/quell', secret: signing },
      ],
    });
    expect(loadConfig(baseEnv, dir).notify).toEqual({ destinations: [] });
    const p = problems({ ...env, QUELL_NOTIFY_TEAM_SLACK_URL_FILE: write('slack-bad', 'hooks.slack.com/slack-token-that-is-a-secret'), QUELL_NOTIFY_SIEM_SECRET_FILE: undefined });
    expect(p).toEqual(['QUELL_NOTIFY_TEAM_SLACK_URL: is not a valid URL', 'QUELL_NOTIFY_SIEM_SECRET: is required (or QUELL_NOTIFY_SIEM_SECRET_FILE)']);
    expect(p.join('\n')).not.toContain('slack-token');
  });

  it('names every missing or bad variable, never its value', () => {
    const p = problems({ QUELL_INVENTORY: yamlInventory, QUELL_SESSION_SECRET: 'short-secret-value', PORT: 'eighty', QUELL_COOKIE_SECURE: 'yes', QUELL_LOG_LEVEL: 'loud' });
    const text = p.join('\n');
    for (const v of ['QUELL_USERS_FILE', 'QUELL_AK', 'QUELL_SK', 'QUELL_SESSION_SECRET', 'PORT', 'QUELL_COOKIE_SECURE', 'QUELL_LOG_LEVEL']) expect(text).toContain(v);
    for (const value of ['short-secret-value', 'eighty', 'loud']) expect(text).not.toContain(value);
  });

  it('names the file and the field of a bad inventory, never the value', () => {
    const bad = write(
      'bad.json',
      JSON.stringify({
        instances: [
          { ...good, id: 'Bad_Id', projectId: 'SECRETISH-not-32' },
          { ...good, region: 'ap-southeast-1' },
          { ...good, id: 'x2', endpoint: undefined, environment: 'qa', blastRadiusCap: 0, extra: 1 },
        ],
      }),
    );
    const p = problems({ ...baseEnv, QUELL_INVENTORY: bad });
    const text = p.join('\n');
    expect(text).toContain(`${bad}: instances.0.id:`);
    expect(text).toContain(`${bad}: instances.0.projectId:`);
    expect(text).toContain(`${bad}: instances.1.endpoint: give exactly one of endpoint or region`);
    expect(text).toContain(`${bad}: instances.2.environment:`);
    expect(text).toContain(`${bad}: instances.2.blastRadiusCap:`);
    expect(text).toContain(`${bad}: instances.2:`);
    expect(text).not.toContain('SECRETISH');
    const noEndpoint = write('noend.json', JSON.stringify({ instances: [{ ...good, endpoint: undefined }] }));
    expect(problems({ ...baseEnv, QUELL_INVENTORY: noEndpoint })).toEqual([`${noEndpoint}: instances.0.endpoint: give exactly one of endpoint or region`]);
    expect(problems({ ...baseEnv, QUELL_INVENTORY: write('dup.yaml', `instances:\n  - ${JSON.stringify(good)}\n  - ${JSON.stringify(good)}\n`) }).join('\n')).toContain('instances.1.id: is used by another instance');
    expect(problems({ ...baseEnv, QUELL_INVENTORY: write('broken.yaml', 'instances: [') })).toEqual([`${path.join(dir, 'broken.yaml')}: is not valid YAML`]);
    expect(problems({ ...baseEnv, QUELL_INVENTORY: path.join(dir, 'nope.yaml') })[0]).toMatch(/^QUELL_INVENTORY: cannot read the file/);
    expect(() => loadInventory(write('empty.yaml', 'instances: []'))).toThrow(/instances: must list at least one instance/);
  });
});

describe('loadConfig: proxy, host names, metrics token', () => {
  it('takes QUELL_TRUST_PROXY as a hop count or proxy addresses, never as "trust everyone"', () => {
    expect(loadConfig(baseEnv, dir).trustProxy).toBe(false);
    expect(loadConfig({ ...baseEnv, QUELL_TRUST_PROXY: '1' }, dir).trustProxy).toBe(1);
    expect(loadConfig({ ...baseEnv, QUELL_TRUST_PROXY: '0' }, dir).trustProxy).toBe(0);
    expect(loadConfig({ ...baseEnv, QUELL_TRUST_PROXY: 'loopback, 10.0.0.0/8' }, dir).trustProxy).toBe('loopback, 10.0.0.0/8');
    for (const bad of ['true', 'false', 'yes', '1,']) expect(problems({ ...baseEnv, QUELL_TRUST_PROXY: bad })[0]).toMatch(/^QUELL_TRUST_PROXY: must be a hop count/);
  });

  it('reads QUELL_ALLOWED_HOSTS as lowercase names, and QUELL_METRICS_TOKEN or its _FILE', () => {
    expect(loadConfig({ ...baseEnv, QUELL_ALLOWED_HOSTS: 'Quell.Example.com, localhost' }, dir).allowedHosts).toEqual(['quell.example.com', 'localhost']);
    expect(loadConfig(baseEnv, dir).allowedHosts).toBeUndefined();
    expect(problems({ ...baseEnv, QUELL_ALLOWED_HOSTS: 'https://quell.example.com/' })[0]).toMatch(/^QUELL_ALLOWED_HOSTS: /);
    const token = 'metrics-token-0123456789';
    expect(loadConfig({ ...baseEnv, QUELL_METRICS_TOKEN_FILE: write('metrics-token', `${token}\n`) }, dir).metricsToken).toBe(token);
    expect(loadConfig(baseEnv, dir).metricsToken).toBeUndefined();
    const short = problems({ ...baseEnv, QUELL_METRICS_TOKEN: 'short-one' });
    expect(short).toEqual(['QUELL_METRICS_TOKEN: must be at least 16 characters']);
  });
});

describe('loadConfig: slow and numerous clients', () => {
  it('defaults to 10 s for headers, 30 s for a whole request and 1000 connections; names bad values', () => {
    const c = loadConfig(baseEnv, dir);
    expect([c.headersTimeoutSeconds, c.requestTimeoutSeconds, c.maxConnections]).toEqual([10, 30, 1000]);
    const set = loadConfig({ ...baseEnv, QUELL_HEADERS_TIMEOUT_SECONDS: '5', QUELL_REQUEST_TIMEOUT_SECONDS: '20', QUELL_MAX_CONNECTIONS: '200' }, dir);
    expect([set.headersTimeoutSeconds, set.requestTimeoutSeconds, set.maxConnections]).toEqual([5, 20, 200]);
    expect(problems({ ...baseEnv, QUELL_HEADERS_TIMEOUT_SECONDS: '40', QUELL_REQUEST_TIMEOUT_SECONDS: '20' })).toEqual(['QUELL_HEADERS_TIMEOUT_SECONDS: must not exceed QUELL_REQUEST_TIMEOUT_SECONDS']);
    expect(problems({ ...baseEnv, QUELL_MAX_CONNECTIONS: '0' })).toEqual(['QUELL_MAX_CONNECTIONS: must be at least 1']);
    expect(problems({ ...baseEnv, QUELL_REQUEST_TIMEOUT_SECONDS: 'forever' })[0]).toMatch(/^QUELL_REQUEST_TIMEOUT_SECONDS: /);
  });
});

describe('the two-person rule in the configuration', () => {
  it('follows the inventory, else only production instances; QUELL_APPROVAL_TTL_SECONDS defaults to 10 minutes', () => {
    const c = loadConfig(baseEnv, dir);
    expect(c.instances.map((i) => [i.id, requiresApproval(i)])).toEqual([
      ['demo-local', false],
      ['cloud', true],
    ]);
    expect(requiresApproval({ environment: 'prod', requireApproval: false })).toBe(false);
    expect(requiresApproval({ environment: 'dev', requireApproval: true })).toBe(true);
    expect(c.approvalTtlSeconds).toBe(600);
    expect(loadConfig({ ...baseEnv, QUELL_APPROVAL_TTL_SECONDS: '30' }, dir).approvalTtlSeconds).toBe(30);
    expect(problems({ ...baseEnv, QUELL_APPROVAL_TTL_SECONDS: '2' })).toEqual(['QUELL_APPROVAL_TTL_SECONDS: must be at least 5']);
  });

  it('names a bad requireApproval or approvalTtlSeconds, and reads good ones', () => {
    const f = write('bad-approval.json', JSON.stringify({ instances: [{ ...good, requireApproval: 'yes' }] }));
    expect(() => loadInventory(f)).toThrow(`${f}: instances.0.requireApproval: must be true or false`);
    const short = write('short-approval.json', JSON.stringify({ instances: [{ ...good, approvalTtlSeconds: 2 }] }));
    expect(() => loadInventory(short)).toThrow(`${short}: instances.0.approvalTtlSeconds: must be at least 5`);
    const ok = write('ok-approval.json', JSON.stringify({ instances: [{ ...good, approvalTtlSeconds: 30, requireApproval: true }] }));
    expect(loadInventory(ok)[0]).toMatchObject({ approvalTtlSeconds: 30, requireApproval: true });
  });
});
