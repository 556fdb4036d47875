import type { Queryable } from '../models/database.ts';
import type { Brand } from '../models/brands.repository.ts';
import type { Mode, Service, Store } from '../models/catalogue.repository.ts';
import {
  busyTimes, serviceSchedule, type BusyRow, type BusyWindow, type ScheduleQuery, type ServiceSchedule, type StaffHoursRow,
  type StaffReach,
} from '../models/staff.repository.ts';
import { distanceKm } from './geo-distance.ts';
import { findSlots, type Slot, type SlotRules, type StaffCalendar } from './slot-finder.ts';

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
  /**
   * Only advisors working from these stores (staff other than admins book and move for their own
   * stores: an at-home visit goes to an advisor of theirs); unset or null: every store.
   */
  advisorStores?: readonly string[] | null | undefined;
}

const DAY_MS = 86_400_000;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/**
 * ISO weekdays of every local date [from, to) can touch in any zone: the UTC dates from the day
 * before to the day after (offsets stay within a day). A booking needs its one weekday's hours.
 */
function weekdaysAround(from: Date, to: Date): number[] {
  const first = Math.floor(from.getTime() / DAY_MS) - 1;
  const last = Math.floor(to.getTime() / DAY_MS) + 1;
  if (!(first <= last && last - first < 6)) return [1, 2, 3, 4, 5, 6, 7]; // a week or more, or odd dates
  const weekdays: number[] = [];
  for (let d = first; d <= last; d++) weekdays.push(new Date(d * DAY_MS).getUTCDay() || 7);
  return weekdays;
}

/** Staff whose at-home radius, from their home store, reaches the home. */
const reaching = (home: Coordinates | null) => (s: StaffReach): boolean =>
  home !== null && s.atHomeRadiusKm !== null && s.baseLatitude !== null && s.baseLongitude !== null &&
  distanceKm({ latitude: s.baseLatitude, longitude: s.baseLongitude }, home) <= s.atHomeRadiusKm;

/**
 * Free slots, each with the staff free then, from everything the database knows: one statement
 * (two for at-home visits), run one after the other, so a transaction's connection is never shared.
 */
export async function findAvailability(db: Queryable, q: AvailabilityQuery): Promise<Slot[]> {
  return (await availabilityAndLoad(db, q, false)).slots;
}

/**
 * As findAvailability, and with `withLoad` each working staff member's load around the window's
 * start (see ScheduleQuery.loadAround) read in the same statement, which saves a booking a round trip.
 */
export async function availabilityAndLoad(
  db: Queryable,
  q: AvailabilityQuery,
  withLoad: boolean,
): Promise<{ slots: Slot[]; load: Map<string, number> }> {
  const schedule = await serviceSchedule(db, scheduleQuery(q, withLoad));
  const { hours, busy } = q.mode === 'at_home' ? await inReachOf(db, q.home, schedule, busyWindow(q)) : schedule;
  if (hours.length === 0) return { slots: [], load: schedule.load };
  return { slots: slotsOf(q, calendarsOf(q, schedule, hours, busy)), load: schedule.load };
}

/** What availability reads of the schedule for a query (at-home visits then read busy time of the staff in reach). */
export function scheduleQuery(q: AvailabilityQuery, withLoad: boolean): ScheduleQuery {
  const atHome = q.mode === 'at_home';
  return {
    serviceId: q.service.id,
    storeIds: staffStores(q),
    atHome,
    weekdays: weekdaysAround(q.from, q.to),
    // Local dates can be a day off UTC dates either way.
    fromDate: isoDate(new Date(q.from.getTime() - DAY_MS)),
    toDate: isoDate(new Date(q.to.getTime() + DAY_MS)),
    withStoreHours: q.mode === 'in_store',
    // Staff out of reach of the home are dropped first, so only the others' busy time is read.
    busy: atHome ? null : busyWindow(q),
    loadAround: withLoad ? q.from : null,
  };
}

/** The stores whose staff hours count (null: every store). */
export function staffStores(q: Pick<AvailabilityQuery, 'mode' | 'store' | 'advisorStores'>): string[] | null {
  // At-home visits leave from the staff member's home store; otherwise the store asked for, if any.
  const asked = q.mode !== 'at_home' && q.store ? [q.store.id] : null;
  const allowed = q.advisorStores ?? null;
  return asked && allowed ? asked.filter((id) => allowed.includes(id)) : asked ?? (allowed && [...allowed]);
}

/** Busy time matters as far as an appointment with its buffers reaches either side of the window. */
function busyWindow(q: AvailabilityQuery): BusyWindow {
  const reach = (q.service.durationMinutes + q.service.bufferBeforeMinutes + q.service.bufferAfterMinutes) * 60_000;
  return {
    from: new Date(q.from.getTime() - reach), to: new Date(q.to.getTime() + reach),
    now: q.now, ignoreAppointmentId: q.ignoreAppointmentId ?? null,
  };
}

/** At-home visits: the hours of the staff whose radius reaches the home, and their busy time. */
async function inReachOf(
  db: Queryable, home: Coordinates | null, schedule: ServiceSchedule, w: BusyWindow,
): Promise<{ hours: StaffHoursRow[]; busy: BusyRow[] }> {
  const staffIds = new Set(schedule.reach.filter(reaching(home)).map((s) => s.id));
  const hours = schedule.hours.filter((h) => staffIds.has(h.staffId));
  if (hours.length === 0) return { hours, busy: [] };
  return { hours, busy: await busyTimes(db, [...staffIds], w.from, w.to, w.now, w.ignoreAppointmentId) };
}

/** One calendar per staff member and store they work at, in that store's zone. */
export function calendarsOf(q: AvailabilityQuery, schedule: ServiceSchedule, hours: StaffHoursRow[], busy: BusyRow[]): StaffCalendar[] {
  const calendars = new Map<string, StaffCalendar>();
  const calendarOf = (staffId: string, storeId: string): StaffCalendar => {
    const key = `${staffId}/${storeId}`;
    const existing = calendars.get(key);
    if (existing) return existing;
    const created: StaffCalendar = {
      staffId,
      timeZone: schedule.zones.get(storeId) ?? q.brand.timeZone,
      hours: [],
      storeHours: schedule.storeHours.filter((o) => o.storeId === storeId),
      specialDays: schedule.specialDays.filter((c) => c.storeId === storeId),
      busy: busy.filter((b) => b.staffId === staffId),
    };
    calendars.set(key, created);
    return created;
  };
  for (const h of hours) calendarOf(h.staffId, h.storeId).hours.push({ weekday: h.weekday, starts: h.starts, ends: h.ends });
  return [...calendars.values()];
}

/** The brand's and the service's rules for where a slot may start. */
export function slotRulesOf(brand: Brand, service: Service): Omit<SlotRules, 'from' | 'to' | 'now'> {
  return {
    durationMinutes: service.durationMinutes,
    bufferBeforeMinutes: service.bufferBeforeMinutes,
    bufferAfterMinutes: service.bufferAfterMinutes,
    stepMinutes: service.slotStepMinutes ?? brand.settings.slotStepMinutes,
    minNoticeMinutes: brand.settings.minNoticeMinutes,
    maxHorizonDays: brand.settings.maxHorizonDays,
  };
}

function slotsOf(q: AvailabilityQuery, calendars: StaffCalendar[]): Slot[] {
  const slots = findSlots({ from: q.from, to: q.to, now: q.now, ...slotRulesOf(q.brand, q.service) }, calendars);
  // A staff member working at two stores appears once.
  return slots.map((s) => ({ ...s, staffIds: [...new Set(s.staffIds)] }));
}
