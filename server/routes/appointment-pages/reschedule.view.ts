import type { AppointmentView } from '../../../notifications/appointment-view.ts';
import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { badge, type FormTarget } from './appointment-card.view.ts';
import { hidden, html, type Html } from './html.ts';
import { capitalise, whenOf, zoneLabel, type Lang } from './page-format.ts';

/** Rescheduling, customer and staff alike: the picker of free times, then the summary to confirm the move. */

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
  const t = LINK_PAGE_TEXTS[o.lang];
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
  form: FormTarget;
  backHref: string;
}): Html {
  const t = LINK_PAGE_TEXTS[o.lang];
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
<form method="post" action="${o.form.action}">
${o.form.proof}
${hidden('start', o.start.toISOString())}
${alsoConfirm}
<div class="actions"><button class="button" type="submit">${o.staff ? t.staffMove : t.confirmMove}</button><a class="button quiet" href="${o.backHref}">${t.otherTime}</a></div>
</form>
</section>`;
}
