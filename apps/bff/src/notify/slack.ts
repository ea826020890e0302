// The Slack incoming-webhook message of an incident event: Block Kit that reads on a phone (a header
// that says what happened where, two short fields per row, a button to the audit entry), with `text`
// as the notification preview. Production is loud: a siren (:rotating_light:) and PRODUCTION in capitals in the header.
import type { IncidentEvent } from '@quell/contracts/events';
import type { KillOutcome } from '@quell/contracts/kill';

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export type SlackText = { type: 'plain_text'; text: string; emoji?: boolean } | { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: boolean } }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'actions'; elements: Array<{ type: 'button'; text: { type: 'plain_text'; text: string }; url: string; style?: 'primary' | 'danger' }> }
  | { type: 'divider' };

const TITLES: Record<IncidentEvent['type'], string> = {
  'kill.committed': 'Sessions killed',
  'kill.broad': 'Broad kill (DAS filter)',
  'kill.blind': 'Blind kill by session id',
  'throttle.created': 'SQL throttled',
  'throttle.expired': 'SQL throttle expired',
  'throttle.removed': 'SQL throttle removed',
  'approval.requested': 'Approval requested',
  'approval.granted': 'Approval granted',
  'approval.denied': 'Approval denied',
  'approval.expired': 'Approval request expired',
};

const OUTCOME_LABELS: Record<KillOutcome, string> = {
  killed: 'killed',
  'gone-before-kill': 'gone before the kill',
  'changed-skipped': 'skipped (changed)',
  'still-present': 'still present',
  'rolling-back': 'rolling back',
  failed: 'failed',
  'sent-unverified': 'sent (unverified)',
  unknown: 'unknown',
};

/** Slack mrkdwn control characters: user text (a reason, a pattern) must never become a mention or a link. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

function countsText(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${OUTCOME_LABELS[k as KillOutcome] ?? k}`);
  return parts.length ? parts.join(' · ') : 'no sessions';
}

export function slackMessage(e: IncidentEvent): SlackMessage {
  const prod = e.instance.environment === 'prod';
  const failed = e.status === 'failed';
  // Break-glass (an admin approved their own request) is said first, in the header and the phone's preview line.
  const breakGlass = e.approval?.breakGlass === true;
  const title = `${breakGlass ? 'BREAK-GLASS · ' : ''}${TITLES[e.type]}${failed ? ' (failed)' : ''}`;
  const where = e.instance.name;
  const header = prod || breakGlass ? `:rotating_light: ${prod ? 'PRODUCTION · ' : ''}${title} on ${where}` : `${title} on ${where}`;
  const fields: SlackText[] = [
    { type: 'mrkdwn', text: `*Instance*\n${escapeMrkdwn(where)} (${prod ? '*PROD*' : e.instance.environment})` },
    { type: 'mrkdwn', text: `*By*\n${escapeMrkdwn(e.actor)}` },
  ];
  if (e.counts) fields.push({ type: 'mrkdwn', text: `*Sessions*\n${escapeMrkdwn(countsText(e.counts))}` });
  if (e.throttle) {
    fields.push({ type: 'mrkdwn', text: `*Throttle*\nmax ${e.throttle.maxConcurrency} concurrent ${escapeMrkdwn(e.throttle.sqlType)}` });
    fields.push({ type: 'mrkdwn', text: `*Until*\n${e.throttle.expiresAt}` });
  }
  if (e.approval) {
    fields.push({ type: 'mrkdwn', text: `*Requested by*\n${escapeMrkdwn(e.approval.requester)}` });
    fields.push({ type: 'mrkdwn', text: `*Targets*\n${e.approval.targetCount} sessions` });
    if (e.approval.breakGlass) fields.push({ type: 'mrkdwn', text: '*Break-glass*\nan admin approved their own request' });
  }
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(header, 150), emoji: true } },
    { type: 'section', fields },
    { type: 'section', text: { type: 'mrkdwn', text: `*Reason*\n${escapeMrkdwn(clip(e.reason, 2800))}` } },
  ];
  if (e.throttle) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Pattern*\n\`${escapeMrkdwn(clip(e.throttle.pattern, 2800)).replace(/`/g, "'")}\`` } });
  if (e.approval?.comment) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Comment*\n${escapeMrkdwn(clip(e.approval.comment, 2800))}` } });
  if (e.link) blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: e.type.startsWith('approval.') ? 'Open the request in Quell' : 'Open the audit entry' }, url: e.link, ...(prod ? { style: 'danger' as const } : {}) }] });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Quell · ${e.type} · ${e.occurredAt}${e.auditId ? ` · audit ${e.auditId}` : ''}` }] });
  const preview = `${prod ? '[PROD] ' : ''}${title} on ${where} by ${e.actor}${e.counts ? `: ${countsText(e.counts)}` : ''}`;
  return { text: escapeMrkdwn(preview), blocks };
}
