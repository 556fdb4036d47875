import { Router } from 'express';
import { AppError } from '../../../models/errors.ts';
import { cancelAppointment } from '../../../scheduling/booking.ts';
import { buildInvite } from '../../../notifications/calendar-invite.ts';
import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { notice } from './appointment-card.view.ts';
import { cancelFormBody } from './cancel.view.ts';
import { formBody } from './forms.ts';
import { manageBody } from './manage.view.ts';
import { openPage, refresh } from './open-link.ts';
import { actorOf, formTarget, keepLang, postedFromPage, sendAppointmentPage, type PagesEnv } from './page-context.ts';
import { secureHeaders } from './page-response.ts';
import { cancelledPage, changedPage, closedReason, proofRefused, tooLatePage } from './state-pages.ts';

/** The customer's pages: the appointment page, the calendar invite, joining online, cancelling. */
export function customerPageRoutes(env: PagesEnv): Router {
  const router = Router();

  // The customer's appointment page.
  router.get('/a/:token/manage', async (req, res) => {
    const c = await openPage(env, req, res, 'manage');
    if (!c) return;
    const t = LINK_PAGE_TEXTS[c.lang];
    const l = c.view.links;
    sendAppointmentPage(c, 200, t.yourAppointment, manageBody({
      view: c.view, lang: c.lang, closedReason: closedReason(c),
      links: { calendar: l.calendar, join: l.join, reschedule: keepLang(c, l.reschedule), cancel: keepLang(c, l.cancel) },
    }));
  });

  // The invite (calendar and manage tokens): a cancellation for cancelled appointments.
  router.get('/a/:token/invite.ics', async (req, res) => {
    const c = await openPage(env, req, res, 'invite.ics');
    if (!c) return;
    const invite = buildInvite(c.view, c.view.state === 'cancelled' ? 'CANCEL' : 'REQUEST', { now: env.now() });
    res.set({
      'Content-Type': invite.contentType,
      'Content-Disposition': `attachment; filename="${invite.filename}"`,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Robots-Tag': 'noindex, nofollow',
      'X-Content-Type-Options': 'nosniff',
    });
    res.status(200).send(invite.content);
  });

  // Joining an online appointment. For now this only hands the (checked) token to the chat on the
  // home page; the live-agent handoff work completes it (waiting room, video link). Nothing is
  // built here for the handoff itself.
  router.get('/a/:token/join', async (req, res) => {
    const c = await openPage(env, req, res, 'join');
    if (!c) return;
    if (c.view.state === 'cancelled') return cancelledPage(c, 200);
    secureHeaders(res);
    res.redirect(303, `/?join=${encodeURIComponent(c.token)}`);
  });

  router.get('/a/:token/cancel', async (req, res) => {
    const c = await openPage(env, req, res, 'cancel');
    if (!c) return;
    if (c.view.state === 'cancelled') return cancelledPage(c, 200);
    if (closedReason(c)) return tooLatePage(c, 200);
    const t = LINK_PAGE_TEXTS[c.lang];
    sendAppointmentPage(c, 200, t.cancelTitle, cancelFormBody({
      view: c.view, lang: c.lang, form: formTarget(c), keepHref: keepLang(c, c.view.links.manage),
    }));
  });

  router.post('/a/:token/cancel', formBody, async (req, res) => {
    const c = await openPage(env, req, res, 'cancel');
    if (!c) return;
    if (!postedFromPage(c)) return proofRefused(c);
    const t = LINK_PAGE_TEXTS[c.lang];
    const given = typeof req.body?.reason === 'string' ? req.body.reason.trim().slice(0, 500) : '';
    try {
      await cancelAppointment(env.booking, {
        brand: c.brand, appointmentId: c.view.id, reason: given || t.customerCancelReason, actor: actorOf(c),
        expectedVersion: c.claims.version,
      });
      env.changed(c.brand.id, c.view.id);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const fresh = await refresh(c);
      if (error.code === 'appointment_cancelled') return cancelledPage(fresh, 409);
      if (error.code === 'appointment_changed') return changedPage(fresh);
      if (error.code === 'change_too_late') return tooLatePage(fresh, 409);
      throw error;
    }
    const done = await refresh(c);
    const l = done.view.links;
    sendAppointmentPage(done, 200, t.cancelledDone, manageBody({
      view: done.view, lang: done.lang, closedReason: null,
      links: { calendar: l.calendar, join: l.join, reschedule: l.reschedule, cancel: l.cancel },
      banner: notice('ok', t.cancelledDone, t.cancelledDoneBody),
    }), { langSwitch: false });
  });

  return router;
}
