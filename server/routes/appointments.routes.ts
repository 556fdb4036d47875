import { Router, type Request } from 'express';
import { findAppointment, statusHistory } from '../../models/appointments.repository.ts';
import { errors } from '../../models/errors.ts';
import {
  bookAppointment, cancelAppointment, holdSlot, rescheduleAppointment, type BookingDeps,
} from '../../scheduling/booking.ts';
import { changeStatus } from '../../scheduling/status-workflow.ts';
import { actorFor, callerOf, requireApiKey } from '../auth.ts';
import { appointmentBody, cancelBody, holdBody, rescheduleBody, statusBody, uuidParam } from '../http-schemas.ts';
import { appointmentJson, holdJson } from '../presenters.ts';
import { slotRequest } from '../slot-request.ts';

/** Writes for the bot and integrations (brand API key). */
export function appointmentRoutes(deps: BookingDeps): Router {
  const { db } = deps;
  const router = Router();
  router.use(['/holds', '/appointments'], requireApiKey(db));

  router.post('/holds', async (req, res) => {
    const body = holdBody.parse(req.body);
    const { brand } = callerOf(req);
    const hold = await holdSlot(deps, await slotRequest(db, brand, body));
    res.status(201).json({ hold: holdJson(hold) });
  });

  router.post('/appointments', async (req, res) => {
    const body = appointmentBody.parse(req.body);
    const caller = callerOf(req);
    const { brand } = caller;
    if (body.holdId && (body.service || body.start)) throw errors.invalid('holdId', 'Give either holdId or a slot (service, mode, start), not both.');
    const idempotencyKey = req.get('idempotency-key') ?? body.idempotencyKey ?? null;
    const { appointment, replayed } = await bookAppointment(deps, {
      brand,
      holdId: body.holdId,
      slot: body.holdId ? undefined : await slotRequest(db, brand, body),
      customer: { name: body.customer.name, email: body.customer.email ?? null, phone: body.customer.phone ?? null, locale: body.customer.locale, timeZone: body.timeZone ?? null },
      customerTimeZone: body.timeZone ?? brand.timeZone,
      notes: body.notes,
      channel: body.channel,
      conversationId: body.conversationId ?? null,
      idempotencyKey,
      actor: actorFor(caller, 'customer'),
    });
    res.status(replayed ? 200 : 201).json({ appointment: appointmentJson(appointment), replayed });
  });

  router.get('/appointments/:id', async (req, res) => {
    const { id } = uuidParam.parse(req.params);
    const appointment = await findAppointment(db, callerOf(req).brand.id, id);
    if (!appointment) throw errors.notFound('Appointment');
    res.json({ appointment: appointmentJson(appointment, await statusHistory(db, id)) });
  });

  const target = (req: Request) => ({ caller: callerOf(req), id: uuidParam.parse(req.params).id });

  router.post('/appointments/:id/reschedule', async (req, res) => {
    const { caller, id } = target(req);
    const body = rescheduleBody.parse(req.body);
    const appointment = await rescheduleAppointment(deps, { brand: caller.brand, appointmentId: id, start: body.start, actor: actorFor(caller, body.onBehalfOf) });
    res.json({ appointment: appointmentJson(appointment) });
  });

  router.post('/appointments/:id/cancel', async (req, res) => {
    const { caller, id } = target(req);
    const body = cancelBody.parse(req.body);
    const appointment = await cancelAppointment(deps, { brand: caller.brand, appointmentId: id, reason: body.reason, actor: actorFor(caller, body.onBehalfOf) });
    res.json({ appointment: appointmentJson(appointment) });
  });

  router.post('/appointments/:id/status', async (req, res) => {
    const { caller, id } = target(req);
    const body = statusBody.parse(req.body);
    const appointment = await changeStatus(deps, { brand: caller.brand, appointmentId: id, statusId: body.statusId, reason: body.reason ?? null, actor: actorFor(caller, 'staff') });
    res.json({ appointment: appointmentJson(appointment) });
  });

  return router;
}
