import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { appointmentCard, messageBody, notice } from './appointment-card.view.ts';
import { html, type Html } from './html.ts';
import { noticeText } from './page-format.ts';
import { keepLang, sendAppointmentPage, type PageContext } from './page-context.ts';

/**
 * The pages that say where an appointment stands instead of doing what the link asked: cancelled,
 * too late to change online, changed meanwhile, out-of-date link, refused form, already confirmed.
 */

const MINUTE = 60_000;

export function cancelledPage(c: PageContext, status: number): void {
  const t = LINK_PAGE_TEXTS[c.lang];
  const reason = c.view.cancellationReason ? `${t.reason}${t.colon} ${c.view.cancellationReason}` : null;
  sendAppointmentPage(c, status, t.cancelledTitle, html`${notice('error', t.cancelledTitle, reason, t.cancelledCannot)}${appointmentCard(c.view, c.lang, { staff: c.staff })}`);
}

/** Why the customer may no longer change it online, or null when they may. */
export function closedReason(c: PageContext): string[] | null {
  const t = LINK_PAGE_TEXTS[c.lang];
  const n = c.env.now().getTime();
  if (c.view.endAt.getTime() <= n) return [t.passed];
  const notice = c.brand.settings.customerChangeNoticeMinutes;
  if (c.view.startAt.getTime() - n >= notice * MINUTE) return null;
  const store = c.view.store;
  return [t.tooLate(noticeText(notice, c.lang)), store?.phone ? t.tooLateCall(store.name, store.phone) : t.tooLateContact];
}

export function tooLatePage(c: PageContext, status: number): void {
  const t = LINK_PAGE_TEXTS[c.lang];
  const reasons = closedReason(c) ?? [t.tooLate(noticeText(c.brand.settings.customerChangeNoticeMinutes, c.lang))];
  sendAppointmentPage(c, status, t.tooLateTitle, html`${notice('warn', t.tooLateTitle, ...reasons)}${appointmentCard(c.view, c.lang, { staff: false })}
<p><a class="button secondary" href="${keepLang(c, c.view.links.manage)}">${t.viewAppointment}</a></p>`);
}

/**
 * Where the appointment stands now, after a notice, with the way to its current page: the
 * customer's appointment page, or for staff the current version of the page they opened.
 */
function currentStatePage(c: PageContext, status: number, title: string, banner: Html): void {
  const t = LINK_PAGE_TEXTS[c.lang];
  const l = c.view.links;
  const current = c.staff ? (c.claims.action === 'staff-confirm' ? l.staffConfirm : l.staffReschedule) : l.manage;
  sendAppointmentPage(c, status, title, html`${banner}${appointmentCard(c.view, c.lang, { staff: c.staff })}
<p><a class="button" href="${keepLang(c, current)}">${c.staff ? t.openCurrent : t.viewAppointment}</a></p>`);
}

/** A change lost to another one made meanwhile (409): nothing was applied. */
export function changedPage(c: PageContext): void {
  const t = LINK_PAGE_TEXTS[c.lang];
  currentStatePage(c, 409, t.changedTitle, notice('warn', t.changedTitle, t.changedBody));
}

/** A link of an earlier version opened (410): it no longer acts. */
export function stalePage(c: PageContext): void {
  const t = LINK_PAGE_TEXTS[c.lang];
  currentStatePage(c, 410, t.staleTitle, notice('warn', t.staleTitle, t.staleBody, t.staleTodo));
}

/** A form posted without this page's proof (403): nothing was changed. */
export function proofRefused(c: PageContext): void {
  const t = LINK_PAGE_TEXTS[c.lang];
  sendAppointmentPage(c, 403, t.proofTitle, messageBody({
    kind: 'error', title: t.proofTitle, body: t.proofBody, todo: t.proofTodo,
    actions: html`<a class="button" href="${keepLang(c, c.self)}">${t.reload}</a>`,
  }), { langSwitch: false });
}

export function alreadyConfirmed(c: PageContext): void {
  const t = LINK_PAGE_TEXTS[c.lang];
  sendAppointmentPage(c, 200, t.alreadyConfirmed, html`${notice('info', t.alreadyConfirmed, t.alreadyConfirmedBody)}${appointmentCard(c.view, c.lang, { staff: true })}`);
}
