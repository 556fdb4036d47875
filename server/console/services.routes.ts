import { Router } from 'express';
import { z } from 'zod';
import { MODES, type Mode } from '../../models/catalogue.repository.ts';
import { listServiceRecords } from '../../models/service-settings.repository.ts';
import { changeService } from '../../scheduling/service-settings.ts';
import type { ConsoleContext } from './console-context.ts';
import { staffOf } from './staff-auth.ts';
import { serviceJson } from './settings-presenters.ts';

/** The brand's services: everyone lists them, admins change them. */

const idParam = z.object({ id: z.uuid() });

const localized = (max: number) =>
  z.object({ en: z.string().trim().min(1).max(max).optional(), fr: z.string().trim().min(1).max(max).optional() }).strict();

const servicePatch = z.object({
  names: localized(120).optional(),
  descriptions: z.object({ en: z.string().trim().max(1000).optional(), fr: z.string().trim().max(1000).optional() }).strict().optional(),
  durationMinutes: z.number().int().min(5).max(1440).optional(),
  bufferBeforeMinutes: z.number().int().min(0).max(240).optional(),
  bufferAfterMinutes: z.number().int().min(0).max(240).optional(),
  modes: z.array(z.enum(MODES as [Mode, ...Mode[]])).min(1).max(3)
    .refine((m) => new Set(m).size === m.length, 'must not repeat a mode').optional(),
  bookingMode: z.enum(['direct', 'request']).optional(),
  slotStepMinutes: z.number().int().min(5).max(240).nullable().optional(),
  position: z.number().int().min(0).max(10_000).optional(),
  active: z.boolean().optional(),
}).strict();

export function consoleServiceRoutes(ctx: ConsoleContext): Router {
  const { db, auth } = ctx;
  const router = Router();

  router.get('/services', async (req, res) => {
    res.json({ services: (await listServiceRecords(db, staffOf(req).brandId)).map(serviceJson) });
  });

  router.patch('/services/:id', auth.requireStaff(['admin']), async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = servicePatch.parse(req.body);
    res.json({ service: serviceJson(await changeService(db, staffOf(req).brandId, id, body)) });
  });

  return router;
}
