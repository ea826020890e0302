// A faithful HTML rendering of a Slack Block Kit message (header, section text and fields, actions,
// context) for screenshots: what a phone's Slack shows for the message Quell sent.
import type { SlackBlock, SlackMessage, SlackText } from '@quell/bff/notify/slack';

/** The emoji shortcodes Quell's messages use, drawn inline (the test browser has no emoji font). */
const EMOJI: Record<string, string> = {
  rotating_light:
    '<svg class="emoji" viewBox="0 0 20 20" aria-label=":rotating_light:"><path d="M4 15 A6 6 0 0 1 16 15 Z" fill="#e01e2d"/><rect x="3" y="15" width="14" height="3" rx="1" fill="#9aa0a6"/><path d="M10 2v3M3 5l2 2M17 5l-2 2" stroke="#f5a623" stroke-width="1.6" stroke-linecap="round"/></svg>',
};
const emoji = (s: string) => s.replace(/:([a-z_]+):/g, (m, name: string) => EMOJI[name] ?? m);

const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Slack mrkdwn (already escaped for &, < and > by its sender) to HTML: *bold*, `code`, line breaks. */
function mrkdwn(s: string): string {
  return s
    .replace(/"/g, '&quot;')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
    .replace(/\n/g, '<br>');
}

const text = (t: SlackText) => (t.type === 'mrkdwn' ? mrkdwn(t.text) : html(t.text));

function block(b: SlackBlock): string {
  switch (b.type) {
    case 'header':
      return `<div class="header">${b.text.emoji ? emoji(html(b.text.text)) : html(b.text.text)}</div>`;
    case 'section':
      return `<div class="section">${b.text ? `<div>${text(b.text)}</div>` : ''}${b.fields ? `<div class="fields">${b.fields.map((f) => `<div>${text(f)}</div>`).join('')}</div>` : ''}</div>`;
    case 'actions':
      return `<div class="actions">${b.elements.map((e) => `<a class="button ${e.style ?? ''}" href="${html(e.url)}">${html(e.text.text)}</a>`).join('')}</div>`;
    case 'context':
      return `<div class="context">${b.elements.map(text).join(' ')}</div>`;
    case 'divider':
      return '<hr>';
  }
}

export function slackMessageHtml(message: SlackMessage, caption: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; background: #f4f4f5; font: 15px/1.46 -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: #1d1c1d; }
  .caption { padding: 10px 14px; font-size: 12px; color: #616061; }
  .channel { background: #fff; border-top: 1px solid #ddd; border-bottom: 1px solid #ddd; padding: 12px 14px; }
  .channel-name { font-weight: 700; font-size: 13px; color: #616061; margin-bottom: 10px; }
  .msg { display: flex; gap: 8px; }
  .avatar { width: 36px; height: 36px; border-radius: 6px; background: #0f766e; color: #fff; font-weight: 700; display: flex; align-items: center; justify-content: center; flex: none; }
  .who { font-weight: 900; } .app { font-size: 10px; background: #e8e8e8; color: #616061; border-radius: 2px; padding: 0 3px; margin-left: 4px; font-weight: 700; }
  .time { color: #616061; font-size: 12px; margin-left: 6px; }
  .emoji { width: 1.1em; height: 1.1em; vertical-align: -0.15em; }
  .header { font-size: 18px; font-weight: 900; margin: 4px 0 8px; }
  .section { margin: 6px 0; } .fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 12px; }
  code { font: 12px Menlo, Consolas, monospace; background: #f6f6f6; border: 1px solid #e0e0e0; color: #e01e5a; border-radius: 3px; padding: 1px 3px; }
  .actions { margin: 10px 0; } .button { display: inline-block; border: 1px solid #bbb; border-radius: 4px; padding: 4px 12px; font-weight: 700; color: #1d1c1d; text-decoration: none; font-size: 14px; }
  .button.danger { background: #e01e5a; border-color: #e01e5a; color: #fff; } .button.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
  .context { font-size: 12px; color: #616061; margin-top: 6px; word-break: break-all; }
  .preview { margin-top: 12px; font-size: 12px; color: #616061; border-top: 1px dashed #ccc; padding-top: 8px; }
</style></head><body>
<main id="shot"><div class="caption">${html(caption)}</div>
<div class="channel" id="message"><div class="channel-name"># incidents</div>
<div class="msg"><div class="avatar">Q</div><div style="min-width:0;flex:1">
<div><span class="who">Quell</span><span class="app">APP</span><span class="time">now</span></div>
${message.blocks.map(block).join('\n')}
<div class="preview">Notification text: ${emoji(mrkdwn(message.text))}</div>
</div></div></div></main></body></html>`;
}
