import type { AppointmentView } from '../../../notifications/appointment-view.ts';
import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { appointmentCard } from './appointment-card.view.ts';
import { html, type Html } from './html.ts';
import type { Lang } from './page-format.ts';

/** The customer's "cancel your appointment?" form, with an optional reason. */

export function cancelFormBody(o: { view: AppointmentView; lang: Lang; action: string; proof: Html; keepHref: string }): Html {
  const t = LINK_PAGE_TEXTS[o.lang];
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
