import type { Queryable } from './database.ts';
import { readOnlyStatement } from './statement-gate.ts';

const DAY_MS = 86_400_000;

export interface StaffMember {
  id: string;
  name: string;
  email: string | null;
  homeStoreId: string | null;
  atHomeRadiusKm: number | null;
  /** Where at-home visits start from (the home store's position). */
  baseLatitude: number | null;
  baseLongitude: number | null;
}

export interface StaffHoursRow { staffId: string; storeId: string; weekday: number; starts: string; ends: string }
export interface StoreHoursRow { storeId: string; weekday: number; starts: string; ends: string }
export interface SpecialDayRow { storeId: string; localDate: string; opens: string | null; closes: string | null }
export interface BusyRow { staffId: string; from: Date; to: Date }

/** Active staff offering a service, optionally only those working at one of the given stores. */
export async function staffForService(db: Queryable, serviceId: string, storeIds: string[] | null): Promise<StaffMember[]> {
  return db.query<StaffMember>(
    `SELECT s.id, s.name, s.email, s.home_store_id AS "homeStoreId", s.at_home_radius_km AS "atHomeRadiusKm",
            st.latitude AS "baseLatitude", st.longitude AS "baseLongitude"
     FROM staff s JOIN staff_services ss ON ss.staff_id = s.id
     LEFT JOIN stores st ON st.id = s.home_store_id
     WHERE ss.service_id = $1 AND s.active
       AND ($2::uuid[] IS NULL OR EXISTS (SELECT 1 FROM staff_hours h WHERE h.staff_id = s.id AND h.store_id = ANY($2::uuid[])))
     ORDER BY s.id`,
    [serviceId, storeIds],
  );
}

/** The time busy rows must overlap, and what no longer or not yet counts as busy. */
export interface BusyWindow {
  from: Date;
  to: Date;
  /** Holds expiring at or before this no longer count, even before they are swept. */
  now: Date;
  /** When rescheduling, the appointment's own claim does not count. */
  ignoreAppointmentId: string | null;
}

/** Collects query parameters while SQL is put together: `p(value)` is that value's placeholder. */
function parameters(): { p: (value: unknown) => string; values: unknown[] } {
  const values: unknown[] = [];
  return { p: (value) => `$${values.push(value)}`, values };
}

/**
 * A LATERAL subquery: busy time of staff member `w.staff_id` overlapping the window, i.e. claims
 * of live holds and active appointments (bar the one ignored), and time off. One staff member at
 * a time, so the closed-range test is answered by the claims' GiST exclusion index on (staff_id,
 * range): `staff_id = ANY(…)` with timestamp comparisons cannot use it and reads every claim. The
 * range test is a superset; the plain comparisons then keep exactly the rows overlapping [from, to).
 */
function busyOfW(p: (value: unknown) => string, w: BusyWindow): string {
  const [from, to] = [`${p(w.from)}::timestamptz`, `${p(w.to)}::timestamptz`];
  const ignore = `${p(w.ignoreAppointmentId)}::uuid`;
  return `
    SELECT c.staff_id, c.blocked_from AS starts, c.blocked_to AS ends
    FROM slot_claims c LEFT JOIN holds h ON h.id = c.hold_id
    WHERE c.staff_id = w.staff_id
      AND tstzrange(c.blocked_from, c.blocked_to) && tstzrange(least(${from}, ${to}), greatest(${from}, ${to}), '[]')
      AND c.blocked_from < ${to} AND c.blocked_to > ${from}
      AND (h.id IS NULL OR h.expires_at > ${p(w.now)})
      AND (${ignore} IS NULL OR c.appointment_id IS DISTINCT FROM ${ignore})
    UNION ALL
    SELECT t.staff_id, t.starts_at, t.ends_at FROM staff_time_off t
    WHERE t.staff_id = w.staff_id AND t.starts_at < ${to} AND t.ends_at > ${from}`;
}

/**
 * Busy time of these staff overlapping [from, to): live holds and active appointments (buffers
 * included, as claimed) and time off. Expired holds no longer count even before they are swept.
 */
export async function busyTimes(
  db: Queryable,
  staffIds: string[],
  from: Date,
  to: Date,
  now: Date,
  ignoreAppointmentId: string | null = null,
): Promise<BusyRow[]> {
  const { p, values } = parameters();
  return db.query<BusyRow>(
    `SELECT b.staff_id AS "staffId", b.starts AS "from", b.ends AS "to"
     FROM (SELECT DISTINCT unnest(${p(staffIds)}::uuid[]) AS staff_id) w
     CROSS JOIN LATERAL (${busyOfW(p, { from, to, now, ignoreAppointmentId })}) b`,
    values,
  );
}

/** Where at-home visits of a staff member can reach. */
export type StaffReach = Pick<StaffMember, 'id' | 'atHomeRadiusKm' | 'baseLatitude' | 'baseLongitude'>;

/** What availability needs to know of a service's staff, read in one round trip. */
export interface ServiceSchedule {
  /** Working hours of the active staff offering the service, at the stores and on the weekdays asked about. */
  hours: StaffHoursRow[];
  /** The IANA time zone of each store those hours are at. */
  zones: Map<string, string>;
  specialDays: SpecialDayRow[];
  /** Each part below is read only when asked for; else it is empty. */
  reach: StaffReach[];
  storeHours: StoreHoursRow[];
  busy: BusyRow[];
  load: Map<string, number>;
}

