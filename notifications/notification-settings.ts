import { z } from 'zod';
import type { Queryable } from '../models/database.ts';
import { storedNotificationSettings, storedServiceNotificationSettings } from '../models/notification-settings.repository.ts';

/**
 * What customers receive and when (product document 003), per brand (brands.settings.notifications)
 * with a per-service override (services.notification_settings, replacing the brand's keys one by
 * one). Every field has a default, so an empty object is valid.
 */

const MAX_OFFSET_MINUTES = 60 * 24 * 90;
const offsetMinutes = z.number().int().min(0).max(MAX_OFFSET_MINUTES);

/** An email reminder, sent offsetMinutes before the start. */
const reminderSchema = z.object({
  offsetMinutes,
  channel: z.literal('email').default('email'),
  enabled: z.boolean().default(true),
});

/** A follow-up email, sent offsetMinutes after the end; its default template is empty. */
const followUpSchema = z.object({
  offsetMinutes,
  enabled: z.boolean().default(true),
  /** Not sent when the customer has booked another appointment since this one was booked. */
  onlyIfNotRebooked: z.boolean().default(false),
});

export const notificationSettingsSchema = z.object({
  /** Up to three reminder emails; one, a day before, by default. */
  reminders: z.array(reminderSchema).max(3).default([{ offsetMinutes: 1440, channel: 'email', enabled: true }]),
  /**
   * One text reminder per appointment booked on the web, off by default. An appointment booked by SMS
   * or WhatsApp always gets one, on that channel, at offsetMinutes (see textReminderChannel).
   */
  smsReminder: z
    .object({
      enabled: z.boolean().default(false),
      channel: z.enum(['sms', 'whatsapp']).default('sms'),
      offsetMinutes: offsetMinutes.default(120),
    })
    .prefault({}),
  /** Up to six follow-up emails. */
  followUps: z.array(followUpSchema).max(6).default([{ offsetMinutes: 1440, enabled: true, onlyIfNotRebooked: false }]),
  /** Where confirmations (and the other customer messages about a booking) go besides email. */
  confirmationChannels: z
    .object({
      email: z.boolean().default(true),
      sms: z.boolean().default(false),
      whatsapp: z.boolean().default(false),
    })
    .prefault({}),
});

export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = notificationSettingsSchema.parse({});

const asObject = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * The brand's settings with the service's keys over them. Invalid stored settings fall back to
 * the brand's alone, then to the defaults: a bad setting must never stop a booking or its messages
 * (settings are validated with notificationSettingsSchema when written).
 */
export function resolveNotificationSettings(brandSettings: unknown, serviceSettings: unknown): NotificationSettings {
  const brand = asObject(brandSettings);
  for (const candidate of [{ ...brand, ...asObject(serviceSettings) }, brand]) {
    const parsed = notificationSettingsSchema.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  return DEFAULT_NOTIFICATION_SETTINGS;
}

/** The settings that apply to an appointment of this service. */
export async function loadNotificationSettings(db: Queryable, serviceId: string): Promise<NotificationSettings> {
  const stored = await storedServiceNotificationSettings(db, serviceId);
  return resolveNotificationSettings(stored?.brand, stored?.service);
}

/** The brand's own schedule as the console edits it: the defaults when none, or an invalid one, is stored. */
export async function brandNotificationSettings(db: Queryable, brandId: string): Promise<NotificationSettings> {
  const parsed = notificationSettingsSchema.safeParse((await storedNotificationSettings(db, brandId)) ?? {});
  return parsed.success ? parsed.data : DEFAULT_NOTIFICATION_SETTINGS;
}
