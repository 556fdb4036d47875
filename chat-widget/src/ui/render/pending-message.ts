import type { Labels } from '../../i18n.ts';
import type { PendingMessage } from '../../store.ts';
import { button, el } from '../dom.ts';
import { renderTextBubble } from './text-bubble.ts';

/** A message on its way, or refused by the server with a way to try again. */
export function renderPendingMessage(message: PendingMessage, t: Labels, retry: (clientId: string) => void): HTMLElement {
  const status = message.status === 'sending'
    ? el('p', { class: 'rdv-meta' }, t.sending)
    : el('p', { class: 'rdv-meta rdv-meta-error' }, t.notSent, ' ',
      button({ class: 'rdv-inline-button' }, [t.retry], () => retry(message.clientId)));
  return el('div', { class: `rdv-row rdv-row-out rdv-pending-${message.status}` }, renderTextBubble('customer', message.text, t), status);
}
