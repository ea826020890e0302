// Notification destinations from the environment: QUELL_NOTIFY_DESTINATIONS names them, and each name
// has its own QUELL_NOTIFY_<NAME>_* variables. URLs and signing secrets are secrets (a Slack incoming
// webhook URL is its own credential): read like every secret, from VAR or VAR_FILE, and never echoed.
import { Environment } from '@quell/contracts/instances';
import type { DestinationType } from '@quell/contracts/notifications';

export interface DestinationConfig {
  name: string;
  type: DestinationType;
  url: string;
  /** Standard Webhooks signing secret (`whsec_…`), webhook destinations only. */
  secret?: string;
  /** Only events of instances in these environments (absent: every environment). */
  environments?: Environment[];
}

export interface NotifyConfig {
  destinations: DestinationConfig[];
  /** Quell's address as operators reach it, for absolute links to the audit entry in a message. */
  publicUrl?: string;
}

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** Standard Webhooks: `whsec_` and the base64 of 24 to 64 random bytes. */
const SECRET_RE = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

/** The variable prefix of a destination: `team-slack` → `QUELL_NOTIFY_TEAM_SLACK`. */
export const destinationVar = (name: string): string => `QUELL_NOTIFY_${name.toUpperCase().replace(/-/g, '_')}`;

function httpUrlProblem(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be an http(s) URL';
  if (u.hostname === '') return 'names no host';
  return undefined;
}

/** Reads QUELL_PUBLIC_URL and the destinations; problems name the variable, never its value. */
export function loadNotifyConfig(env: Record<string, string | undefined>, secret: (name: string, required: boolean) => string | undefined, problems: string[]): NotifyConfig {
  const config: NotifyConfig = { destinations: [] };
  const publicUrl = env.QUELL_PUBLIC_URL?.trim();
  if (publicUrl) {
    const problem = httpUrlProblem(publicUrl);
    if (problem) problems.push(`QUELL_PUBLIC_URL: ${problem} (like https://quell.example.com)`);
    else config.publicUrl = publicUrl.replace(/\/+$/, '');
  }
  const names = (env.QUELL_NOTIFY_DESTINATIONS ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const seen = new Set<string>();
  for (const name of names) {
    if (!NAME_RE.test(name)) {
      problems.push('QUELL_NOTIFY_DESTINATIONS: each name must be 1-40 lowercase letters, digits or hyphens, starting with a letter or digit');
      continue;
    }
    if (seen.has(name)) {
      problems.push(`QUELL_NOTIFY_DESTINATIONS: ${name} is listed twice`);
      continue;
    }
    seen.add(name);
    const v = destinationVar(name);
    const type = env[`${v}_TYPE`];
    if (type !== 'slack' && type !== 'webhook') {
      problems.push(`${v}_TYPE: must be slack or webhook`);
      continue;
    }
    const url = secret(`${v}_URL`, true);
    // The problem is about the URL's form only: the value itself is a secret.
    const urlProblem = url === undefined ? undefined : httpUrlProblem(url);
    if (urlProblem) problems.push(`${v}_URL: ${urlProblem}`);
    let signing: string | undefined;
    if (type === 'webhook') {
      signing = secret(`${v}_SECRET`, true);
      if (signing !== undefined && !SECRET_RE.test(signing)) problems.push(`${v}_SECRET: must be a Standard Webhooks secret (whsec_ and the base64 of 24-64 random bytes)`);
    } else if (env[`${v}_SECRET`] || env[`${v}_SECRET_FILE`]) {
      problems.push(`${v}_SECRET: only webhook destinations are signed (a Slack URL is its own secret)`);
    }
    let environments: Environment[] | undefined;
    const envList = env[`${v}_ENVIRONMENTS`]?.trim();
    if (envList) {
      const parsed = envList.split(',').map((e) => Environment.safeParse(e.trim()));
      if (parsed.some((p) => !p.success)) problems.push(`${v}_ENVIRONMENTS: must be a comma-separated list of ${Environment.options.join(', ')}`);
      else environments = [...new Set(parsed.map((p) => p.data!))];
    }
    if (url === undefined || urlProblem || (type === 'webhook' && (signing === undefined || !SECRET_RE.test(signing)))) continue;
    config.destinations.push({ name, type, url, ...(signing ? { secret: signing } : {}), ...(environments ? { environments } : {}) });
  }
  return config;
}
