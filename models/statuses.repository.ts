import type { Queryable } from './database.ts';

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

export async function insertStatus(db: Queryable, s: Omit<AppointmentStatus, 'id'>): Promise<AppointmentStatus> {
  const [row] = await db.query<AppointmentStatus>(
    `INSERT INTO appointment_statuses (service_id, name, description, position, kind, color)
     VALUES ($1,$2,$3,$4,$5,$6) RETURNING ${COLUMNS}`,
    [s.serviceId, s.name, s.description, s.position, s.kind, s.color],
  );
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
