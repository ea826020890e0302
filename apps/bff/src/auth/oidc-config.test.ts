import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localAccountsAllowed, loadOidcConfig, roleForGroups } from './oidc-config.ts';

const SECRET = 'client-secret-that-must-never-be-printed';
const base = {
  QUELL_OIDC_ISSUER: 'https://sso.example.com/realms/ops',
  QUELL_OIDC_CLIENT_ID: 'quell',
  QUELL_OIDC_REDIRECT_URL: 'https://quell.example.com/api/auth/oidc/callback',
  QUELL_OIDC_ROLE_GROUPS: 'admin:quell-admins,operator:quell-oncall,viewer:quell-readers',
};
function load(env: Record<string, string | undefined>) {
  const problems: string[] = [];
  const secret = (name: string) => env[name] ?? (env[`${name}_FILE`] ? '(from file)' : undefined);
  return { config: loadOidcConfig(env, secret, problems), problems };
}

describe('QUELL_OIDC_* settings', () => {
  it('are absent without an issuer, and settings without one are a problem', () => {
    expect(load({})).toEqual({ config: undefined, problems: [] });
    expect(load({ QUELL_OIDC_CLIENT_ID: 'x' }).problems).toEqual(['QUELL_OIDC_CLIENT_ID: needs QUELL_OIDC_ISSUER']);
  });

  it('read a complete configuration with defaults', () => {
    const { config, problems } = load({ ...base, QUELL_OIDC_CLIENT_SECRET: SECRET });
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      clientSecret: SECRET,
      scopes: 'openid profile email',
      groupsClaim: 'groups',
      localLogin: 'on',
      postLogoutUrl: 'https://quell.example.com/login',
      roleGroups: [
        { role: 'admin', group: 'quell-admins' },
        { role: 'operator', group: 'quell-oncall' },
        { role: 'viewer', group: 'quell-readers' },
      ],
    });
  });

  it('name every bad variable, never a value', () => {
    const { config, problems } = load({
      QUELL_OIDC_ISSUER: 'ftp://nope',
      QUELL_OIDC_CLIENT_SECRET: SECRET,
      QUELL_OIDC_REDIRECT_URL: 'https://quell.example.com/elsewhere',
      QUELL_OIDC_ROLE_GROUPS: 'root:wheel',
      QUELL_OIDC_SCOPES: 'profile',
      QUELL_OIDC_LOCAL_LOGIN: 'sometimes',
    });
    expect(config).toBeUndefined();
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'QUELL_OIDC_ISSUER',
      'QUELL_OIDC_CLIENT_ID',
      'QUELL_OIDC_REDIRECT_URL',
      'QUELL_OIDC_SCOPES',
      'QUELL_OIDC_ROLE_GROUPS',
      'QUELL_OIDC_LOCAL_LOGIN',
    ]);
    expect(problems.join('\n')).not.toContain(SECRET);
  });

  it('the client secret may come from a file, through the shared secret reader', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'quell-oidc-config-'));
    const file = path.join(dir, 'secret');
    writeFileSync(file, `${SECRET}\n`);
    const { loadConfig } = await import('../config.ts');
    const inventory = path.join(dir, 'inventory.json');
    writeFileSync(inventory, JSON.stringify({ instances: [{ id: 'a', name: 'a', environment: 'dev', endpoint: 'http://127.0.0.1:1', projectId: '0123456789abcdef0123456789abcdef', instanceId: 'x1' }] }));
    const config = loadConfig({ ...base, QUELL_OIDC_CLIENT_SECRET_FILE: file, QUELL_INVENTORY: inventory, QUELL_USERS_FILE: 'u.json', QUELL_AK: 'ak', QUELL_SK: 'sk', QUELL_SESSION_SECRET: 'x'.repeat(32) });
    expect(config.oidc?.clientSecret).toBe(SECRET);
  });
});

describe('groups → role', () => {
  const mapping = [
    { role: 'viewer', group: 'readers' },
    { role: 'admin', group: 'admins' },
    { role: 'operator', group: 'oncall' },
  ] as const;
  it('gives the highest mapped role, or none', () => {
    expect(roleForGroups(['readers', 'oncall'], mapping)).toBe('operator');
    expect(roleForGroups(['admins', 'readers'], mapping)).toBe('admin');
    expect(roleForGroups(['payroll'], mapping)).toBeUndefined();
    expect(roleForGroups([], mapping)).toBeUndefined();
  });
});

describe('break-glass local accounts', () => {
  const users = { find: async (u: string) => ({ root: { role: 'admin' as const }, op: { role: 'operator' as const } })[u] };
  it('on: everyone; admin-only: admins; off: nobody', async () => {
    expect(await localAccountsAllowed(users, 'on').find('op')).toEqual({ role: 'operator' });
    expect(await localAccountsAllowed(users, 'admin-only').find('op')).toBeUndefined();
    expect(await localAccountsAllowed(users, 'admin-only').find('root')).toEqual({ role: 'admin' });
    expect(await localAccountsAllowed(users, 'off').find('root')).toBeUndefined();
  });
});
