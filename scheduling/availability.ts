import type { Queryable } from '../models/database.ts';
import type { Brand } from '../models/brands.repository.ts';
import { storesByIds, type Mode, type Service, type Store } from '../models/catalogue.repository.ts';
import { busyTimes, specialDays, staffForService, staffHours, storeHours } from '../models/staff.repository.ts';
import { distanceKm } from './geocoder.ts';
import { findSlots, type Slot, type StaffCalendar } from './slot-finder.ts';

export interface Coordinates {
  latitude: number;
  longitude: number;
}

/** What a customer is looking for; `store` for in-store (optional online), `home` for at-home. */
export interface AvailabilityQuery {
  brand: Brand;
  service: Service;
  mode: Mode;
  store: Store | null;
  home: Coordinates | null;
  from: Date;
  to: Date;
  now: Date;
  /** When rescheduling, the appointment's own time does not count as busy. */
  ignoreAppointmentId?: string | null;
}

const DAY_MS = 86_400_000;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/** Free slots, each with the staff free then, from everything the database knows. */
export async function findAvailability(db: Queryable, q: AvailabilityQuery): Promise<Slot[]> {
  const storeIds = q.store ? [q.store.id] : null;
  let staff = await staffForService(db, q.service.id, q.mode === 'at_home' ? null : storeIds);
  if (q.mode === 'at_home') {
    const home = q.home;
    staff = staff.filter(
      (s) => home && s.atHomeRadiusKm !== null && s.baseLatitude !== null && s.baseLongitude !== null &&
        distanceKm({ latitude: s.baseLatitude, longitude: s.baseLongitude }, home) <= s.atHomeRadiusKm,
    );
  }
  if (staff.length === 0) return [];
  const staffIds = staff.map((s) => s.id);
  const homeStore = new Map(staff.map((s) => [s.id, s.homeStoreId]));

  // At-home visits leave from the staff member's home store; otherwise the store asked for, if any.
  const hours = (await staffHours(db, staffIds)).filter((h) =>
    q.mode === 'at_home' ? h.storeId === homeStore.get(h.staffId) : !storeIds || storeIds.includes(h.storeId),
  );
  const hourStoreIds = [...new Set(hours.map((h) => h.storeId))];
  if (hourStoreIds.length === 0) return [];

  const reach = (q.service.durationMinutes + q.service.bufferBeforeMinutes + q.service.bufferAfterMinutes) * 60_000;
  const [stores, openHours, closures, busy] = await Promise.all([
    storesByIds(db, hourStoreIds),
    q.mode === 'in_store' ? storeHours(db, hourStoreIds) : Promise.resolve([]),
    // Local dates can be a day off UTC dates either way.
    specialDays(db, hourStoreIds, isoDate(new Date(q.from.getTime() - DAY_MS)), isoDate(new Date(q.to.getTime() + DAY_MS))),
    busyTimes(db, staffIds, new Date(q.from.getTime() - reach), new Date(q.to.getTime() + reach), q.now, q.ignoreAppointmentId ?? null),
  ]);
  const zoneOf = new Map(stores.map((s) => [s.id, s.timeZone]));

  const calendars = new Map<string, StaffCalendar>();
  const calendarOf = (staffId: string, storeId: string): StaffCalendar => {
    const key = `${staffId}/${storeId}`;
    const existing = calendars.get(key);
    if (existing) return existing;
    const created: StaffCalendar = {
      staffId,
      timeZone: zoneOf.get(storeId) ?? q.brand.timeZone,
      hours: [],
      storeHours: openHours.filter((o) => o.storeId === storeId),
      specialDays: closures.filter((c) => c.storeId === storeId),
      busy: busy.filter((b) => b.staffId === staffId),
    };
    calendars.set(key, created);
    return created;
  };
  for (const h of hours) calendarOf(h.staffId, h.storeId).hours.push({ weekday: h.weekday, starts: h.starts, ends: h.ends });

  const settings = q.brand.settings;
  const slots = findSlots(
    {
      from: q.from,
      to: q.to,
      now: q.now,
      durationMinutes: q.service.durationMinutes,
      bufferBeforeMinutes: q.service.bufferBeforeMinutes,
      bufferAfterMinutes: q.service.bufferAfterMinutes,
      stepMinutes: q.service.slotStepMinutes ?? settings.slotStepMinutes,
      minNoticeMinutes: settings.minNoticeMinutes,
      maxHorizonDays: settings.maxHorizonDays,
    },
    [...calendars.values()],
  );
  // A staff member working at two stores appears once.
  return slots.map((s) => ({ ...s, staffIds: [...new Set(s.staffIds)] }));
}
