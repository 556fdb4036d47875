import type { AppointmentView } from '../../../notifications/appointment-view.ts';
import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { appointmentWithForm, type FormTarget } from './appointment-card.view.ts';
import { html, type Html } from './html.ts';
import type { Lang } from './page-format.ts';

/** The customer's "cancel your appointment?" form, with an optional reason. */

export function cancelFormBody(o: { view: AppointmentView; lang: Lang; form: FormTarget; keepHref: string }): Html {
  const t = LINK_PAGE_TEXTS[o.lang];
  return appointmentWithForm({
    view: o.view, lang: o.lang, staff: false, id: 'cancel-title', title: t.cancelTitle, intro: t.cancelIntro, form: o.form,
    fields: html`<label for="reason">${t.cancelReason} <span class="hint" id="reason-hint">${t.cancelReasonHint}</span></label>
<textarea id="reason" name="reason" maxlength="500" aria-describedby="reason-hint"></textarea>
<div class="actions"><button class="button danger" type="submit">${t.cancelConfirm}</button><a class="button quiet" href="${o.keepHref}">${t.keep}</a></div>`,
  });
}
