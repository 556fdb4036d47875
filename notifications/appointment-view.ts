import type { Queryable } from '../models/database.ts';
import { readBrandSettings } from '../models/brand-settings.ts';
import { findAppointmentViewRow, type AppointmentViewRow } from '../models/appointment-views.repository.ts';
import type { SignedLinks } from './signed-links.ts';
import { isUuid } from '../models/ids.ts';
import { isValidTimeZone, zonedDateTime } from '../scheduling/time-zones.ts';

/**
 * Everything a message, an invite or a page says about one appointment, in one object: the single
 * source every notification renders from. Built fresh from the database each time, so a message
 * sent after a reschedule always shows the new time and carries links signed for it.
 */
export interface AppointmentView {
  id: string;
  brandId: string;
  brandName: string;
  /** settings.headquartersEmail of the brand, when it has one (request notifications routed to headquarters). */
  brandHeadquartersEmail: string | null;
  /** The customer's locale. */
  locale: 'en' | 'fr';
  state: 'pending' | 'confirmed' | 'cancelled';
  /** Name of the custom workflow status (product document 001), when the service uses one. */
  statusName: string | null;
  cancellationReason: string | null;
  /** In the customer's locale (falling back to English, then the slug). */
  serviceName: string;
  /** In each language the service has: staff read it in theirs. */
  serviceNames: Partial<Record<'en' | 'fr', string>>;
  /** A cancelled appointment cancelled by the customer themselves (no apology then). */
  cancelledByCustomer: boolean;
  serviceSlug: string;
  mode: 'in_store' | 'online' | 'at_home';
  durationMinutes: number;
  startAt: Date;
  endAt: Date;
  customerTimeZone: string;
  storeTimeZone: string | null;
  store: {
    name: string;
    /** One line: street, postcode and city in the country's usual order. */
    address: string;
    phone: string | null;
    email: string | null;
    notificationRouting: 'headquarters' | 'store' | 'salesman';
  } | null;
  homeAddress: string | null;
  staff: { id: string; name: string; email: string | null };
  customer: { id: string; name: string; email: string | null; phone: string | null };
  notes: string;
  /** appointments.version: grows with every change, used as the iCalendar SEQUENCE. */
  sequence: number;
  conversationId: string | null;
  /** Signed for the current start time: a reschedule makes earlier links stale. */
  links: {
    manage: string;
    calendar: string;
    join: string;
    reschedule: string;
    cancel: string;
    staffConfirm: string;
    staffReschedule: string;
  };
}


/** Countries that write the city before the postcode ("New York 10012", "London SW1A 1AA"). */
const CITY_FIRST = new Set(['US', 'CA', 'GB', 'IE', 'AU', 'NZ']);

function storeAddress(line: string, postcode: string, city: string, country: string): string {
  const locality = CITY_FIRST.has(country) ? `${city} ${postcode}` : `${postcode} ${city}`;
  return `${line}, ${locality.trim()}`;
}

/** The appointment as every message and page shows it; null when there is no such appointment. */
export async function loadAppointmentView(db: Queryable, appointmentId: string, links: SignedLinks): Promise<AppointmentView | null> {
  return (await loadNotificationContext(db, appointmentId, links))?.view ?? null;
}

/** The view with what notifying about it also needs, read in the same query. */
export interface NotificationContext {
  view: AppointmentView;
  /** The brand's locale, which staff messages are written in. */
  brandLocale: 'en' | 'fr';
  /** The stored notification settings of the brand and of the service (resolveNotificationSettings reads them). */
  storedSettings: { brand: unknown; service: unknown };
}

export async function loadNotificationContext(db: Queryable, appointmentId: string, links: SignedLinks): Promise<NotificationContext | null> {
  if (!isUuid(appointmentId)) return null;
  const r = await findAppointmentViewRow(db, appointmentId);
  return r ? notificationContextOf(r, links) : null;
}

