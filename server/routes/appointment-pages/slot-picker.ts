import { DateTime } from 'luxon';
import { findService, findStore } from '../../../models/catalogue.repository.ts';
import { findAvailability } from '../../../scheduling/availability.ts';
import { safeZone } from '../../../notifications/appointment-view.ts';
import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';
import { slotDays } from '../../presenters.ts';
import { calendarDate, instant } from '../../http-schemas.ts';
import type { Html } from './html.ts';
import { pickerBody, type PickerDay } from './reschedule.view.ts';
import { keepLang, sendAppointmentPage, type PageContext } from './page-context.ts';

/** The free times a reschedule may move to, two weeks a page, in the zone the visitor thinks in. */

const PICKER_DAYS = 14;

/** Customers see their own zone; staff the store's (the customer's for visits without a store). */
export const pickerZone = (c: PageContext): string =>
  safeZone(c.staff ? c.view.storeTimeZone ?? c.view.customerTimeZone : c.view.customerTimeZone);

async function availabilityQuery(c: PageContext, from: Date, to: Date) {
  const { db, now } = c.env;
  const a = c.appointment;
  const service = await findService(db, c.brand.id, a.serviceId);
  if (!service) return null;
  const store = a.storeId ? await findStore(db, c.brand.id, a.storeId) : null;
  const home = a.homeLatitude !== null && a.homeLongitude !== null ? { latitude: a.homeLatitude, longitude: a.homeLongitude } : null;
  return { brand: c.brand, service, mode: a.mode, store, home, from, to, now: now(), ignoreAppointmentId: a.id };
}

/** Whether this exact start is free for the appointment now. */
export async function isFree(c: PageContext, start: Date): Promise<boolean> {
  const q = await availabilityQuery(c, start, new Date(start.getTime() + 1));
  if (!q) return false;
  const [slot] = await findAvailability(c.env.db, q);
  return slot?.start.getTime() === start.getTime();
}

export async function sendPicker(c: PageContext, status: number, banner: Html | null): Promise<void> {
  const { db, now } = c.env;
  const zone = pickerZone(c);
  const today = DateTime.fromJSDate(now(), { zone }).startOf('day');
  const fromParam = calendarDate.safeParse(c.req.query.from).data ?? null;
  const asked = fromParam ? DateTime.fromISO(fromParam, { zone }) : null;
  const firstDay = asked?.isValid && asked > today ? asked.startOf('day') : today;
  const lastDay = firstDay.plus({ days: PICKER_DAYS });
  const horizonEnd = DateTime.fromJSDate(now(), { zone }).plus({ days: c.brand.settings.maxHorizonDays });

  const q = await availabilityQuery(c, new Date(Math.max(firstDay.toMillis(), now().getTime())), lastDay.toJSDate());
  const slots = q ? (await findAvailability(db, q)).filter((s) => s.start.getTime() !== c.appointment.startAt.getTime()) : [];
  const days: PickerDay[] = slotDays(slots, zone).map((d) => ({
    date: d.date,
    label: DateTime.fromISO(d.date, { zone }).setLocale(c.lang).toFormat('cccc d LLLL'),
    slots: d.slots.map((s) => ({ start: s.start, time: s.time, href: keepLang(c, c.self, { start: s.start }) })),
  }));
  const earlier = firstDay > today ? DateTime.max(today, firstDay.minus({ days: PICKER_DAYS })) : null;
  const t = LINK_PAGE_TEXTS[c.lang];
  sendAppointmentPage(c, status, t.pickTitle, pickerBody({
    view: c.view, lang: c.lang, staff: c.staff, zone, days, banner,
    earlierHref: earlier ? keepLang(c, c.self, { from: earlier.toISODate() ?? undefined }) : null,
    laterHref: lastDay < horizonEnd ? keepLang(c, c.self, { from: lastDay.toISODate() ?? undefined }) : null,
    backHref: c.staff ? null : keepLang(c, c.view.links.manage),
  }), { extra: { from: fromParam ?? undefined } });
}

/** A start as the picker links give it (an ISO instant), within the years the product can mean. */
export function parseStart(value: unknown): Date | null {
  const parsed = instant.safeParse(value);
  return parsed.success ? parsed.data : null;
}
