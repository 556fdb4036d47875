import type { AppointmentView } from '../../../notifications/appointment-view.ts';
import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { appointmentCard, notice } from './appointment-card.view.ts';
import { html, type Html } from './html.ts';
import type { Lang } from './page-format.ts';

/** The customer's appointment page: the card, add to calendar, join, and reschedule / cancel while it may still change. */

export interface ManageOptions {
  view: AppointmentView;
  lang: Lang;
  /** Why changes are closed for the customer, or null when they may change it. */
  closedReason: string[] | null;
  links: { calendar: string; reschedule: string; cancel: string; join: string };
  banner?: Html | null;
  /** A first button (the new appointment page after a reschedule). */
  lead?: Html | null;
}

export function manageBody(o: ManageOptions): Html {
  const t = LINK_PAGE_TEXTS[o.lang];
  const { view } = o;
  const cancelled = view.state === 'cancelled';
  const calendar = html`<a class="button secondary" href="${o.links.calendar}" download>${cancelled ? t.updateCalendar : t.addToCalendar}</a>`;
  const join = view.mode === 'online' && !cancelled ? html`<a class="button secondary" href="${o.links.join}">${t.join}</a>` : null;
  let manage: Html;
  if (cancelled) {
    manage = html``;
  } else if (o.closedReason) {
    manage = html`<section class="card" aria-labelledby="manage-title"><h2 id="manage-title">${t.manageTitle}</h2>${notice('warn', null, ...o.closedReason)}</section>`;
  } else {
    manage = html`<section class="card" aria-labelledby="manage-title"><h2 id="manage-title">${t.manageTitle}</h2>
<div class="actions"><a class="button" href="${o.links.reschedule}">${t.reschedule}</a><a class="button quiet" href="${o.links.cancel}">${t.cancel}</a></div></section>`;
  }
  return html`${o.banner ?? null}${appointmentCard(view, o.lang, { staff: false, actions: html`${o.lead ?? null}${join}${calendar}` })}
${manage}`;
}
