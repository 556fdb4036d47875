import type { Queryable, Tx } from './database.ts';

/** A brand's on-site booking rules (see migration 018 for their meaning); defaults when the brand has no row. */
export interface FieldSettings {
  arrivalWindowMinutes: number;
  circuityFactor: number;
  averageSpeedKmh: number;
  travelBufferMinutes: number;
  customersRegisterEquipment: boolean;
  contractNoticeDays: number;
}

export const DEFAULT_FIELD_SETTINGS: FieldSettings = {
  arrivalWindowMinutes: 120, circuityFactor: 1.3, averageSpeedKmh: 30, travelBufferMinutes: 10,
  customersRegisterEquipment: false, contractNoticeDays: 30,
};

const SETTINGS_COLUMNS = `arrival_window_minutes AS "arrivalWindowMinutes", circuity_factor AS "circuityFactor",
  average_speed_kmh AS "averageSpeedKmh", travel_buffer_minutes AS "travelBufferMinutes",
  customers_register_equipment AS "customersRegisterEquipment", contract_notice_days AS "contractNoticeDays"`;

export async function fieldSettings(db: Queryable, brandId: string): Promise<FieldSettings> {
  const [row] = await db.query<FieldSettings>(`SELECT ${SETTINGS_COLUMNS} FROM field_service_settings WHERE brand_id = $1`, [brandId]);
  return row ?? DEFAULT_FIELD_SETTINGS;
}

export async function saveFieldSettings(db: Queryable, brandId: string, s: FieldSettings): Promise<FieldSettings> {
  const [row] = await db.query<FieldSettings>(
    `INSERT INTO field_service_settings (brand_id, arrival_window_minutes, circuity_factor, average_speed_kmh,
       travel_buffer_minutes, customers_register_equipment, contract_notice_days)
     VALUES ($1,$2,$3,$4,$5,$6,$7)
     ON CONFLICT (brand_id) DO UPDATE SET arrival_window_minutes = $2, circuity_factor = $3, average_speed_kmh = $4,
       travel_buffer_minutes = $5, customers_register_equipment = $6, contract_notice_days = $7
     RETURNING ${SETTINGS_COLUMNS}`,
    [brandId, s.arrivalWindowMinutes, s.circuityFactor, s.averageSpeedKmh, s.travelBufferMinutes, s.customersRegisterEquipment, s.contractNoticeDays],
  );
  return row!;
}

// ---- skills ------------------------------------------------------------------------------------

export async function serviceSkills(db: Queryable, serviceId: string): Promise<string[]> {
  const rows = await db.query<{ skill: string }>('SELECT skill FROM service_skills WHERE service_id = $1 ORDER BY skill', [serviceId]);
  return rows.map((r) => r.skill);
}

export async function setServiceSkills(db: Queryable, serviceId: string, skills: string[]): Promise<void> {
  await db.query(
    `WITH gone AS (DELETE FROM service_skills WHERE service_id = $1 AND NOT (skill = ANY($2::text[])))
     INSERT INTO service_skills (service_id, skill) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
    [serviceId, skills],
  );
}

export async function setTechnicianSkills(db: Queryable, staffId: string, skills: string[]): Promise<void> {
  await db.query(
    `WITH gone AS (DELETE FROM technician_skills WHERE staff_id = $1 AND NOT (skill = ANY($2::text[])))
     INSERT INTO technician_skills (staff_id, skill) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
    [staffId, skills],
  );
}

// ---- technicians, their hours and sectors ------------------------------------------------------

export interface TechnicianRow {
  staffId: string;
  name: string;
  email: string | null;
  startLatitude: number;
  startLongitude: number;
  timeZone: string;
  skills: string[];
}

export interface TechnicianHoursRow { staffId: string; weekday: number; starts: string; ends: string }

export interface SectorRow {
  id: string;
  staffId: string;
  weekday: number | null;
  localDate: string | null;
  label: string;
  postcodes: string[] | null;
  centerLatitude: number | null;
  centerLongitude: number | null;
  radiusKm: number | null;
}

/** Busy time of a technician with where they are then; no place for time off. */
export interface JobRow { staffId: string; from: Date; to: Date; latitude: number | null; longitude: number | null }

const TECHNICIAN_COLUMNS = `t.staff_id AS "staffId", s.name, s.email, t.start_latitude AS "startLatitude",
  t.start_longitude AS "startLongitude", t.time_zone AS "timeZone",
  ARRAY(SELECT k.skill FROM technician_skills k WHERE k.staff_id = t.staff_id ORDER BY k.skill) AS skills`;

const SECTOR_COLUMNS = `id, staff_id AS "staffId", weekday, to_char(local_date, 'YYYY-MM-DD') AS "localDate", label, postcodes,
  center_latitude AS "centerLatitude", center_longitude AS "centerLongitude", radius_km AS "radiusKm"`;

export async function listTechnicians(db: Queryable, brandId: string): Promise<TechnicianRow[]> {
  return db.query<TechnicianRow>(
    `SELECT ${TECHNICIAN_COLUMNS} FROM technicians t JOIN staff s ON s.id = t.staff_id
     WHERE s.brand_id = $1 AND s.active ORDER BY s.name, t.staff_id`,
    [brandId],
  );
}

export async function insertTechnician(
  db: Queryable, staffId: string, t: Pick<TechnicianRow, 'startLatitude' | 'startLongitude' | 'timeZone'>,
): Promise<void> {
  await db.query(
    `INSERT INTO technicians (staff_id, start_latitude, start_longitude, time_zone) VALUES ($1,$2,$3,$4)
     ON CONFLICT (staff_id) DO UPDATE SET start_latitude = $2, start_longitude = $3, time_zone = $4`,
    [staffId, t.startLatitude, t.startLongitude, t.timeZone],
  );
}

