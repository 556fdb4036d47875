import type { Queryable, Tx } from './database.ts';

/** Staff members as the console manages them: profile, weekly hours, time off, the brand's directory. */

export interface StaffProfile {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  active: boolean;
  homeStoreId: string | null;
  atHomeRadiusKm: number | null;
}

/** Weekly working hours at a store: local times as PostgreSQL writes them ("09:00:00"). */
export interface WorkingHours { storeId: string; weekday: number; starts: string; ends: string }

export interface TimeOff { id: string; startsAt: Date; endsAt: Date; reason: string }

/** One row of the brand's staff list: the stores are those they work at or were granted. */
export interface StaffDirectoryRow extends Omit<StaffProfile, 'atHomeRadiusKm'> {
  stores: { id: string; name: string }[];
}

const PROFILE_COLUMNS = `id, name, email, phone, active, home_store_id AS "homeStoreId", at_home_radius_km AS "atHomeRadiusKm"`;

export async function staffProfile(db: Queryable, staffId: string): Promise<StaffProfile | null> {
  const [row] = await db.query<StaffProfile>(`SELECT ${PROFILE_COLUMNS} FROM staff WHERE id = $1`, [staffId]);
  return row ?? null;
}

/** A staff member of the brand (null: unknown to it). */
export async function findBrandStaff(db: Queryable, brandId: string, staffId: string): Promise<Pick<StaffProfile, 'id' | 'name' | 'homeStoreId'> | null> {
  const [row] = await db.query<Pick<StaffProfile, 'id' | 'name' | 'homeStoreId'>>(
    'SELECT id, name, home_store_id AS "homeStoreId" FROM staff WHERE brand_id = $1 AND id = $2',
    [brandId, staffId],
  );
  return row ?? null;
}

export async function homeStoreOf(db: Queryable, staffId: string): Promise<string | null> {
  const [row] = await db.query<{ home_store_id: string | null }>('SELECT home_store_id FROM staff WHERE id = $1', [staffId]);
  return row?.home_store_id ?? null;
}

export async function staffNames(db: Queryable, staffIds: readonly string[]): Promise<Map<string, string>> {
  if (staffIds.length === 0) return new Map();
  const rows = await db.query<{ id: string; name: string }>('SELECT id, name FROM staff WHERE id = ANY($1::uuid[])', [staffIds]);
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function staffServiceIds(db: Queryable, staffId: string): Promise<string[]> {
  return (await db.query<{ id: string }>('SELECT service_id AS id FROM staff_services WHERE staff_id = $1', [staffId])).map((s) => s.id);
}

export async function workingHours(db: Queryable, staffId: string): Promise<WorkingHours[]> {
  return db.query<WorkingHours>(
    `SELECT store_id AS "storeId", weekday, starts::text AS starts, ends::text AS ends
     FROM staff_hours WHERE staff_id = $1 ORDER BY weekday, starts`,
    [staffId],
  );
}

export async function replaceWorkingHours(tx: Tx, staffId: string, hours: readonly Omit<WorkingHours, 'staffId'>[]): Promise<void> {
  await tx.query('DELETE FROM staff_hours WHERE staff_id = $1', [staffId]);
  for (const h of hours) {
    await tx.query('INSERT INTO staff_hours (staff_id, store_id, weekday, starts, ends) VALUES ($1,$2,$3,$4,$5)', [staffId, h.storeId, h.weekday, h.starts, h.ends]);
  }
}

/** Time off that has not ended by `since`, in order. */
export async function timeOffSince(db: Queryable, staffId: string, since: Date): Promise<TimeOff[]> {
  return db.query<TimeOff>(
    `SELECT id, starts_at AS "startsAt", ends_at AS "endsAt", reason
     FROM staff_time_off WHERE staff_id = $1 AND ends_at > $2 ORDER BY starts_at`,
    [staffId, since],
  );
}

export async function insertTimeOff(db: Queryable, staffId: string, t: Omit<TimeOff, 'id'>): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    'INSERT INTO staff_time_off (staff_id, starts_at, ends_at, reason) VALUES ($1,$2,$3,$4) RETURNING id',
    [staffId, t.startsAt, t.endsAt, t.reason],
  );
  return row!.id;
}

/** False when the staff member has no such time off. */
export async function deleteTimeOff(db: Queryable, staffId: string, id: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM staff_time_off WHERE id = $1 AND staff_id = $2 RETURNING id', [id, staffId]);
  return rows.length > 0;
}

/** The staff member's appointments (not cancelled) overlapping [from, to), by start. */
export async function appointmentsOverlapping(db: Queryable, staffId: string, from: Date, to: Date): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM appointments WHERE staff_id = $1 AND state <> 'cancelled' AND start_at < $3 AND end_at > $2 ORDER BY start_at`,
    [staffId, from, to],
  );
  return rows.map((r) => r.id);
}

export async function staffDirectory(db: Queryable, brandId: string): Promise<StaffDirectoryRow[]> {
  const rows = await db.query<Omit<StaffDirectoryRow, 'stores'> & { stores: StaffDirectoryRow['stores'] | null }>(
    `SELECT s.id, s.name, s.email, s.phone, s.active, s.home_store_id AS "homeStoreId",
            (SELECT json_agg(json_build_object('id', st.id, 'name', st.name) ORDER BY st.name) FROM stores st
              WHERE st.id IN (SELECT store_id FROM staff_hours WHERE staff_id = s.id
                              UNION SELECT store_id FROM staff_store_access WHERE staff_id = s.id)) AS stores
     FROM staff s WHERE s.brand_id = $1 ORDER BY s.name, s.id`,
    [brandId],
  );
  return rows.map((r) => ({ ...r, stores: r.stores ?? [] }));
}

/** A staff member of the brand with this email and no console account yet (an advisor on the books). */
export async function staffWithoutAccount(tx: Tx, brandId: string, email: string): Promise<string | null> {
  const [row] = await tx.query<{ id: string }>(
    `SELECT s.id FROM staff s WHERE s.brand_id = $1 AND lower(s.email) = $2
       AND NOT EXISTS (SELECT 1 FROM staff_accounts a WHERE a.staff_id = s.id) ORDER BY s.id LIMIT 1`,
    [brandId, email],
  );
  return row?.id ?? null;
}

export async function insertStaffMember(
  tx: Tx,
  s: { brandId: string; name: string; email: string; homeStoreId: string | null },
): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    'INSERT INTO staff (brand_id, name, email, home_store_id) VALUES ($1,$2,$3,$4) RETURNING id',
    [s.brandId, s.name, s.email, s.homeStoreId],
  );
  return row!.id;
}
