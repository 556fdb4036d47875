import type { AppointmentView } from '../../../notifications/appointment-view.ts';
import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { appointmentCard } from './appointment-card.view.ts';
import { html, type Html } from './html.ts';
import type { Lang } from './page-format.ts';

/** The store's page for a request: confirm it, or propose another time. */

export function staffConfirmBody(o: { view: AppointmentView; lang: Lang; action: string; proof: Html; rescheduleHref: string }): Html {
  const t = LINK_PAGE_TEXTS[o.lang];
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