export interface ScheduleQuery {
  serviceId: string;
  /** Only hours at one of these stores; null: at any store. */
  storeIds: string[] | null;
  /** At-home visits: only hours at each staff member's home store (among storeIds), and the staff's reach. */
  atHome: boolean;
  /** Only weekly hours on these ISO weekdays (1 = Monday). */
  weekdays: number[];
  /** Special days from and to these local dates ('YYYY-MM-DD'), inclusive. */
  fromDate: string;
  toDate: string;
  /** Store opening hours, wanted for in-store appointments only. */
  withStoreHours: boolean;
  /** Busy time of the staff with hours, in this window. */
  busy: BusyWindow | null;
  /**
   * Each working staff member's load around this instant (their active appointments starting within
   * a day either side), for a booking to pick the least booked: balanced days make a balanced
   * calendar, and the count stays small however far ahead the calendar is booked.
   */
  loadAround: Date | null;
}

/** Arrays rather than objects in the JSON: cheaper to build, and every booking reads this. */
interface ScheduleRow {
  hours: [staffId: string, storeId: string, weekday: number, starts: string, ends: string][] | null;
  zones: Record<string, string> | null;
  special_days: [storeId: string, localDate: string, opens: string | null, closes: string | null][] | null;
  reach?: [id: string, atHomeRadiusKm: number | null, baseLatitude: number | null, baseLongitude: number | null][] | null;
  store_hours?: [storeId: string, weekday: number, starts: string, ends: string][] | null;
  busy?: [staffId: string, from: string, to: string][] | null;
  load?: Record<string, number> | null;
}

/**
 * Working hours of the active staff offering a service, those stores' zones and special days, and
 * what else is asked for, as JSON aggregates of one statement instead of up to seven: a booking's
 * cost is mostly its round trips, then parsing and planning, so parts not asked for are left out.
 */
export async function serviceSchedule(db: Queryable, q: ScheduleQuery): Promise<ServiceSchedule> {
  const { p, values } = parameters();
  const weekdays = `${p(q.weekdays)}::int[]`;
  const storeIds = (ids: string) => `(${ids}::uuid[] IS NULL OR h.store_id = ANY(${ids}::uuid[]))`;
  const atStores = `${q.atHome ? 'h.store_id = s.home_store_id AND ' : ''}${storeIds(p(q.storeIds))}`;
  const parts = [
    `(SELECT json_agg(json_build_array(staff_id, store_id, weekday, starts::text, ends::text)) FROM hours) AS hours`,
    `(SELECT json_object_agg(st.id, st.time_zone) FROM places p JOIN stores st ON st.id = p.store_id) AS zones`,
    `(SELECT json_agg(json_build_array(sd.store_id, sd.local_date::text, sd.opens::text, sd.closes::text))
      FROM places p JOIN store_special_days sd ON sd.store_id = p.store_id
      WHERE sd.local_date BETWEEN ${p(q.fromDate)}::date AND ${p(q.toDate)}::date) AS special_days`,
  ];
  if (q.atHome) {
    parts.push(`(SELECT json_agg(json_build_array(s.id, s.at_home_radius_km, st.latitude, st.longitude))
      FROM working w JOIN staff s ON s.id = w.staff_id LEFT JOIN stores st ON st.id = s.home_store_id) AS reach`);
  }
  if (q.withStoreHours) {
    // Every weekday's, unlike staff hours: a store with no hours at all is not restricted at all.
    parts.push(`(SELECT json_agg(json_build_array(sh.store_id, sh.weekday, sh.opens::text, sh.closes::text))
      FROM places p JOIN store_hours sh ON sh.store_id = p.store_id) AS store_hours`);
  }
  if (q.busy) {
    parts.push(`(SELECT json_agg(json_build_array(b.staff_id, b.starts, b.ends))
      FROM working w CROSS JOIN LATERAL (${busyOfW(p, q.busy)}) b) AS busy`);
  }
  if (q.loadAround) {
    // Per staff member: a short range of appointments_active_by_staff.
    const [from, to] = [new Date(q.loadAround.getTime() - DAY_MS), new Date(q.loadAround.getTime() + DAY_MS)];
    parts.push(`(SELECT json_object_agg(w.staff_id, (SELECT count(*) FROM appointments a
        WHERE a.staff_id = w.staff_id AND a.state <> 'cancelled' AND a.start_at >= ${p(from)} AND a.start_at < ${p(to)}))
      FROM working w) AS load`);
  }
  const [row] = await db.query<ScheduleRow>(
    // Reads only: a turn begun before its message is stored need not store it first (models/statement-gate.ts).
    readOnlyStatement(`WITH hours AS (
       SELECT h.staff_id, h.store_id, h.weekday, h.starts, h.ends
       FROM staff_services ss JOIN staff s ON s.id = ss.staff_id JOIN staff_hours h ON h.staff_id = s.id
       WHERE ss.service_id = ${p(q.serviceId)} AND s.active AND h.weekday = ANY(${weekdays})
         AND ${atStores}
     ),
     working AS (SELECT DISTINCT staff_id FROM hours),
     places AS (SELECT DISTINCT store_id FROM hours)
     SELECT ${parts.join(',\n')}`),
    values,
  );
  return {
    hours: (row?.hours ?? []).map(([staffId, storeId, weekday, starts, ends]) => ({ staffId, storeId, weekday, starts, ends })),
    zones: new Map(Object.entries(row?.zones ?? {})),
    specialDays: (row?.special_days ?? []).map(([storeId, localDate, opens, closes]) => ({ storeId, localDate, opens, closes })),
    reach: (row?.reach ?? []).map(([id, atHomeRadiusKm, baseLatitude, baseLongitude]) => ({ id, atHomeRadiusKm, baseLatitude, baseLongitude })),
    storeHours: (row?.store_hours ?? []).map(([storeId, weekday, starts, ends]) => ({ storeId, weekday, starts, ends })),
    busy: (row?.busy ?? []).map(([staffId, from, to]) => ({ staffId, from: new Date(from), to: new Date(to) })),
    load: new Map(Object.entries(row?.load ?? {})),
  };
}