/** Serialises on-site bookings of one technician, so the travel check and the claim see the same day. */
export async function lockTechnician(tx: Tx, staffId: string): Promise<void> {
  await tx.query('SELECT 1 FROM technicians WHERE staff_id = $1 FOR UPDATE', [staffId]);
}

export async function insertTechnicianHours(db: Queryable, h: TechnicianHoursRow): Promise<void> {
  await db.query('INSERT INTO technician_hours (staff_id, weekday, starts, ends) VALUES ($1,$2,$3,$4)', [h.staffId, h.weekday, h.starts, h.ends]);
}

/** Replaces a technician's weekly hours with these. */
export async function replaceTechnicianHours(tx: Tx, staffId: string, hours: Omit<TechnicianHoursRow, 'staffId'>[]): Promise<void> {
  await tx.query('DELETE FROM technician_hours WHERE staff_id = $1', [staffId]);
  for (const h of hours) await insertTechnicianHours(tx, { staffId, ...h });
}

export async function technicianHours(db: Queryable, staffId: string): Promise<TechnicianHoursRow[]> {
  return db.query<TechnicianHoursRow>(
    `SELECT staff_id AS "staffId", weekday, to_char(starts, 'HH24:MI') AS starts, to_char(ends, 'HH24:MI') AS ends
     FROM technician_hours WHERE staff_id = $1 ORDER BY weekday, starts`, [staffId],
  );
}

export async function listSectors(db: Queryable, staffId: string): Promise<SectorRow[]> {
  return db.query<SectorRow>(`SELECT ${SECTOR_COLUMNS} FROM technician_sectors WHERE staff_id = $1 ORDER BY local_date NULLS FIRST, weekday, label`, [staffId]);
}

export async function insertSector(db: Queryable, s: Omit<SectorRow, 'id'>): Promise<SectorRow> {
  const [row] = await db.query<SectorRow>(
    `INSERT INTO technician_sectors (staff_id, weekday, local_date, label, postcodes, center_latitude, center_longitude, radius_km)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING ${SECTOR_COLUMNS}`,
    [s.staffId, s.weekday, s.localDate, s.label, s.postcodes, s.centerLatitude, s.centerLongitude, s.radiusKm],
  );
  return row!;
}

export async function deleteSector(db: Queryable, staffId: string, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM technician_sectors WHERE staff_id = $1 AND id = $2 RETURNING id', [staffId, id])).length === 1;
}

/** Everything the arrival-window finder needs of a brand's technicians over [from, to). */
export interface OnsiteSchedule {
  technicians: TechnicianRow[];
  hours: TechnicianHoursRow[];
  sectors: SectorRow[];
  jobs: JobRow[];
}

/**
 * Technicians (all of the brand's, or the given ones), their hours, their sectors of the dates
 * around [from, to) and their busy time there: claims of live holds and active appointments, with
 * the visit's place, and time off. Expired holds no longer count, nor the appointment being moved.
 */
export async function onsiteSchedule(
  db: Queryable, brandId: string,
  w: { from: Date; to: Date; now: Date; staffIds?: string[] | undefined; ignoreAppointmentId?: string | null | undefined },
): Promise<OnsiteSchedule> {
  const all = await listTechnicians(db, brandId);
  const technicians = w.staffIds ? all.filter((t) => w.staffIds!.includes(t.staffId)) : all;
  const ids = technicians.map((t) => t.staffId);
  if (ids.length === 0) return { technicians, hours: [], sectors: [], jobs: [] };
  const day = 86_400_000;
  const fromDate = new Date(w.from.getTime() - day).toISOString().slice(0, 10);
  const toDate = new Date(w.to.getTime() + day).toISOString().slice(0, 10);
  const hours = await db.query<TechnicianHoursRow>(
    `SELECT staff_id AS "staffId", weekday, starts::text, ends::text FROM technician_hours WHERE staff_id = ANY($1::uuid[])`, [ids],
  );
  const sectors = await db.query<SectorRow>(
    `SELECT ${SECTOR_COLUMNS} FROM technician_sectors
     WHERE staff_id = ANY($1::uuid[]) AND (local_date IS NULL OR local_date BETWEEN $2::date AND $3::date)`,
    [ids, fromDate, toDate],
  );
  // A day's jobs matter from its first to its last: a day either side of the window.
  const jobs = await db.query<JobRow>(
    `SELECT c.staff_id AS "staffId", c.blocked_from AS "from", c.blocked_to AS "to",
            coalesce(a.home_latitude, h.home_latitude) AS latitude, coalesce(a.home_longitude, h.home_longitude) AS longitude
     FROM slot_claims c LEFT JOIN holds h ON h.id = c.hold_id LEFT JOIN appointments a ON a.id = c.appointment_id
     WHERE c.staff_id = ANY($1::uuid[]) AND c.blocked_from < $3 AND c.blocked_to > $2 AND (h.id IS NULL OR h.expires_at > $4)
       AND c.appointment_id IS DISTINCT FROM $5::uuid
     UNION ALL
     SELECT staff_id, starts_at, ends_at, NULL, NULL FROM staff_time_off
     WHERE staff_id = ANY($1::uuid[]) AND starts_at < $3 AND ends_at > $2`,
    [ids, new Date(w.from.getTime() - day), new Date(w.to.getTime() + day), w.now, w.ignoreAppointmentId ?? null],
  );
  return { technicians, hours, sectors, jobs };
}
