import type { Labels } from '../../i18n.ts';
import type { Notice } from '../../store.ts';
import { button, el } from '../dom.ts';
import { icon } from '../icons.ts';

/** An error shown in the flow of the conversation; the visitor can carry on or dismiss it. */
export function renderNotice(notice: Notice, t: Labels, dismiss: (id: number) => void): HTMLElement {
  return el('div', { class: 'rdv-notice' },
    icon('alert', 18),
    el('p', {}, t.errors[notice.code]),
    button({ class: 'rdv-icon-button rdv-notice-close', 'aria-label': t.dismiss }, [icon('close', 16)], () => dismiss(notice.id)));
}
