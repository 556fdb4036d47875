import type { AppointmentContent } from '../../../../bot/web-protocol.ts';
import { el, srOnly } from '../dom.ts';
import { icon } from '../icons.ts';
import type { RenderContext } from './context.ts';

const SAFE_PROTOCOLS = new Set(['https:', 'http:', 'mailto:', 'tel:']);

/** A booked (or requested, or cancelled) appointment with its details and links. */
export function renderAppointmentCard(content: AppointmentContent, ctx: RenderContext): HTMLElement {
  const { t } = ctx;
  const links = content.links.flatMap((link) => {
    const href = safeUrl(link.url, ctx.origin);
    return href
      ? [el('a', { class: 'rdv-card-link', href, target: '_blank', rel: 'noopener noreferrer' }, link.label, srOnly(` ${t.newTab}`), icon('external', 16))]
      : [];
  });
  return el('div', { class: `rdv-card rdv-appointment rdv-appointment-${content.status}` },
    el('div', { class: 'rdv-card-head' },
      icon('calendar', 20),
      el('p', { class: 'rdv-card-title' }, content.title),
      el('span', { class: `rdv-badge rdv-badge-${content.status}` }, t.status[content.status])),
    content.lines.length > 0 && el('ul', { class: 'rdv-card-lines' }, ...content.lines.map((line) => el('li', {}, line))),
    links.length > 0 && el('div', { class: 'rdv-card-links' }, ...links));
}

/** Only web, mail and phone links: a `javascript:` URL from anywhere must not become clickable. */
function safeUrl(url: string, base: string): string | null {
  try {
    const parsed = new URL(url, base);
    return SAFE_PROTOCOLS.has(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}
