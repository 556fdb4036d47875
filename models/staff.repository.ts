import type { Queryable } from './database.ts';

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

export async function staffHours(db: Queryable, staffIds: string[]): Promise<StaffHoursRow[]> {
  return db.query<StaffHoursRow>(
    `SELECT staff_id AS "staffId", store_id AS "storeId", weekday, starts::text AS starts, ends::text AS ends
     FROM staff_hours WHERE staff_id = ANY($1::uuid[])`,
    [staffIds],
  );
}

export async function storeHours(db: Queryable, storeIds: string[]): Promise<StoreHoursRow[]> {
  return db.query<StoreHoursRow>(
    `SELECT store_id AS "storeId", weekday, opens::text AS starts, closes::text AS ends
     FROM store_hours WHERE store_id = ANY($1::uuid[])`,
    [storeIds],
  );
}

export async function specialDays(db: Queryable, storeIds: string[], fromDate: string, toDate: string): Promise<SpecialDayRow[]> {
  return db.query<SpecialDayRow>(
    `SELECT store_id AS "storeId", local_date::text AS "localDate", opens::text AS opens, closes::text AS closes
     FROM store_special_days WHERE store_id = ANY($1::uuid[]) AND local_date BETWEEN $2::date AND $3::date`,
    [storeIds, fromDate, toDate],
  );
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
  return db.query<BusyRow>(
    `SELECT c.staff_id AS "staffId", c.blocked_from AS "from", c.blocked_to AS "to"
     FROM slot_claims c LEFT JOIN holds h ON h.id = c.hold_id
     WHERE c.staff_id = ANY($1::uuid[]) AND c.blocked_from < $3 AND c.blocked_to > $2
       AND (h.id IS NULL OR h.expires_at > $4)
       AND ($5::uuid IS NULL OR c.appointment_id IS DISTINCT FROM $5::uuid)
     UNION ALL
     SELECT staff_id, starts_at, ends_at FROM staff_time_off
     WHERE staff_id = ANY($1::uuid[]) AND starts_at < $3 AND ends_at > $2`,
    [staffIds, from, to, now, ignoreAppointmentId],
  );
}

/** Active appointments per staff member from `since` on: the fairness measure for assignment. */
export async function upcomingLoad(db: Queryable, staffIds: string[], since: Date): Promise<Map<string, number>> {
  const rows = await db.query<{ staff_id: string; n: number }>(
    `SELECT staff_id, count(*)::int AS n FROM appointments
     WHERE staff_id = ANY($1::uuid[]) AND state <> 'cancelled' AND start_at >= $2 GROUP BY staff_id`,
    [staffIds, since],
  );
  return new Map(rows.map((r) => [r.staff_id, r.n]));
}
