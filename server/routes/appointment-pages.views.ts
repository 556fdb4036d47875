import { DateTime } from 'luxon';
import { escapeHtml } from '../../notifications/transport.ts';
import { formatStorePhone } from '../../notifications/french-typography.ts';
import { safeZone, whenParts, type AppointmentView } from '../../notifications/appointment-view.ts';

/**
 * HTML of the pages signed links open (see appointment-pages.routes.ts): EN/FR texts, a layout
 * with no scripts (one stylesheet), and one function per page. Every interpolated value goes
 * through the `html` tag, which escapes it unless it is already markup made by the tag.
 */

export type Lang = 'en' | 'fr';

// ---- safe markup --------------------------------------------------------------------------------

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Piece = Html | string | number | null | undefined | false | Piece[];

function render(piece: Piece): string {
  if (piece === null || piece === undefined || piece === false) return '';
  if (piece instanceof Html) return piece.value;
  if (Array.isArray(piece)) return piece.map(render).join('');
  return escapeHtml(String(piece));
}

/** Markup with every interpolation escaped (Html values are kept as they are). */
export function html(strings: TemplateStringsArray, ...values: Piece[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

// ---- texts --------------------------------------------------------------------------------------

const EN = {
  langName: 'English',
  colon: ':',
  skip: 'Skip to content',
  footer: 'This page was opened from a personal link. Please do not share it: anyone who has it can change this appointment.',
  staffFooter: 'This page was opened from a link sent to the store. Please do not forward it outside your team.',
  invalidTitle: 'This link is invalid or has expired',
  invalidBody: 'The link may be incomplete (some email apps cut long links in two), or it is too old to be used.',
  invalidTodo: 'Open the most recent email or text message about this appointment and use its link. If that does not work either, please contact the store directly.',
  staleTitle: 'This link is out of date',
  staleBody: 'The appointment has changed since this link was sent, so this link can no longer change it. Here is where it stands now.',
  staleTodo: 'To make a change, open the current page below, or use the link in your latest email.',
  changedTitle: 'This appointment has just changed',
  changedBody: 'Another change was made to it at the same time (in another window or on another device, say), so yours was not applied. Here is where it stands now.',
  openCurrent: 'Open the current page',
  proofTitle: 'This form could not be accepted',
  proofBody: 'It was not sent from this page, or the page was opened too long ago. Nothing has been changed.',
  proofTodo: 'Please go back, reload the page and try again.',
  reload: 'Reload the page',
  errorTitle: 'Something went wrong',
  errorTodo: 'Nothing may have been changed. Please reload the page and try again, or contact the store.',
  statusConfirmed: 'Confirmed',
  statusPending: 'Unconfirmed — awaiting confirmation',
  statusCancelled: 'Cancelled',
  pendingNote: 'We have received your request. An advisor will confirm it shortly, and you will be told as soon as they do.',
  cancelledNote: 'This appointment has been cancelled.',
  reason: 'Reason',
  status: 'Status',
  stage: 'Stage',
  service: 'Appointment',
  when: 'When',
  storeTime: 'Store local time',
  customerTime: 'Customer local time',
  where: 'Where',
  advisor: 'Your advisor',
  assignedAdvisor: 'Assigned advisor',
  reference: 'Reference',
  customer: 'Customer',
  email: 'Email',
  phone: 'Phone',
  notes: 'Notes',
  atHome: 'At your home',
  atCustomerHome: "At the customer's home",
  online: 'Online (video call)',
  onlineHint: 'Join from this page when it is time.',
  callStore: 'Call the store',
  timeOf: (place: string) => `${place} time`,
  yourAppointment: 'Your appointment',
  addToCalendar: 'Add to calendar',
  updateCalendar: 'Update your calendar',
  join: 'Join the video call',
  reschedule: 'Reschedule',
  cancel: 'Cancel appointment',
  manageTitle: 'Need to change something?',
  tooLate: (notice: string) => `Online changes are possible up to ${notice} before the appointment.`,
  tooLateCall: (store: string, phone: string) => `To change it now, please call ${store} on ${phone}.`,
  tooLateContact: 'To change it now, please contact the store.',
  passed: 'This appointment has already taken place.',
  tooLateTitle: 'It is too late to change this appointment online',
  cancelledTitle: 'This appointment has been cancelled',
  cancelledCannot: 'A cancelled appointment cannot be changed. You are welcome to book a new one.',
  // cancel
  cancelTitle: 'Cancel your appointment?',
  cancelIntro: 'The time will be released for other customers. This cannot be undone.',
  cancelReason: 'Reason (optional)',
  cancelReasonHint: 'It helps the store, and it is shown to your advisor.',
  cancelConfirm: 'Yes, cancel the appointment',
  keep: 'No, keep it',
  cancelledDone: 'Your appointment has been cancelled',
  cancelledDoneBody: 'The time has been released. We have recorded the cancellation and will send you a confirmation.',
  customerCancelReason: 'Cancelled by the customer',
  // reschedule
  pickTitle: 'Choose a new time',
  pickIntro: (zone: string) => `Times are shown in ${zone}. Pick one to see a summary before anything changes.`,
  currentTime: 'Current time',
  noSlots: 'There is no free time in these two weeks.',
  earlier: '← Earlier dates',
  later: 'Later dates →',
  slotTaken: 'Sorry, that time was just taken by someone else. Please choose another one.',
  slotGone: 'That time is no longer available. Please choose another one.',
  slotSame: 'That is the current time of the appointment. Please choose another one.',
  pickOne: 'Please choose a time first.',
  confirmTitle: 'Confirm the new time',
  was: 'Before',
  becomes: 'New time',
  confirmMove: 'Confirm new time',
  otherTime: 'Choose another time',
  movedTitle: 'Your appointment has been moved',
  movedBody: 'We will send you a confirmation with the new time. Links in earlier emails no longer work: use this page or the new email.',
  viewAppointment: 'View your appointment',
  slotsOf: (day: string) => `Free times on ${day}`,
  // staff
  requestTitle: 'Appointment request',
  appointmentTitle: 'Appointment',
  staffConfirmIntro: 'Confirm the request to book it for the customer. If the time does not suit, call the customer first, then propose another time.',
  staffConfirmButton: 'Confirm appointment',
  staffProposeOther: 'Propose another time',
  confirmedDone: 'Confirmed; the customer has been told',
  confirmedDoneBody: 'The appointment is now confirmed and a confirmation is on its way to the customer.',
  alreadyConfirmed: 'This appointment is already confirmed',
  alreadyConfirmedBody: 'Nothing was changed: it had been confirmed before.',
  staffPickIntro: (zone: string) => `Times are shown in ${zone}. Agree on the new time with the customer first, then pick it.`,
  alsoConfirm: 'Also confirm the appointment',
  alsoConfirmHint: 'The customer receives one confirmation with the new time.',
  staffMove: 'Move the appointment',
  movedStaffTitle: 'Moved; the customer has been told',
  movedStaffConfirmed: 'The appointment is also confirmed.',
  movedStaffPending: 'It is still waiting for confirmation.',
};

type Texts = typeof EN;

const FR: Texts = {
  langName: 'Français',
  colon: '\u00a0:',
  skip: 'Aller au contenu',
  footer: 'Cette page a été ouverte depuis un lien personnel. Ne le partagez pas : toute personne qui l’a peut modifier ce rendez-vous.',
  staffFooter: 'Cette page a été ouverte depuis un lien envoyé au magasin. Ne le transférez pas en dehors de votre équipe.',
  invalidTitle: 'Ce lien n’est pas valide ou a expiré',
  invalidBody: 'Le lien est peut-être incomplet (certaines messageries coupent les liens longs) ou trop ancien pour être utilisé.',
  invalidTodo: 'Ouvrez le dernier e-mail ou SMS reçu au sujet de ce rendez-vous et utilisez son lien. Si cela ne fonctionne toujours pas, contactez directement le magasin.',
  staleTitle: 'Ce lien n’est plus à jour',
  staleBody: 'Le rendez-vous a changé depuis l’envoi de ce lien, qui ne permet donc plus de le modifier. Voici où il en est.',
  staleTodo: 'Pour le modifier, ouvrez la page à jour ci-dessous ou utilisez le lien de votre dernier e-mail.',
  changedTitle: 'Ce rendez-vous vient de changer',
  changedBody: 'Une autre modification y a été faite au même moment (dans une autre fenêtre ou sur un autre appareil, par exemple) ; la vôtre n’a pas été appliquée. Voici où il en est.',
  openCurrent: 'Ouvrir la page à jour',
  proofTitle: 'Ce formulaire n’a pas pu être accepté',
  proofBody: 'Il n’a pas été envoyé depuis cette page, ou la page a été ouverte il y a trop longtemps. Rien n’a été modifié.',
  proofTodo: 'Revenez en arrière, rechargez la page et réessayez.',
  reload: 'Recharger la page',
  errorTitle: 'Une erreur est survenue',
  errorTodo: 'Rien n’a peut-être été modifié. Rechargez la page et réessayez, ou contactez le magasin.',
  statusConfirmed: 'Confirmé',
  statusPending: 'Non confirmé — en attente de confirmation',
  statusCancelled: 'Annulé',
  pendingNote: 'Nous avons bien reçu votre demande. Un conseiller va la confirmer rapidement ; vous serez prévenu dès que ce sera fait.',
  cancelledNote: 'Ce rendez-vous a été annulé.',
  reason: 'Motif',
  status: 'Statut',
  stage: 'Étape',
  service: 'Rendez-vous',
  when: 'Quand',
  storeTime: 'Heure locale du magasin',
  customerTime: 'Heure locale du client',
  where: 'Où',
  advisor: 'Votre conseiller',
  assignedAdvisor: 'Conseiller assigné',
  reference: 'Référence',
  customer: 'Client',
  email: 'E-mail',
  phone: 'Téléphone',
  notes: 'Remarques',
  atHome: 'À votre domicile',
  atCustomerHome: 'Au domicile du client',
  online: 'En ligne (appel vidéo)',
  onlineHint: 'Rejoignez l’appel depuis cette page le moment venu.',
  callStore: 'Appeler le magasin',
  timeOf: (place: string) => `heure de ${place}`,
  yourAppointment: 'Votre rendez-vous',
  addToCalendar: 'Ajouter à l’agenda',
  updateCalendar: 'Mettre à jour votre agenda',
  join: 'Rejoindre l’appel vidéo',
  reschedule: 'Reprogrammer',
  cancel: 'Annuler le rendez-vous',
  manageTitle: 'Besoin de changer quelque chose ?',
  tooLate: (notice: string) => `Les modifications en ligne sont possibles jusqu’à ${notice} avant le rendez-vous.`,
  tooLateCall: (store: string, phone: string) => `Pour le modifier maintenant, appelez ${store} au ${phone}.`,
  tooLateContact: 'Pour le modifier maintenant, contactez le magasin.',
  passed: 'Ce rendez-vous a déjà eu lieu.',
  tooLateTitle: 'Il est trop tard pour modifier ce rendez-vous en ligne',
  cancelledTitle: 'Ce rendez-vous a été annulé',
  cancelledCannot: 'Un rendez-vous annulé ne peut plus être modifié. Vous pouvez en prendre un nouveau.',
  cancelTitle: 'Annuler votre rendez-vous ?',
  cancelIntro: 'Le créneau sera libéré pour d’autres clients. Cette action est définitive.',
  cancelReason: 'Motif (facultatif)',
  cancelReasonHint: 'Cela aide le magasin ; votre conseiller le verra.',
  cancelConfirm: 'Oui, annuler le rendez-vous',
  keep: 'Non, le garder',
  cancelledDone: 'Votre rendez-vous a été annulé',
  cancelledDoneBody: 'Le créneau a été libéré. Nous avons enregistré l’annulation et vous enverrons une confirmation.',
  customerCancelReason: 'Annulé par le client',
  pickTitle: 'Choisissez un nouvel horaire',
  pickIntro: (zone: string) => `Horaires en ${zone}. Choisissez-en un : un récapitulatif s’affichera avant toute modification.`,
  currentTime: 'Horaire actuel',
  noSlots: 'Aucun créneau libre sur ces deux semaines.',
  earlier: '← Dates précédentes',
  later: 'Dates suivantes →',
  slotTaken: 'Désolé, ce créneau vient d’être pris par quelqu’un d’autre. Choisissez-en un autre.',
  slotGone: 'Ce créneau n’est plus disponible. Choisissez-en un autre.',
  slotSame: 'C’est l’horaire actuel du rendez-vous. Choisissez-en un autre.',
  pickOne: 'Choisissez d’abord un horaire.',
  confirmTitle: 'Confirmez le nouvel horaire',
  was: 'Avant',
  becomes: 'Nouvel horaire',
  confirmMove: 'Confirmer le nouvel horaire',
  otherTime: 'Choisir un autre horaire',
  movedTitle: 'Votre rendez-vous a été déplacé',
  movedBody: 'Nous vous envoyons une confirmation avec le nouvel horaire. Les liens des e-mails précédents ne fonctionnent plus : utilisez cette page ou le nouvel e-mail.',
  viewAppointment: 'Voir votre rendez-vous',
  slotsOf: (day: string) => `Créneaux libres le ${day}`,
  requestTitle: 'Demande de rendez-vous',
  appointmentTitle: 'Rendez-vous',
  staffConfirmIntro: 'Confirmez la demande pour réserver le rendez-vous du client. Si l’horaire ne convient pas, appelez d’abord le client, puis proposez un autre horaire.',
  staffConfirmButton: 'Confirmer le rendez-vous',
  staffProposeOther: 'Proposer un autre horaire',
  confirmedDone: 'Confirmé ; le client a été prévenu',
  confirmedDoneBody: 'Le rendez-vous est confirmé et une confirmation part vers le client.',
  alreadyConfirmed: 'Ce rendez-vous est déjà confirmé',
  alreadyConfirmedBody: 'Rien n’a été modifié : il avait déjà été confirmé.',
  staffPickIntro: (zone: string) => `Horaires en ${zone}. Convenez d’abord du nouvel horaire avec le client, puis choisissez-le.`,
  alsoConfirm: 'Confirmer aussi le rendez-vous',
  alsoConfirmHint: 'Le client reçoit une seule confirmation avec le nouvel horaire.',
  staffMove: 'Déplacer le rendez-vous',
  movedStaffTitle: 'Déplacé ; le client a été prévenu',
  movedStaffConfirmed: 'Le rendez-vous est aussi confirmé.',
  movedStaffPending: 'Il est toujours en attente de confirmation.',
};

export const TEXTS: Record<Lang, Texts> = { en: EN, fr: FR };

// ---- formatting ---------------------------------------------------------------------------------

/** "Paris time" / "heure de Paris" from an IANA zone. */
export function zoneLabel(zone: string, lang: Lang): string {
  const z = safeZone(zone);
  if (z === 'UTC') return 'UTC';
  const place = (z.split('/').pop() ?? z).replace(/_/g, ' ');
  return TEXTS[lang].timeOf(place);
}

/** "2 hours" / "2 heures" / "90 minutes". */
export function noticeText(minutes: number, lang: Lang): string {
  if (minutes >= 60 && minutes % 60 === 0) {
    const h = minutes / 60;
    return lang === 'fr' ? `${h} heure${h > 1 ? 's' : ''}` : `${h} hour${h > 1 ? 's' : ''}`;
  }
  return `${minutes} minute${minutes > 1 ? 's' : ''}`;
}

export interface When {
  date: string;
  time: string;
  zone: string;
}

/** The appointment's date and times in a zone, in the page's language. */
export function whenOf(view: AppointmentView, lang: Lang, zone: string): When {
  const p = whenParts({ ...view, locale: lang }, zone);
  const time = p.endDate === p.date ? `${p.time}–${p.endTime}` : `${p.time} – ${p.endDate}, ${p.endTime}`;
  return { date: p.date, time, zone: zoneLabel(p.timeZone, lang) };
}

/** A single instant as "Tuesday 2 March 2027, 10:00". */
export function instantText(at: Date, lang: Lang, zone: string): string {
  return DateTime.fromJSDate(at, { zone: safeZone(zone) }).setLocale(lang).toFormat('cccc d LLLL yyyy, HH:mm');
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

// ---- layout -------------------------------------------------------------------------------------

export interface PageFrame {
  lang: Lang;
  title: string;
  brandName: string | null;
  /** Links to this page in each language; null hides the switch (POST results). */
  langLinks: Record<Lang, string> | null;
  cssHref: string;
  staff?: boolean;
  /** The "personal link" reminder; off for pages reached without a valid link. */
  footer?: boolean;
}

export function layout(frame: PageFrame, body: Html): string {
  const t = TEXTS[frame.lang];
  const other: Lang = frame.lang === 'en' ? 'fr' : 'en';
  const switcher = frame.langLinks
    ? html`<nav class="lang" aria-label="Language / Langue"><a href="${frame.langLinks[other]}" hreflang="${other}" lang="${other}">${TEXTS[other].langName}</a></nav>`
    : null;
  return `<!doctype html>${html`<html lang="${frame.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${frame.title}${frame.brandName ? ` — ${frame.brandName}` : ''}</title>
<link rel="stylesheet" href="${frame.cssHref}">
</head>
<body>
<a class="skip" href="#main">${t.skip}</a>
<header class="top"><div class="top-inner">
<span class="brand">${frame.brandName ?? 'Rendezvous'}</span>
${switcher}
</div></header>
<main id="main" tabindex="-1">
${body}
</main>
${frame.footer === false ? null : html`<footer class="foot"><p>${frame.staff ? t.staffFooter : t.footer}</p></footer>`}
</body>
</html>`.value}\n`;
}

// ---- building blocks ----------------------------------------------------------------------------

export type NoticeKind = 'info' | 'ok' | 'warn' | 'error';

export function notice(kind: NoticeKind, title: string | null, ...lines: (string | Html | null | undefined)[]): Html {
  const role = kind === 'error' || kind === 'warn' ? 'alert' : 'status';
  return html`<div class="notice ${kind}" role="${role}">${title ? html`<strong>${title}</strong>` : null}${lines
    .filter((l) => l)
    .map((l, i) => html`${i > 0 ? html`<br>` : null}${l}`)}</div>`;
}

export function badge(view: Pick<AppointmentView, 'state'>, lang: Lang): Html {
  const t = TEXTS[lang];
  const label = view.state === 'confirmed' ? t.statusConfirmed : view.state === 'pending' ? t.statusPending : t.statusCancelled;
  return html`<span class="badge ${view.state}">${label}</span>`;
}

function placeFacts(view: AppointmentView, lang: Lang, staff: boolean): Html {
  const t = TEXTS[lang];
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
  const t = TEXTS[lang];
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
  const sameAsBadge = [TEXTS.en.statusConfirmed, TEXTS.fr.statusConfirmed].some((l) => l.toLowerCase() === view.statusName?.trim().toLowerCase());
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
  const t = TEXTS[lang];
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

export function hidden(name: string, value: string): Html {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

// ---- pages --------------------------------------------------------------------------------------

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
  const t = TEXTS[o.lang];
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

export function cancelFormBody(o: { view: AppointmentView; lang: Lang; action: string; proof: Html; keepHref: string }): Html {
  const t = TEXTS[o.lang];
  return html`${appointmentCard(o.view, o.lang, { staff: false })}
<section class="card" aria-labelledby="cancel-title">
<h2 id="cancel-title">${t.cancelTitle}</h2>
<p>${t.cancelIntro}</p>
<form method="post" action="${o.action}">
${o.proof}
<label for="reason">${t.cancelReason} <span class="hint" id="reason-hint">${t.cancelReasonHint}</span></label>
<textarea id="reason" name="reason" maxlength="500" aria-describedby="reason-hint"></textarea>
<div class="actions"><button class="button danger" type="submit">${t.cancelConfirm}</button><a class="button quiet" href="${o.keepHref}">${t.keep}</a></div>
</form>
</section>`;
}

export interface PickerDay {
  date: string;
  label: string;
  slots: { start: string; time: string; href: string }[];
}

export function pickerBody(o: {
  view: AppointmentView;
  lang: Lang;
  staff: boolean;
  zone: string;
  days: PickerDay[];
  earlierHref: string | null;
  laterHref: string | null;
  banner?: Html | null;
  backHref: string | null;
}): Html {
  const t = TEXTS[o.lang];
  const current = whenOf(o.view, o.lang, o.zone);
  const days = o.days.length === 0
    ? html`<p class="card">${t.noSlots}</p>`
    : html`<div class="days">${o.days.map((d) => html`<section class="day" aria-labelledby="day-${d.date}">
<h2 id="day-${d.date}">${capitalise(d.label)}</h2>
<ul class="slots" aria-label="${t.slotsOf(d.label)}">${d.slots.map((s) => html`<li><a class="slot" href="${s.href}" aria-label="${d.label}, ${s.time}">${s.time}</a></li>`)}</ul>
</section>`)}</div>`;
  const pager = o.earlierHref || o.laterHref
    ? html`<nav class="pager" aria-label="${t.pickTitle}">${o.earlierHref ? html`<a class="button quiet" href="${o.earlierHref}">${t.earlier}</a>` : null}${o.laterHref
      ? html`<a class="button quiet next" href="${o.laterHref}">${t.later}</a>` : null}</nav>`
    : null;
  return html`${o.banner ?? null}<section class="card" aria-labelledby="pick-title">
${badge(o.view, o.lang)}
<h1 id="pick-title">${t.pickTitle}</h1>
<p>${o.view.serviceName} · ${o.view.staff.name}</p>
<p class="muted small">${t.currentTime}${t.colon} ${current.date}, ${current.time}</p>
<p class="muted small">${o.staff ? t.staffPickIntro(zoneLabel(o.zone, o.lang)) : t.pickIntro(zoneLabel(o.zone, o.lang))}</p>
</section>
${days}
${pager}
${o.backHref ? html`<p><a href="${o.backHref}">${o.staff ? t.staffConfirmButton : t.viewAppointment}</a></p>` : null}`;
}

export function confirmMoveBody(o: {
  view: AppointmentView;
  lang: Lang;
  staff: boolean;
  zone: string;
  start: Date;
  action: string;
  proof: Html;
  backHref: string;
}): Html {
  const t = TEXTS[o.lang];
  const was = whenOf(o.view, o.lang, o.zone);
  const end = new Date(o.start.getTime() + (o.view.endAt.getTime() - o.view.startAt.getTime()));
  const next = whenOf({ ...o.view, startAt: o.start, endAt: end }, o.lang, o.zone);
  const alsoConfirm = o.staff && o.view.state === 'pending'
    ? html`<label class="check"><input type="checkbox" name="confirm" value="yes" checked aria-describedby="confirm-hint"><span>${t.alsoConfirm}<span class="hint" id="confirm-hint">${t.alsoConfirmHint}</span></span></label>`
    : null;
  return html`<section class="card" aria-labelledby="confirm-title">
${badge(o.view, o.lang)}
<h1 id="confirm-title">${t.confirmTitle}</h1>
<p>${o.view.serviceName}${o.staff ? ` · ${o.view.customer.name}` : ''}</p>
<div class="change">
<p><span class="muted small">${t.was}${t.colon}</span> <span class="was">${was.date}, ${was.time}</span></p>
<p><span class="muted small">${t.becomes}${t.colon}</span><br><span class="now">${capitalise(next.date)}, ${next.time}</span><br><span class="muted small">${next.zone}</span></p>
</div>
<form method="post" action="${o.action}">
${o.proof}
${hidden('start', o.start.toISOString())}
${alsoConfirm}
<div class="actions"><button class="button" type="submit">${o.staff ? t.staffMove : t.confirmMove}</button><a class="button quiet" href="${o.backHref}">${t.otherTime}</a></div>
</form>
</section>`;
}

export function staffConfirmBody(o: { view: AppointmentView; lang: Lang; action: string; proof: Html; rescheduleHref: string }): Html {
  const t = TEXTS[o.lang];
  return html`${appointmentCard(o.view, o.lang, { staff: true })}
<section class="card" aria-labelledby="confirm-title">
<h2 id="confirm-title">${t.staffConfirmButton}</h2>
<p>${t.staffConfirmIntro}</p>
<form method="post" action="${o.action}">
${o.proof}
<div class="actions"><button class="button" type="submit">${t.staffConfirmButton}</button><a class="button secondary" href="${o.rescheduleHref}">${t.staffProposeOther}</a></div>
</form>
</section>`;
}
