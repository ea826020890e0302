import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNotifyConfig } from './config.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'quell-notify-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/very-secret-token';

/** A plain reader (the real one in config.ts also reads VAR_FILE). */
function load(env: Record<string, string>) {
  const problems: string[] = [];
  const secret = (name: string, required: boolean) => {
    const file = env[`${name}_FILE`];
    const v = file ? 'from-file' : env[name];
    if (!v && required) problems.push(`${name}: is required (or ${name}_FILE)`);
    return v || undefined;
  };
  return { config: loadNotifyConfig(env, secret, problems), problems };
}

describe('notification destinations from the environment', () => {
  it('reads several named destinations with their types, URLs, secrets and environments, and the public URL', () => {
    const { config, problems } = load({
      QUELL_PUBLIC_URL: 'https://quell.example.com/',
      QUELL_NOTIFY_DESTINATIONS: 'team-slack, siem',
      QUELL_NOTIFY_TEAM_SLACK_TYPE: 'slack',
      QUELL_NOTIFY_TEAM_SLACK_URL: SLACK_URL,
      QUELL_NOTIFY_TEAM_SLACK_ENVIRONMENTS: 'prod,staging',
      QUELL_NOTIFY_SIEM_TYPE: 'webhook',
      QUELL_NOTIFY_SIEM_URL: 'https://siem.example.com/in',
      QUELL_NOTIFY_SIEM_SECRET: SECRET,
    });
    expect(problems).toEqual([]);
    expect(config).toEqual({
      publicUrl: 'https://quell.example.com',
      destinations: [
        { name: 'team-slack', type: 'slack', url: SLACK_URL, environments: ['prod', 'staging'] },
        { name: 'siem', type: 'webhook', url: 'https://siem.example.com/in', secret: SECRET },
      ],
    });
  });

  it('has no destination when none is named', () => {
    expect(load({})).toEqual({ config: { destinations: [] }, problems: [] });
  });

  it('names the variable of every problem, never a value', () => {
    const { problems } = load({
      QUELL_PUBLIC_URL: 'quell.example.com',
      QUELL_NOTIFY_DESTINATIONS: 'Bad Name,ops,ops,hook,chat',
      QUELL_NOTIFY_OPS_TYPE: 'email',
      QUELL_NOTIFY_HOOK_TYPE: 'webhook',
      QUELL_NOTIFY_HOOK_URL: 'ftp://secret-host/very-secret-path',
      QUELL_NOTIFY_HOOK_SECRET: 'not-a-standard-secret-value',
      QUELL_NOTIFY_HOOK_ENVIRONMENTS: 'prod,production',
      QUELL_NOTIFY_CHAT_TYPE: 'slack',
      QUELL_NOTIFY_CHAT_SECRET: SECRET,
    });
    expect(problems).toEqual([
      'QUELL_PUBLIC_URL: is not a valid URL (like https://quell.example.com)',
      'QUELL_NOTIFY_DESTINATIONS: each name must be 1-40 lowercase letters, digits or hyphens, starting with a letter or digit',
      'QUELL_NOTIFY_OPS_TYPE: must be slack or webhook',
      'QUELL_NOTIFY_DESTINATIONS: ops is listed twice',
      'QUELL_NOTIFY_HOOK_URL: must be an http(s) URL',
      'QUELL_NOTIFY_HOOK_SECRET: must be a Standard Webhooks secret (whsec_ and the base64 of 24-64 random bytes)',
      'QUELL_NOTIFY_HOOK_ENVIRONMENTS: must be a comma-separated list of prod, staging, dev, test',
      'QUELL_NOTIFY_CHAT_URL: is required (or QUELL_NOTIFY_CHAT_URL_FILE)',
      'QUELL_NOTIFY_CHAT_SECRET: only webhook destinations are signed (a Slack URL is its own secret)',
    ]);
    expect(problems.join('\n')).not.toMatch(/secret-host|very-secret|not-a-standard/);
  });

  it('takes the URL from a file through the secret reader (QUELL_NOTIFY_<NAME>_URL_FILE)', () => {
    const file = path.join(dir, 'slack-url');
    writeFileSync(file, SLACK_URL);
    const { problems } = load({ QUELL_NOTIFY_DESTINATIONS: 'chat', QUELL_NOTIFY_CHAT_TYPE: 'slack', QUELL_NOTIFY_CHAT_URL_FILE: file });
    // The plain reader stands in 'from-file', which is not a URL: the problem names the variable only.
    expect(problems).toEqual(['QUELL_NOTIFY_CHAT_URL: is not a valid URL']);
  });
});
