import type { TypingEvent } from '../../../../bot/web-protocol.ts';
import type { Labels } from '../../i18n.ts';
import { el, srOnly } from '../dom.ts';

/** Three dots while the bot or an agent is composing. */
export function renderTypingIndicator(from: TypingEvent['from'], t: Labels): HTMLElement {
  return el('div', { class: 'rdv-row rdv-row-in' },
    el('p', { class: 'rdv-bubble rdv-bubble-in rdv-typing' },
      srOnly(from === 'agent' ? t.typingAgent : t.typingBot),
      el('span', { class: 'rdv-dot', 'aria-hidden': 'true' }),
      el('span', { class: 'rdv-dot', 'aria-hidden': 'true' }),
      el('span', { class: 'rdv-dot', 'aria-hidden': 'true' })));
}
