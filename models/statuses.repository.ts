import type { Queryable, Tx } from './database.ts';
import { errors, uniqueViolationAs } from './errors.ts';

export type StatusKind = 'start' | 'confirmation' | 'cancellation';

/** One step of a service's custom status workflow (product document 001). */
export interface AppointmentStatus {
  id: string;
  serviceId: string;
  name: string;
  description: string;
  position: number;
  kind: StatusKind;
  color: string;
}

const COLUMNS = `id, service_id AS "serviceId", name, description, position, kind, color`;

export async function listStatuses(db: Queryable, serviceId: string): Promise<AppointmentStatus[]> {
  return db.query<AppointmentStatus>(`SELECT ${COLUMNS} FROM appointment_statuses WHERE service_id = $1 ORDER BY position, name`, [serviceId]);
}

/** Two saves racing for one name: the unique index (service, name) refuses the second. */
const nameInUse = () => errors.conflict('This service already has a status with that name.', 'name');

export async function insertStatus(db: Queryable, s: Omit<AppointmentStatus, 'id'>): Promise<AppointmentStatus> {
  const [row] = await db.query<AppointmentStatus>(
    `INSERT INTO appointment_statuses (service_id, name, description, position, kind, color)
     VALUES ($1,$2,$3,$4,$5,$6) RETURNING ${COLUMNS}`,
    [s.serviceId, s.name, s.description, s.position, s.kind, s.color],
  ).catch(uniqueViolationAs(nameInUse));
  return row!;
}

/**
 * The stores a service's workflow reaches: where the advisors offering the service work (hours,
 * home store) and where its appointments are (their store, else their advisor's home store; null
 * for an appointment with neither, which belongs to the whole brand).
 */
export async function workflowStores(db: Queryable, serviceId: string): Promise<(string | null)[]> {
  const rows = await db.query<{ store_id: string | null }>(
    `SELECT h.store_id FROM staff_services ss JOIN staff_hours h ON h.staff_id = ss.staff_id WHERE ss.service_id = $1
     UNION SELECT s.home_store_id FROM staff_services ss JOIN staff s ON s.id = ss.staff_id
       WHERE ss.service_id = $1 AND s.home_store_id IS NOT NULL
     UNION SELECT COALESCE(a.store_id, sf.home_store_id) FROM appointments a JOIN staff sf ON sf.id = a.staff_id
       WHERE a.service_id = $1`,
    [serviceId],
  );
  return rows.map((r) => r.store_id);
}

/** The service a status of the brand belongs to (null: no such status in this brand). */
export async function statusServiceId(db: Queryable, brandId: string, statusId: string): Promise<string | null> {
  const [row] = await db.query<{ service_id: string }>(
    `SELECT st.service_id FROM appointment_statuses st JOIN services s ON s.id = st.service_id WHERE s.brand_id = $1 AND st.id = $2`,
    [brandId, statusId],
  );
  return row?.service_id ?? null;
}

/** Whether another status of the service (not `exceptId`) has this name, ignoring case. */
export async function statusNameTaken(db: Queryable, serviceId: string, name: string, exceptId: string | null): Promise<boolean> {
  const [clash] = await db.query(
    'SELECT 1 FROM appointment_statuses WHERE service_id = $1 AND lower(name) = lower($2) AND ($3::uuid IS NULL OR id <> $3::uuid)',
    [serviceId, name, exceptId],
  );
  return clash !== undefined;
}

/** How many appointments are at each status of the service now. */
export async function statusUsage(db: Queryable, serviceId: string): Promise<Map<string, number>> {
  const rows = await db.query<{ status_id: string; n: number }>(
    `SELECT status_id, count(*)::int AS n FROM appointments WHERE service_id = $1 AND status_id IS NOT NULL GROUP BY status_id`,
    [serviceId],
  );
  return new Map(rows.map((r) => [r.status_id, r.n]));
}

/** How many appointments are at this status now. */
export async function appointmentsAtStatus(db: Queryable, statusId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM appointments WHERE status_id = $1', [statusId]);
  return row?.n ?? 0;
}

export type StatusChanges = Partial<Pick<AppointmentStatus, 'name' | 'description' | 'kind' | 'color'>>;

export async function updateStatus(tx: Tx, id: string, c: StatusChanges): Promise<void> {
  await tx.query(
    `UPDATE appointment_statuses SET name = COALESCE($2, name), description = COALESCE($3, description),
       kind = COALESCE($4, kind), color = COALESCE($5, color) WHERE id = $1`,
    [id, c.name ?? null, c.description ?? null, c.kind ?? null, c.color ?? null],
  ).catch(uniqueViolationAs(nameInUse));
}

export async function deleteStatus(tx: Tx, id: string): Promise<void> {
  await tx.query('DELETE FROM appointment_statuses WHERE id = $1', [id]);
}

/** Positions 1…n in the order of `ids` (every status of the service). */
export async function renumberStatuses(tx: Tx, serviceId: string, ids: readonly string[]): Promise<void> {
  // Two passes keep positions distinct throughout should a unique index ever cover them.
  for (const [i, id] of ids.entries()) {
    await tx.query('UPDATE appointment_statuses SET position = $3 WHERE service_id = $1 AND id = $2', [serviceId, id, -(i + 1)]);
  }
  await tx.query('UPDATE appointment_statuses SET position = -position WHERE service_id = $1 AND position < 0', [serviceId]);
}
