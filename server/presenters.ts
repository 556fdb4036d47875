import { DateTime } from 'luxon';
import type { Appointment, Hold, StatusChange } from '../models/appointments.repository.ts';
import type { Service, Store } from '../models/catalogue.repository.ts';
import type { Slot } from '../scheduling/slot-finder.ts';

/** JSON shapes of the API. Instants are ISO 8601 UTC; `local` fields are in the zone named beside them. */

const localIso = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toISO({ suppressMilliseconds: true });

export const serviceJson = (s: Service) => ({
  id: s.id,
  slug: s.slug,
  names: s.names,
  descriptions: s.descriptions,
  durationMinutes: s.durationMinutes,
  modes: s.modes,
  bookingMode: s.bookingMode,
  statusWorkflow: s.statusWorkflow,
});

export const storeJson = (s: Store, distanceKm?: number) => ({
  id: s.id,
  slug: s.slug,
  name: s.name,
  address: { line: s.addressLine, postcode: s.postcode, city: s.city, country: s.country },
  latitude: s.latitude,
  longitude: s.longitude,
  timeZone: s.timeZone,
  phone: s.phone,
  ...(distanceKm === undefined ? {} : { distanceKm: Math.round(distanceKm * 10) / 10 }),
});

/** Slots grouped by the customer's local day, soonest first. */
export function slotDays(slots: Slot[], zone: string) {
  const days = new Map<string, { date: string; slots: { start: string; end: string; time: string; free: number }[] }>();
  for (const slot of slots) {
    const local = DateTime.fromJSDate(slot.start, { zone });
    const date = local.toISODate()!;
    let day = days.get(date);
    if (!day) days.set(date, (day = { date, slots: [] }));
    day.slots.push({ start: slot.start.toISOString(), end: slot.end.toISOString(), time: local.toFormat('HH:mm'), free: slot.staffIds.length });
  }
  return [...days.values()];
}

export const holdJson = (h: Hold) => ({
  id: h.id,
  serviceId: h.serviceId,
  mode: h.mode,
  storeId: h.storeId,
  start: h.startAt.toISOString(),
  end: h.endAt.toISOString(),
  expiresAt: h.expiresAt.toISOString(),
});

export const appointmentJson = (a: Appointment, history?: StatusChange[]) => ({
  id: a.id,
  serviceId: a.serviceId,
  mode: a.mode,
  storeId: a.storeId,
  homeAddress: a.homeAddress,
  staffId: a.staffId,
  customerId: a.customerId,
  start: a.startAt.toISOString(),
  end: a.endAt.toISOString(),
  timeZone: a.customerTimeZone,
  localStart: localIso(a.startAt, a.customerTimeZone),
  state: a.state,
  statusId: a.statusId,
  notes: a.notes,
  channel: a.channel,
  cancellationReason: a.cancellationReason,
  version: a.version,
  createdAt: a.createdAt.toISOString(),
  ...(history
    ? { history: history.map((h) => ({ ...h, at: h.at.toISOString() })) }
    : {}),
});
