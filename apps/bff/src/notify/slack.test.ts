import { describe, expect, it } from 'vitest';
import type { IncidentEvent } from '@quell/contracts/events';
import { escapeMrkdwn, slackMessage } from './slack.ts';

const kill = (over: Partial<IncidentEvent> = {}): IncidentEvent => ({
  id: '7b3c1a52-4a4e-4d5e-9a51-0d9a4d6c2f10',
  type: 'kill.committed',
  occurredAt: '2026-12-01T09:41:00.000Z',
  instance: { id: 'orders', name: 'orders-db', environment: 'prod' },
  actor: 'alice',
  reason: 'runaway report query',
  auditId: 'a-1',
  link: 'https://quell.example.com/audit?id=a-1',
  status: 'completed',
  counts: { killed: 3, 'gone-before-kill': 1, 'still-present': 0 },
  ...over,
});

const texts = (m: ReturnType<typeof slackMessage>) => JSON.stringify(m.blocks);

describe('the Slack message of an incident event', () => {
  it('says loudly when it is production: a siren and PRODUCTION in the header, [PROD] in the notification text, a red button', () => {
    const m = slackMessage(kill());
    expect(m.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: ':rotating_light: PRODUCTION · Sessions killed on orders-db', emoji: true } });
    expect(m.text).toBe('[PROD] Sessions killed on orders-db by alice: 3 killed · 1 gone before the kill');
    expect(m.blocks.find((b) => b.type === 'actions')).toEqual({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the audit entry' }, url: 'https://quell.example.com/audit?id=a-1', style: 'danger' }],
    });
  });

  it('is quiet for other environments, and has no button without a public URL', () => {
    const { link: _link, ...noLink } = kill({ instance: { id: 'main', name: 'main-db', environment: 'staging' } });
    const m = slackMessage(noLink);
    expect(m.blocks[0]).toMatchObject({ text: { text: 'Sessions killed on main-db' } });
    expect(m.text).not.toContain('PROD');
    expect(m.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(texts(m)).toContain('main-db (staging)');
  });

  it('shows the instance, the actor, the reason and the counts per outcome (zero counts left out)', () => {
    const t = texts(slackMessage(kill()));
    expect(t).toContain('*Instance*\\norders-db (*PROD*)');
    expect(t).toContain('*By*\\nalice');
    expect(t).toContain('*Reason*\\nrunaway report query');
    expect(t).toContain('*Sessions*\\n3 killed · 1 gone before the kill');
    expect(t).not.toContain('still present');
    expect(t).toContain('kill.committed · 2026-12-01T09:41:00.000Z · audit a-1');
  });

  it('names a failed kill, a broad and a blind kill', () => {
    expect(slackMessage(kill({ status: 'failed' })).blocks[0]).toMatchObject({ text: { text: ':rotating_light: PRODUCTION · Sessions killed (failed) on orders-db' } });
    expect(slackMessage(kill({ type: 'kill.broad' })).blocks[0]).toMatchObject({ text: { text: expect.stringContaining('Broad kill (DAS filter)') } });
    expect(slackMessage(kill({ type: 'kill.blind' })).blocks[0]).toMatchObject({ text: { text: expect.stringContaining('Blind kill by session id') } });
  });

  it('shows a throttle and an approval', () => {
    const { counts: _c, status: _s, ...base } = kill();
    const t = texts(slackMessage({ ...base, type: 'throttle.created', throttle: { id: 't-1', pattern: 'select~from~orders', sqlType: 'SELECT', maxConcurrency: 2, expiresAt: '2026-12-01T10:41:00.000Z' } }));
    expect(t).toContain('SQL throttled');
    expect(t).toContain('max 2 concurrent SELECT');
    expect(t).toContain('`select~from~orders`');
    const a = slackMessage({ ...base, type: 'approval.granted', actor: 'bob', approval: { id: 'ap-1', requester: 'alice', approver: 'bob', comment: 'looks right', breakGlass: true, targetCount: 40, expiresAt: '2026-12-01T09:51:00.000Z' } });
    expect(texts(a)).toContain('*Requested by*\\nalice');
    expect(texts(a)).toContain('40 sessions');
    expect(texts(a)).toContain('Break-glass');
    expect(texts(a)).toContain('looks right');
    expect(a.blocks.find((b) => b.type === 'actions')).toMatchObject({ elements: [{ text: { text: 'Open the request in Quell' } }] });
  });

  it('says break-glass first and with a siren, on any environment', () => {
    const { counts: _c, status: _s, ...base } = kill({ instance: { id: 'main', name: 'main-db', environment: 'staging' } });
    const approval = { id: 'ap-2', requester: 'root', approver: 'root', comment: 'db on fire, nobody awake', targetCount: 12, expiresAt: '2026-12-01T09:51:00.000Z' };
    const own = slackMessage({ ...base, type: 'approval.granted', actor: 'root', approval: { ...approval, breakGlass: true } });
    expect(own.blocks[0]).toMatchObject({ text: { text: ':rotating_light: BREAK-GLASS · Approval granted on main-db' } });
    expect(own.text.startsWith('BREAK-GLASS · Approval granted on main-db by root')).toBe(true);
    const other = slackMessage({ ...base, type: 'approval.granted', actor: 'bob', approval: { ...approval, approver: 'bob' } });
    expect(other.blocks[0]).toMatchObject({ text: { text: 'Approval granted on main-db' } });
  });

  it('escapes user text so a reason cannot mention the channel or make a link', () => {
    expect(escapeMrkdwn('<!channel> & <https://evil|click>')).toBe('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
    const m = slackMessage(kill({ reason: 'ping <!here>', actor: '<@U123>' }));
    expect(JSON.stringify(m)).not.toMatch(/<!here>|<@U123>/);
  });

  it('keeps the header within Slack\'s 150 characters', () => {
    // The longest title, failed, on prod, with an instance name as long as the inventory allows (100).
    const m = slackMessage(kill({ type: 'kill.blind', status: 'failed', instance: { id: 'x', name: 'n'.repeat(100), environment: 'prod' } }));
    const header = m.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBe(150);
    expect(header.text.text.endsWith('…')).toBe(true);
  });
});
