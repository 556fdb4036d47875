import { z } from 'zod';

/**
 * A brand's settings (the `brands.settings` jsonb), read only through `readBrandSettings`: every
 * key has a default, and a stored value that does not fit falls back to it, so a bad setting
 * never stops a booking, a message or a hand-off (the console validates settings when written).
 */
const brandSettingsSchema = z.object({
  minNoticeMinutes: z.number().int().min(0).default(60).catch(60),
  maxHorizonDays: z.number().int().min(1).max(730).default(90).catch(90),
  holdMinutes: z.number().int().min(1).max(120).default(10).catch(10),
  slotStepMinutes: z.number().int().min(5).max(240).default(30).catch(30),
  /** Customers may cancel or reschedule up to this long before the start; staff may always. */
  customerChangeNoticeMinutes: z.number().int().min(0).default(120).catch(120),
  /** WhatsApp outside the 24-hour window: the approved template (Content SID) per kind of message ('reminder', 'chat'…). */
  whatsappTemplates: z.record(z.string(), z.string().regex(/^HX[0-9a-fA-F]{32}$/)).default({}).catch({}),
  /** Minutes before the start from which an appointment can be joined; unset: the server's default. */
  joinWindowMinutes: z.number().min(0).optional().catch(undefined),
  /** Where request notifications routed to headquarters go (blank: nowhere). */
  headquartersEmail: z.string().transform((email) => email.trim() || null).nullable().default(null).catch(null),
  /**
   * What customers receive and when, brand-wide: notifications/notification-settings.ts parses it
   * together with a service's override (its schema belongs to that domain).
   */
  notifications: z.record(z.string(), z.unknown()).default({}).catch({}),
});

export type BrandSettings = z.output<typeof brandSettingsSchema>;

/** The typed settings of a stored `brands.settings` value (anything but an object: all defaults). */
export function readBrandSettings(stored: unknown): BrandSettings {
  const parsed = brandSettingsSchema.safeParse(stored);
  return parsed.success ? parsed.data : brandSettingsSchema.parse({});
}
