import { z } from 'zod';
import { isValidTimeZone } from '../scheduling/time-zones.ts';
import { MODES } from '../models/catalogue.repository.ts';
import { isSafeText, UNSAFE_TEXT_MESSAGE } from './safe-input.ts';

/** zod schemas for every HTTP body and query the API accepts. */

// ---- building blocks every schema uses (API, console, pages, webhooks) ----------------------------

/** Text that can be stored and shown: see isSafeText. */
export const text = () => z.string().refine(isSafeText, UNSAFE_TEXT_MESSAGE);

/**
 * The instants the product can mean. Anything outside (year 9999, year 0001) is a typo or a probe,
 * refused here rather than carried into date arithmetic and the database.
 */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(2101, 0, 1);
const OUT_OF_RANGE = 'must be between the years 1970 and 2100';
const inRange = (s: string) => {
  const ms = Date.parse(s);
  return ms >= EARLIEST && ms < LATEST;
};
const isoInstant = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();

/** An ISO 8601 instant with its offset (`2027-03-02T10:00:00+01:00` or `…Z`), as a Date. */
export const instant = isoInstant.refine(inRange, OUT_OF_RANGE).transform((s) => new Date(s));
/** A calendar date, YYYY-MM-DD (read in a time zone the caller knows). */
export const calendarDate = isoDate.refine(inRange, OUT_OF_RANGE);
/** A calendar date (read in the query's time zone) or an exact instant; kept as given. */
export const dateOrInstant = z.string().superRefine((s, ctx) => {
  if (!isoDate.safeParse(s).success && !isoInstant.safeParse(s).success) {
    ctx.addIssue({ code: 'custom', message: 'must be a date (YYYY-MM-DD) or an ISO 8601 instant with its offset' });
  } else if (!inRange(s)) {
    ctx.addIssue({ code: 'custom', message: OUT_OF_RANGE });
  }
});

// ---- the public API ------------------------------------------------------------------------------

export const timeZone = z.string().max(64).refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Paris');
export const mode = z.enum(MODES as [string, ...string[]]).transform((m) => m as (typeof MODES)[number]);
const ref = text().min(1).max(100);
const latitude = z.coerce.number().min(-90).max(90);
const longitude = z.coerce.number().min(-180).max(180);

export const home = z.object({
  address: text().trim().min(3).max(300),
  latitude,
  longitude,
});

export const storesQuery = z.object({
  brand: ref.optional(),
  near: text().trim().min(1).max(200).optional(),
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
  name: text().trim().min(1).max(120),
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
  notes: text().max(2000).default(''),
  channel: z.enum(['api', 'web', 'sms', 'whatsapp', 'console']).default('api'),
  conversationId: text().max(100).optional(),
  idempotencyKey: text().min(8).max(200).optional(),
}).strict();

/** Integrations act for the customer unless they say they act for staff. */
const onBehalfOf = z.enum(['customer', 'staff']).default('customer');

export const rescheduleBody = z.object({ start: instant, onBehalfOf }).strict();
export const cancelBody = z.object({ reason: text().trim().max(500).default(''), onBehalfOf }).strict();
export const statusBody = z.object({ statusId: z.uuid().optional(), reason: text().trim().max(500).optional() }).strict();
export const uuidParam = z.object({ id: z.uuid() });
