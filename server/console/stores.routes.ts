import { Router } from 'express';
import { z } from 'zod';
import { changeStore, storeInScopeSettings, storesInScope } from '../../scheduling/store-settings.ts';
import { calendarDate, timeZone } from '../http-schemas.ts';
import { scopeOf, type ConsoleContext } from './console-context.ts';
import { reportPeriods, time, weekday } from './periods.schema.ts';
import { storeJson } from './settings-presenters.ts';

/** Stores in the user's scope: details (admins), opening hours and special days (and store managers of the store). */

const idParam = z.object({ id: z.uuid() });

const storeHoursSchema = z
  .array(z.object({ weekday, opens: time, closes: time }).strict())
  .max(70)
  .superRefine((rows, ctx) => reportPeriods(ctx, rows.map((r) => ({ group: r.weekday, start: r.opens, end: r.closes })), 'opens', 'closes'));

const specialDaysSchema = z
  .array(
    z.object({
      date: calendarDate,
      opens: time.nullable().default(null),
      closes: time.nullable().default(null),
      label: z.string().trim().max(100).default(''),
    }).strict(),
  )
  .max(400)
  .superRefine((rows, ctx) => {
    rows.forEach((r, i) => {
      if ((r.opens === null) !== (r.closes === null)) {
        ctx.addIssue({ code: 'custom', path: [i, r.opens === null ? 'opens' : 'closes'], message: 'give both opens and closes, or neither for a closed day' });
      }
    });
    const open = rows.flatMap((r, index) => (r.opens !== null && r.closes !== null ? [{ group: r.date, start: r.opens, end: r.closes, index }] : []));
    reportPeriods(ctx, open, 'opens', 'closes');
  });

const storePatch = z.object({
  name: z.string().trim().min(1).max(120).optional(),
  addressLine: z.string().trim().min(1).max(200).optional(),
  postcode: z.string().trim().min(1).max(20).optional(),
  city: z.string().trim().min(1).max(100).optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 country code such as FR').optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  timeZone: timeZone.optional(),
  email: z.email().max(254).nullable().optional(),
  phone: z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'must be in international format, e.g. +33142000001').nullable().optional(),
  notificationRouting: z.enum(['headquarters', 'store', 'salesman']).optional(),
  active: z.boolean().optional(),
  hours: storeHoursSchema.optional(),
  specialDays: specialDaysSchema.optional(),
}).strict();

export function consoleStoreRoutes(ctx: ConsoleContext): Router {
  const { db, auth } = ctx;
  const router = Router();

  router.get('/stores', async (req, res) => {
    res.json({ stores: (await storesInScope(db, await scopeOf(db, req))).map(storeJson) });
  });

  router.get('/stores/:id', async (req, res) => {
    const { id } = idParam.parse(req.params);
    res.json({ store: storeJson(await storeInScopeSettings(db, await scopeOf(db, req), id)) });
  });

  router.patch('/stores/:id', auth.requireStaff(['admin', 'store_manager']), async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = storePatch.parse(req.body);
    res.json({ store: storeJson(await changeStore(db, await scopeOf(db, req), id, body)) });
  });

  return router;
}
