import { Router } from 'express';
import { z } from 'zod';
import {
  MESSAGE_EVENTS, TEMPLATE_CHANNELS, TEMPLATE_PARTIALS, TEMPLATE_VARIABLES, type MessageEvent, type TemplateChannel,
} from '../../notifications/templates.ts';
import { previewTemplate, resetTemplate, saveTemplate, templateSettings } from '../../notifications/template-settings.ts';
import { scopeOf, type ConsoleContext } from './console-context.ts';
import { staffOf } from './staff-auth.ts';

/** The brand's message templates: list, save, back to the default, preview (admins). */

const templateKey = z.object({
  event: z.enum(MESSAGE_EVENTS as [MessageEvent, ...MessageEvent[]]),
  locale: z.enum(['en', 'fr']),
  channel: z.enum(TEMPLATE_CHANNELS as [TemplateChannel, ...TemplateChannel[]]),
});
const templateText = {
  subject: z.string().max(300).nullable().default(null),
  body: z.string().max(50_000),
};
const templateBody = z.object(templateText).strict();
const previewBody = z.object({
  ...templateKey.shape,
  event: templateKey.shape.event.optional(),
  ...templateText,
  /** Preview with this appointment (in the user's scope) instead of the sample. */
  appointmentId: z.uuid().optional(),
}).strict();

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function consoleTemplateRoutes(ctx: ConsoleContext): Router {
  const { db, auth } = ctx;
  const router = Router();
  const admins = auth.requireStaff(['admin']);

  router.get('/templates', admins, async (req, res) => {
    const templates = (await templateSettings(db, staffOf(req).brandId)).map((t) => ({ ...t, updatedAt: iso(t.updatedAt) }));
    res.json({ events: MESSAGE_EVENTS, channels: TEMPLATE_CHANNELS, variables: TEMPLATE_VARIABLES, partials: TEMPLATE_PARTIALS, templates });
  });

  router.put('/templates/:event/:locale/:channel', admins, async (req, res) => {
    const key = templateKey.parse(req.params);
    const body = templateBody.parse(req.body);
    const saved = await saveTemplate(db, staffOf(req).brandId, key, body, ctx.now());
    res.json({ template: { ...saved, custom: true, updatedAt: iso(saved.updatedAt) } });
  });

  router.delete('/templates/:event/:locale/:channel', admins, async (req, res) => {
    const key = templateKey.parse(req.params);
    const fallback = await resetTemplate(db, staffOf(req).brandId, key);
    res.json({ template: { ...key, custom: false, ...fallback } });
  });

  router.post('/templates/preview', admins, async (req, res) => {
    const body = previewBody.parse(req.body);
    const preview = await previewTemplate(db, await scopeOf(db, req), body, { now: ctx.now(), publicUrl: ctx.publicUrl });
    res.json({ preview });
  });

  return router;
}
