import { Router } from 'express';
import type { Appointment } from '../../../models/appointments.repository.ts';
import { AppError } from '../../../models/errors.ts';
import { rescheduleAppointment } from '../../../scheduling/booking.ts';
import { changeStatus } from '../../../scheduling/status-workflow.ts';
import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { appointmentCard, notice } from './appointment-card.view.ts';
import { formBody } from './forms.ts';
import { html } from './html.ts';
import { manageBody } from './manage.view.ts';
import { openPage, refresh } from './open-link.ts';
import { instantLine } from './page-format.ts';
import { actorOf, formTarget, keepLang, postedFromPage, sendAppointmentPage, type PageAction, type PageContext, type PagesEnv } from './page-context.ts';
import { confirmMoveBody } from './reschedule.view.ts';
import { isFree, parseStart, pickerZone, sendPicker } from './slot-picker.ts';
import { cancelledPage, changedPage, closedReason, proofRefused, tooLatePage } from './state-pages.ts';

/**
 * Rescheduling, by the customer or the store: GET shows the picker, then (with ?start=) the move
 * to confirm; POST moves it. Staff may confirm a request in the same step.
 */

async function showReschedule(c: PageContext): Promise<void> {
  if (c.view.state === 'cancelled') return cancelledPage(c, 200);
  if (!c.staff && closedReason(c)) return tooLatePage(c, 200);
  const t = LINK_PAGE_TEXTS[c.lang];
  if (c.req.query.start === undefined) return sendPicker(c, 200, null);
  const start = parseStart(c.req.query.start);
  if (!start) return sendPicker(c, 400, notice('error', null, t.pickOne));
  if (start.getTime() === c.appointment.startAt.getTime()) return sendPicker(c, 200, notice('warn', null, t.slotSame));
  if (!(await isFree(c, start))) return sendPicker(c, 409, notice('error', null, t.slotGone));
  sendAppointmentPage(c, 200, t.confirmTitle, confirmMoveBody({
    view: c.view, lang: c.lang, staff: c.staff, zone: pickerZone(c), start,
    form: formTarget(c), backHref: keepLang(c, c.self),
  }), { extra: { start: start.toISOString() } });
}

async function doReschedule(c: PageContext): Promise<void> {
  const { booking, changed } = c.env;
  if (!postedFromPage(c)) return proofRefused(c);
  const t = LINK_PAGE_TEXTS[c.lang];
  const start = parseStart(c.req.body?.start);
  if (!start) return sendPicker(c, 400, notice('error', null, t.pickOne));
  if (start.getTime() === c.appointment.startAt.getTime()) return sendPicker(c, 400, notice('warn', null, t.slotSame));
  const previous = c.view;
  let moved: Appointment;
  try {
    moved = await rescheduleAppointment(booking, {
      brand: c.brand, appointmentId: c.view.id, start, actor: actorOf(c), expectedVersion: c.claims.version,
    });
    changed(c.brand.id, c.view.id);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === 'slot_unavailable') return sendPicker(c, 409, notice('error', null, t.slotTaken));
    const fresh = await refresh(c);
    if (error.code === 'appointment_cancelled') return cancelledPage(fresh, 409);
    if (error.code === 'appointment_changed') return changedPage(fresh);
    if (error.code === 'change_too_late') return tooLatePage(fresh, 409);
    throw error;
  }
  let confirmed = false;
  if (c.staff && moved.state === 'pending' && c.req.body?.confirm === 'yes') {
    try {
      await changeStatus(booking, { brand: c.brand, appointmentId: moved.id, reason: null, actor: actorOf(c), expectedVersion: moved.version });
      confirmed = true;
      changed(c.brand.id, moved.id);
    } catch (error) {
      // Moved, but confirming failed (confirmed meanwhile, say): the move stands; the page says where it stands.
      if (!(error instanceof AppError)) throw error;
    }
  }
  const done = await refresh(c);
  const zone = pickerZone(done);
  const was = instantLine(previous, done.lang, zone);
  if (c.staff) {
    const status = done.view.state === 'confirmed' ? (confirmed ? t.movedStaffConfirmed : null) : done.view.state === 'pending' ? t.movedStaffPending : null;
    sendAppointmentPage(done, 200, t.movedStaffTitle, html`${notice('ok', t.movedStaffTitle, `${t.was}${t.colon} ${was}`, status)}${appointmentCard(done.view, done.lang, { staff: true })}`,
      { langSwitch: false });
    return;
  }
  const l = done.view.links;
  sendAppointmentPage(done, 200, t.movedTitle, html`${manageBody({
    view: done.view, lang: done.lang, closedReason: closedReason(done),
    links: { calendar: l.calendar, join: l.join, reschedule: keepLang(done, l.reschedule), cancel: keepLang(done, l.cancel) },
    banner: notice('ok', t.movedTitle, `${t.was}${t.colon} ${was}`, t.movedBody),
    lead: html`<a class="button" href="${keepLang(done, l.manage)}">${t.viewAppointment}</a>`,
  })}`, { langSwitch: false });
}

export function reschedulePageRoutes(env: PagesEnv): Router {
  const router = Router();
  for (const page of ['reschedule', 'staff-reschedule'] as const satisfies readonly PageAction[]) {
    router.get(`/a/:token/${page}`, async (req, res) => {
      const c = await openPage(env, req, res, page);
      if (c) await showReschedule(c);
    });
    router.post(`/a/:token/${page}`, formBody, async (req, res) => {
      const c = await openPage(env, req, res, page);
      if (c) await doReschedule(c);
    });
  }
  return router;
}
