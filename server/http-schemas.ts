import { z } from 'zod';
import { isValidTimeZone } from '../scheduling/time-zones.ts';
import { MODES } from '../models/catalogue.repository.ts';

/** zod schemas for every HTTP body and query the API accepts. */

export const timeZone = z.string().max(64).refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Paris');
export const mode = z.enum(MODES as [string, ...string[]]).transform((m) => m as (typeof MODES)[number]);
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
/** A calendar date (read in the query's time zone) or an exact instant. */
const dateOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
const ref = z.string().min(1).max(100);
const latitude = z.coerce.number().min(-90).max(90);
const longitude = z.coerce.number().min(-180).max(180);

export const home = z.object({
  address: z.string().trim().min(3).max(300),
  latitude,
  longitude,
});

export const storesQuery = z.object({
  brand: ref.optional(),
  near: z.string().trim().min(1).max(200).optional(),
  service: ref.optional(),
});

export const availabilityQuery = z.object({
  brand: ref.optional(),
  service: ref,
  mode,
  store: ref.optional(),
  lat: latitude.optional(),
  lng: longitude.optional(),
  from: dateOrInstant.optional(),
  to: dateOrInstant.optional(),
  tz: timeZone.optional(),
});

const slotFields = {
  service: ref,
  mode,
  store: ref.optional(),
  home: home.optional(),
  start: instant,
};

export const holdBody = z.object(slotFields).strict();

const contact = z.object({
  name: z.string().trim().min(1).max(120),
  email: z.email().max(254).optional(),
  phone: z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'must be in international format, e.g. +33612345678').optional(),
  locale: z.enum(['en', 'fr']).default('en'),
}).refine((c) => c.email || c.phone, { message: 'an email or a phone number is required', path: ['email'] });

export const appointmentBody = z.object({
  holdId: z.uuid().optional(),
  service: ref.optional(),
  mode: mode.optional(),
  store: ref.optional(),
  home: home.optional(),
  start: instant.optional(),
  customer: contact,
  timeZone: timeZone.optional(),
  notes: z.string().max(2000).default(''),
  channel: z.enum(['api', 'web', 'sms', 'whatsapp', 'console']).default('api'),
  conversationId: z.string().max(100).optional(),
  idempotencyKey: z.string().min(8).max(200).optional(),
}).strict();

/** Integrations act for the customer unless they say they act for staff. */
const onBehalfOf = z.enum(['customer', 'staff']).default('customer');

export const rescheduleBody = z.object({ start: instant, onBehalfOf }).strict();
export const cancelBody = z.object({ reason: z.string().trim().max(500).default(''), onBehalfOf }).strict();
export const statusBody = z.object({ statusId: z.uuid().optional(), reason: z.string().trim().max(500).optional() }).strict();
export const uuidParam = z.object({ id: z.uuid() });
