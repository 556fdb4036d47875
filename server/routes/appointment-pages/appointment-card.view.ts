import { formatStorePhone } from '../../../notifications/french-typography.ts';
import type { AppointmentView } from '../../../notifications/appointment-view.ts';
import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { html, type Html } from './html.ts';
import { capitalise, whenOf, type Lang } from './page-format.ts';

/** The blocks every appointment page is made of: notices, the status badge, the appointment's card, a message card. */

export type NoticeKind = 'info' | 'ok' | 'warn' | 'error';

export function notice(kind: NoticeKind, title: string | null, ...lines: (string | Html | null | undefined)[]): Html {
  const role = kind === 'error' || kind === 'warn' ? 'alert' : 'status';
  return html`<div class="notice ${kind}" role="${role}">${title ? html`<strong>${title}</strong>` : null}${lines
    .filter((l) => l)
    .map((l, i) => html`${i > 0 ? html`<br>` : null}${l}`)}</div>`;
}

export function badge(view: Pick<AppointmentView, 'state'>, lang: Lang): Html {
  const t = LINK_PAGE_TEXTS[lang];
  const label = view.state === 'confirmed' ? t.statusConfirmed : view.state === 'pending' ? t.statusPending : t.statusCancelled;
  return html`<span class="badge ${view.state}">${label}</span>`;
}

function placeFacts(view: AppointmentView, lang: Lang, staff: boolean): Html {
  const t = LINK_PAGE_TEXTS[lang];
  if (view.mode === 'at_home') {
    return html`<dt>${t.where}</dt><dd>${staff ? t.atCustomerHome : t.atHome}<span class="sub">${view.homeAddress ?? ''}</span></dd>`;
  }
  if (view.mode === 'online') {
    return html`<dt>${t.where}</dt><dd>${t.online}${view.store ? html`<span class="sub">${view.store.name}</span>` : null}</dd>`;
  }
  if (!view.store) return html``;
  const phone = view.store.phone;
  return html`<dt>${t.where}</dt><dd>${view.store.name}<span class="sub">${view.store.address}</span>${phone
    ? html`<span class="sub"><a href="tel:${phone}">${formatStorePhone(phone)}</a></span>` : null}</dd>`;
}

/** The details list; customer pages show the customer's zone first, staff pages the store's. */
export function facts(view: AppointmentView, lang: Lang, opts: { staff: boolean }): Html {
  const t = LINK_PAGE_TEXTS[lang];
  const customerZone = view.customerTimeZone;
  const storeZone = view.storeTimeZone;
  const firstZone = opts.staff ? storeZone ?? customerZone : customerZone;
  const secondZone = opts.staff ? customerZone : storeZone;
  const first = whenOf(view, lang, firstZone);
  const second = secondZone ? whenOf(view, lang, secondZone) : null;
  const showSecond = second !== null && (second.date !== first.date || second.time !== first.time);
  // The badge says "cancelled"; the reason is what is left to tell. The workflow stage of a
  // cancelled appointment ("Rejected" even when the customer cancelled) would only confuse.
  const cancelled = view.state === 'cancelled';
  const sameAsBadge = [LINK_PAGE_TEXTS.en.statusConfirmed, LINK_PAGE_TEXTS.fr.statusConfirmed].some((l) => l.toLowerCase() === view.statusName?.trim().toLowerCase());
  const showStage = Boolean(view.statusName) && !cancelled && !sameAsBadge;
  const reason = cancelled && view.cancellationReason ? html`<dt>${t.reason}</dt><dd>${view.cancellationReason}</dd>` : null;
  return html`<dl class="facts">
${opts.staff ? html`<dt>${t.customer}</dt><dd>${view.customer.name}</dd>
${view.customer.phone ? html`<dt>${t.phone}</dt><dd><a href="tel:${view.customer.phone}">${view.customer.phone}</a></dd>` : null}
${view.customer.email ? html`<dt>${t.email}</dt><dd><a href="mailto:${view.customer.email}">${view.customer.email}</a></dd>` : null}
<dt>${t.service}</dt><dd>${view.serviceName}</dd>` : null}
<dt>${t.when}</dt><dd>${capitalise(first.date)}<span class="sub">${first.time} (${first.zone})</span></dd>
${showSecond && second ? html`<dt>${opts.staff ? t.customerTime : t.storeTime}</dt><dd>${capitalise(second.date)}<span class="sub">${second.time} (${second.zone})</span></dd>` : null}
${placeFacts(view, lang, opts.staff)}
<dt>${opts.staff ? t.assignedAdvisor : t.advisor}</dt><dd>${view.staff.name}</dd>
${showStage ? html`<dt>${t.stage}</dt><dd>${view.statusName}</dd>` : null}
${reason}
${opts.staff && view.notes.trim() ? html`<dt>${t.notes}</dt><dd>${view.notes}</dd>` : null}
<dt>${t.reference}</dt><dd>${view.id.slice(0, 8).toUpperCase()}</dd>
</dl>`;
}

/** Heading card of an appointment: status badge, title, details. */
export function appointmentCard(view: AppointmentView, lang: Lang, opts: { staff: boolean; title?: string; actions?: Html | null }): Html {
  const t = LINK_PAGE_TEXTS[lang];
  const title = opts.title ?? (opts.staff ? (view.state === 'pending' ? t.requestTitle : t.appointmentTitle) : view.serviceName);
  const note = view.state === 'pending' && !opts.staff ? html`<p class="muted small">${t.pendingNote}</p>` : null;
  return html`<section class="card" aria-labelledby="appointment-title">
${badge(view, lang)}
<h1 id="appointment-title">${title}</h1>
${note}
${facts(view, lang, opts)}
${opts.actions ? html`<div class="actions">${opts.actions}</div>` : null}
</section>`;
}

/** Where a page's form posts, and the hidden proof that the page was rendered here (see forms.ts). */
export interface FormTarget {
  action: string;
  proof: Html;
}

/** The appointment's card, then a card with a form about it: a heading, a sentence, the fields and buttons. */
export function appointmentWithForm(o: {
  view: AppointmentView; lang: Lang; staff: boolean; id: string; title: string; intro: string; form: FormTarget; fields: Html;
}): Html {
  return html`${appointmentCard(o.view, o.lang, { staff: o.staff })}
<section class="card" aria-labelledby="${o.id}">
<h2 id="${o.id}">${o.title}</h2>
<p>${o.intro}</p>
<form method="post" action="${o.form.action}">
${o.form.proof}
${o.fields}
</form>
</section>`;
}

/** A plain message page: a heading, what happened, what to do, optional actions. */
export function messageBody(opts: { kind: NoticeKind; title: string; body: string; todo?: string | null; extra?: Html | null; actions?: Html | null }): Html {
  return html`<section class="card" aria-labelledby="message-title">
<h1 id="message-title">${opts.title}</h1>
<p class="lead">${opts.body}</p>
${opts.todo ? html`<p>${opts.todo}</p>` : null}
${opts.extra ?? null}
${opts.actions ? html`<div class="actions">${opts.actions}</div>` : null}
</section>`;
}
