import type { ChatActivity } from '../../../../bot/web-protocol.ts';
import type { Labels } from '../../i18n.ts';
import { el, srOnly } from '../dom.ts';

/** One message's text: the customer's on the right, the bot's and agents' on the left. */
export function renderTextBubble(from: ChatActivity['from'], text: string, t: Labels, name?: string): HTMLElement {
  if (from === 'system') return el('p', { class: 'rdv-system' }, text);
  const sender = from === 'customer' ? t.you : from === 'agent' && name ? name : t.assistant;
  return el('p', { class: `rdv-bubble rdv-bubble-${from === 'customer' ? 'out' : 'in'}` }, srOnly(`${sender}: `), text);
}
