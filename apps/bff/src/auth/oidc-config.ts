// The QUELL_OIDC_* settings: sign-in through an OpenID Connect identity provider, roles from its groups.
// Problems name the variable, never a value (the client secret is read like every other secret).
import type { Role } from '@quell/contracts/common';
import { routes } from '@quell/contracts/routes';

/** Who may still use a local account (break-glass) when the IdP is configured. */
export type LocalLogin = 'on' | 'admin-only' | 'off';

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  redirectUrl: string;
  /** Where the IdP sends the browser after RP-initiated logout (default: the sign-in page next to redirectUrl). */
  postLogoutUrl: string;
  scopes: string;
  /** The ID-token (or userinfo) claim that lists the user's groups. */
  groupsClaim: string;
  /** Group → role; a user in several mapped groups gets the highest role. */
  roleGroups: ReadonlyArray<{ role: Role; group: string }>;
  /** Shown on the sign-in button: "Sign in with <displayName>". */
  displayName: string;
  localLogin: LocalLogin;
}

const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

function httpUrl(value: string): URL | undefined {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/** `admin:quell-admins,operator:quell-oncall,viewer:quell-readers` → pairs; problems for anything else. */
export function parseRoleGroups(value: string, problems: string[]): Array<{ role: Role; group: string }> {
  const pairs: Array<{ role: Role; group: string }> = [];
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const colon = item.indexOf(':');
    const role = item.slice(0, colon) as Role;
    const group = item.slice(colon + 1).trim();
    if (colon < 1 || !ROLES.includes(role) || group === '') {
      problems.push('QUELL_OIDC_ROLE_GROUPS: each entry must be role:group with role viewer, operator or admin (e.g. operator:quell-oncall)');
      return [];
    }
    pairs.push({ role, group });
  }
  if (pairs.length === 0) problems.push('QUELL_OIDC_ROLE_GROUPS: is required (e.g. admin:quell-admins,operator:quell-oncall)');
  return pairs;
}

/**
 * The OIDC settings, or undefined when QUELL_OIDC_ISSUER is not set (local accounts only).
 * `secret(name, required)` reads NAME or NAME_FILE, as the rest of the configuration does.
 */
export function loadOidcConfig(
  env: Record<string, string | undefined>,
  secret: (name: string, required: boolean) => string | undefined,
  problems: string[],
): OidcConfig | undefined {
  const issuer = env.QUELL_OIDC_ISSUER;
  if (issuer === undefined || issuer === '') {
    for (const name of ['QUELL_OIDC_CLIENT_ID', 'QUELL_OIDC_ROLE_GROUPS', 'QUELL_OIDC_REDIRECT_URL']) {
      if (env[name]) problems.push(`${name}: needs QUELL_OIDC_ISSUER`);
    }
    return undefined;
  }
  const before = problems.length;
  if (!httpUrl(issuer)) problems.push('QUELL_OIDC_ISSUER: must be an http(s) URL (like https://sso.example.com/realms/ops)');
  const clientId = env.QUELL_OIDC_CLIENT_ID ?? '';
  if (!/^[\x21-\x7e]{1,200}$/.test(clientId)) problems.push('QUELL_OIDC_CLIENT_ID: is required (1-200 printable characters)');
  const clientSecret = secret('QUELL_OIDC_CLIENT_SECRET', false);
  const redirectUrl = env.QUELL_OIDC_REDIRECT_URL ?? '';
  const redirect = httpUrl(redirectUrl);
  const callback = routes.oidcCallback.path;
  if (!redirect) problems.push(`QUELL_OIDC_REDIRECT_URL: is required, an http(s) URL ending in ${callback}`);
  else if (!redirect.pathname.endsWith(callback)) problems.push(`QUELL_OIDC_REDIRECT_URL: must end in ${callback}`);
  const postLogoutUrl = env.QUELL_OIDC_POST_LOGOUT_URL || (redirect ? new URL('/login', redirect).href : '');
  if (env.QUELL_OIDC_POST_LOGOUT_URL && !httpUrl(env.QUELL_OIDC_POST_LOGOUT_URL)) problems.push('QUELL_OIDC_POST_LOGOUT_URL: must be an http(s) URL');
  const scopes = (env.QUELL_OIDC_SCOPES || 'openid profile email').trim();
  if (!scopes.split(/\s+/).includes('openid')) problems.push('QUELL_OIDC_SCOPES: must include openid');
  const groupsClaim = env.QUELL_OIDC_GROUPS_CLAIM || 'groups';
  if (!/^[A-Za-z0-9_:.\/-]{1,100}$/.test(groupsClaim)) problems.push('QUELL_OIDC_GROUPS_CLAIM: must be a claim name (letters, digits, _ : . / -)');
  const roleGroups = parseRoleGroups(env.QUELL_OIDC_ROLE_GROUPS ?? '', problems);
  const displayName = (env.QUELL_OIDC_DISPLAY_NAME || 'your identity provider').trim();
  if (displayName.length > 60) problems.push('QUELL_OIDC_DISPLAY_NAME: must be at most 60 characters');
  const localLogin = (env.QUELL_OIDC_LOCAL_LOGIN || 'on') as LocalLogin;
  if (!['on', 'admin-only', 'off'].includes(localLogin)) problems.push('QUELL_OIDC_LOCAL_LOGIN: must be on, admin-only or off');
  if (problems.length > before) return undefined;
  return Object.freeze({
    issuer,
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
    redirectUrl,
    postLogoutUrl,
    scopes,
    groupsClaim,
    roleGroups: Object.freeze(roleGroups),
    displayName,
    localLogin,
  });
}

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** The highest role any of `groups` maps to, or undefined (the user may not use Quell). */
export function roleForGroups(groups: readonly string[], mapping: OidcConfig['roleGroups']): Role | undefined {
  let best: Role | undefined;
  for (const { role, group } of mapping) {
    if (groups.includes(group) && (best === undefined || RANK[role] > RANK[best])) best = role;
  }
  return best;
}

/**
 * The local accounts that may still sign in next to the IdP: all (`on`), admins only (break-glass,
 * `admin-only`) or none (`off`). The others are as if absent: their login fails, their sessions end.
 */
export function localAccountsAllowed<D extends { find(username: string): Promise<{ role: Role } | undefined> }>(users: D, localLogin: LocalLogin): D {
  if (localLogin === 'on') return users;
  return {
    ...users,
    async find(username: string) {
      if (localLogin === 'off') return undefined;
      const user = await users.find(username);
      return user?.role === 'admin' ? user : undefined;
    },
  } as D;
}
