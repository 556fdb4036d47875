import { Router } from 'express';
import { storeNotificationSettings } from '../../models/notification-settings.repository.ts';
import {
  DEFAULT_NOTIFICATION_SETTINGS, brandNotificationSettings, notificationSettingsSchema,
} from '../../notifications/notification-settings.ts';
import type { ConsoleContext } from './console-context.ts';
import { staffOf } from './staff-auth.ts';

/** The brand's notification schedule (product document 003): admins only. */
export function consoleNotificationSettingsRoutes(ctx: ConsoleContext): Router {
  const { db, auth } = ctx;
  const router = Router();
  const admins = auth.requireStaff(['admin']);

  router.get('/settings/notifications', admins, async (req, res) => {
    res.json({ notifications: await brandNotificationSettings(db, staffOf(req).brandId), defaults: DEFAULT_NOTIFICATION_SETTINGS });
  });

  router.put('/settings/notifications', admins, async (req, res) => {
    const settings = notificationSettingsSchema.parse(req.body ?? {});
    await storeNotificationSettings(db, staffOf(req).brandId, settings);
    res.json({ notifications: settings });
  });

  return router;
}
