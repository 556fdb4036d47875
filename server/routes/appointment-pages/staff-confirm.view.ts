import type { AppointmentView } from '../../../notifications/appointment-view.ts';
import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { appointmentWithForm, type FormTarget } from './appointment-card.view.ts';
import { html, type Html } from './html.ts';
import type { Lang } from './page-format.ts';

/** The store's page for a request: confirm it, or propose another time. */

export function staffConfirmBody(o: { view: AppointmentView; lang: Lang; form: FormTarget; rescheduleHref: string }): Html {
  const t = LINK_PAGE_TEXTS[o.lang];
  return appointmentWithForm({
    view: o.view, lang: o.lang, staff: true, id: 'confirm-title', title: t.staffConfirmButton, intro: t.staffConfirmIntro, form: o.form,
    fields: html`<div class="actions"><button class="button" type="submit">${t.staffConfirmButton}</button><a class="button secondary" href="${o.rescheduleHref}">${t.staffProposeOther}</a></div>`,
  });
}