/** The context of an appointment's view row read with something else (a booked event: models/booking-outbox.repository.ts). */
export function notificationContextOf(r: AppointmentViewRow, links: SignedLinks): NotificationContext {
  return {
    view: viewOf(r, links),
    brandLocale: r.brand_default_locale,
    storedSettings: { brand: readBrandSettings(r.brand_settings).notifications, service: r.service_notification_settings },
  };
}

function viewOf(r: AppointmentViewRow, links: SignedLinks): AppointmentView {
  const locale: 'en' | 'fr' = r.locale === 'fr' ? 'fr' : 'en';
  const startAt = new Date(r.start_at);
  const endAt = new Date(r.end_at);
  const names = r.service_names ?? {};
  const target = { id: r.id, startAt, version: r.version };

  return {
    id: r.id,
    brandId: r.brand_id,
    brandName: r.brand_name,
    brandHeadquartersEmail: readBrandSettings(r.brand_settings).headquartersEmail,
    locale,
    state: r.state,
    statusName: r.status_name,
    cancellationReason: r.cancellation_reason,
    serviceName: names[locale] || names.en || r.service_slug,
    serviceNames: { ...(names.en ? { en: names.en } : {}), ...(names.fr ? { fr: names.fr } : {}) },
    cancelledByCustomer: r.state === 'cancelled' && r.cancelled_by === 'customer',
    serviceSlug: r.service_slug,
    mode: r.mode,
    durationMinutes: Math.round((endAt.getTime() - startAt.getTime()) / 60_000),
    startAt,
    endAt,
    customerTimeZone: r.customer_time_zone,
    storeTimeZone: r.store_time_zone,
    store: r.store_id
      ? {
          name: r.store_name ?? '',
          address: storeAddress(r.store_address_line ?? '', r.store_postcode ?? '', r.store_city ?? '', r.store_country ?? ''),
          phone: r.store_phone,
          email: r.store_email,
          notificationRouting: r.store_routing ?? 'store',
        }
      : null,
    homeAddress: r.home_address,
    staff: { id: r.staff_id, name: r.staff_name, email: r.staff_email },
    customer: { id: r.customer_id, name: r.customer_name, email: r.customer_email, phone: r.customer_phone },
    notes: r.notes,
    sequence: r.version,
    conversationId: r.conversation_id,
    links: {
      manage: links.url('manage', target),
      calendar: links.url('calendar', target),
      join: links.url('join', target),
      reschedule: links.url('reschedule', target),
      cancel: links.url('cancel', target),
      staffConfirm: links.url('staff-confirm', target),
      staffReschedule: links.url('staff-reschedule', target),
    },
  };
}

/** A valid IANA zone for luxon: the one given, else UTC (a bad zone must never break a message). */
export function safeZone(zone: string | null | undefined): string {
  return zone && isValidTimeZone(zone) ? zone : 'UTC';
}

/** The parts of formatWhen, for templates that lay the date and time out themselves. */
export function whenParts(view: AppointmentView, zone?: string | null): { date: string; time: string; endTime: string; endDate: string; timeZone: string } {
  const tz = safeZone(zone ?? view.customerTimeZone);
  const start = zonedDateTime(view.startAt.getTime(), tz, view.locale);
  const end = zonedDateTime(view.endAt.getTime(), tz, view.locale);
  return {
    date: start.toFormat('cccc d LLLL yyyy'),
    time: start.toFormat('HH:mm'),
    endDate: end.toFormat('cccc d LLLL yyyy'),
    endTime: end.toFormat('HH:mm'),
    timeZone: tz,
  };
}

/**
 * "Tuesday 2 March 2027, 10:00–10:30 (Europe/Paris)" / "mardi 2 mars 2027, 10:00–10:30 (Europe/Paris)":
 * in the view's locale, in the customer's zone unless another zone is given.
 */
export function formatWhen(view: AppointmentView, zone?: string): string {
  return formatWhenParts(whenParts(view, zone));
}

/** formatWhen of parts already worked out. */
export function formatWhenParts(p: ReturnType<typeof whenParts>): string {
  const range = p.endDate === p.date ? `${p.time}–${p.endTime}` : `${p.time} – ${p.endDate}, ${p.endTime}`;
  return `${p.date}, ${range} (${p.timeZone})`;
}
