import { Router } from 'express';
import { AppError } from '../../../models/errors.ts';
import { changeStatus } from '../../../scheduling/status-workflow.ts';
import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { appointmentCard, notice } from './appointment-card.view.ts';
import { formBody } from './forms.ts';
import { html } from './html.ts';
import { openPage, refresh } from './open-link.ts';
import { actorOf, formTarget, keepLang, postedFromPage, sendAppointmentPage, type PagesEnv } from './page-context.ts';
import { staffConfirmBody } from './staff-confirm.view.ts';
import { alreadyConfirmed, cancelledPage, changedPage, proofRefused } from './state-pages.ts';

/** The store's page for a request: confirm it (once), or go to the staff reschedule page. */
export function staffPageRoutes(env: PagesEnv): Router {
  const router = Router();

  router.get('/a/:token/staff-confirm', async (req, res) => {
    const c = await openPage(env, req, res, 'staff-confirm');
    if (!c) return;
    if (c.view.state === 'cancelled') return cancelledPage(c, 200);
    if (c.view.state === 'confirmed') return alreadyConfirmed(c);
    sendAppointmentPage(c, 200, LINK_PAGE_TEXTS[c.lang].requestTitle, staffConfirmBody({
      view: c.view, lang: c.lang, form: formTarget(c), rescheduleHref: keepLang(c, c.view.links.staffReschedule),
    }));
  });

  router.post('/a/:token/staff-confirm', formBody, async (req, res) => {
    const c = await openPage(env, req, res, 'staff-confirm');
    if (!c) return;
    if (!postedFromPage(c)) return proofRefused(c);
    // Works once: a second submit (double click, back button, a forwarded link) changes nothing.
    if (c.view.state === 'cancelled') return cancelledPage(c, 409);
    if (c.view.state === 'confirmed') return alreadyConfirmed(c);
    try {
      await changeStatus(env.booking, {
        brand: c.brand, appointmentId: c.view.id, reason: null, actor: actorOf(c), expectedVersion: c.claims.version,
      });
      env.changed(c.brand.id, c.view.id);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const fresh = await refresh(c);
      // Confirmed by a concurrent submit between our read and our change.
      if ((error.code === 'conflict' || error.code === 'appointment_changed') && fresh.view.state === 'confirmed') return alreadyConfirmed(fresh);
      if (error.code === 'appointment_cancelled') return cancelledPage(fresh, 409);
      if (error.code === 'appointment_changed') return changedPage(fresh);
      throw error;
    }
    const done = await refresh(c);
    const t = LINK_PAGE_TEXTS[done.lang];
    sendAppointmentPage(done, 200, t.confirmedDone, html`${notice('ok', t.confirmedDone, t.confirmedDoneBody)}${appointmentCard(done.view, done.lang, { staff: true })}`,
      { langSwitch: false });
  });

  return router;
}
