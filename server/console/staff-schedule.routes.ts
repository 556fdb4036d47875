import { Router } from 'express';
import { z } from 'zod';
import type { WorkingHours } from '../../models/staff-profiles.repository.ts';
import { addTimeOff, removeTimeOff, replaceStaffHours, staffSchedule } from '../../scheduling/staff-schedule.ts';
import { instant } from '../http-schemas.ts';
import { appointmentListItem } from './appointment-queries.ts';
import { scopeOf, type ConsoleContext } from './console-context.ts';
import { hhmm, reportPeriods, time, weekday } from './periods.schema.ts';

/** A staff member's weekly hours and time off (admins; store managers for the staff of their stores). */

const uuid = z.uuid();
const idParam = z.object({ id: uuid });

const staffHoursBody = z.object({
  hours: z
    .array(z.object({ store: uuid, weekday, starts: time, ends: time }).strict())
    .max(70)
    .superRefine((rows, ctx) => reportPeriods(ctx, rows.map((r) => ({ group: r.weekday, start: r.starts, end: r.ends })), 'starts', 'ends')),
}).strict();

const timeOffBody = z.object({
  startsAt: instant,
  endsAt: instant,
  reason: z.string().trim().max(200).default(''),
}).strict().refine((t) => t.endsAt > t.startsAt, { path: ['endsAt'], message: 'must be after startsAt' });

const hoursJson = (hours: WorkingHours[]) =>
  hours.map((h) => ({ store: h.storeId, weekday: h.weekday, starts: hhmm(h.starts), ends: hhmm(h.ends) }));

const timeOffJson = (t: { id: string; startsAt: Date; endsAt: Date; reason: string }) =>
  ({ id: t.id, startsAt: t.startsAt.toISOString(), endsAt: t.endsAt.toISOString(), reason: t.reason });

export function consoleStaffScheduleRoutes(ctx: ConsoleContext): Router {
  const { db, auth } = ctx;
  const router = Router();
  const managers = auth.requireStaff(['admin', 'store_manager']);

  router.get('/staff/:id', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const s = await staffSchedule(db, await scopeOf(db, req), id, ctx.now());
    res.json({
      staff: {
        id: s.id, name: s.name, email: s.email, phone: s.phone, active: s.active,
        homeStoreId: s.homeStoreId, atHomeRadiusKm: s.atHomeRadiusKm, serviceIds: s.serviceIds,
        hours: hoursJson(s.hours),
        timeOff: s.timeOff.map(timeOffJson),
      },
    });
  });

  router.put('/staff/:id/hours', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = staffHoursBody.parse(req.body);
    const hours = body.hours.map((h) => ({ storeId: h.store, weekday: h.weekday, starts: h.starts, ends: h.ends }));
    res.json({ hours: hoursJson(await replaceStaffHours(db, await scopeOf(db, req), id, hours)) });
  });

  router.post('/staff/:id/time-off', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = timeOffBody.parse(req.body);
    const scope = await scopeOf(db, req);
    const { timeOff, conflictIds } = await addTimeOff(db, scope, id, body);
    const conflicts = await Promise.all(conflictIds.map((c) => appointmentListItem(db, scope.brandId, c)));
    res.status(201).json({ timeOff: timeOffJson(timeOff), conflicts });
  });

  router.delete('/staff/:id/time-off/:timeOffId', managers, async (req, res) => {
    const { id, timeOffId } = z.object({ id: uuid, timeOffId: uuid }).parse(req.params);
    await removeTimeOff(db, await scopeOf(db, req), id, timeOffId);
    res.status(204).end();
  });

  return router;
}
